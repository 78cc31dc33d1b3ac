"""PasConnector on a fake PAS: typed results, cache TTLs, invalidation, stale-if-error, audit."""

from __future__ import annotations

import logging
from datetime import date
from decimal import Decimal

import httpx
import pytest

from pas_connector.audit import mask_reference, reference_hash
from pas_connector.errors import (
    CircuitOpen,
    PasNotFound,
    PasProtocolError,
    PasRejected,
    PasUnavailable,
)
from tests.connector.conftest import AUDIT_KEY

POLICY = "/api/v1/policies/AUT-1000001"
BILLING = "/api/v1/policies/AUT-1000001/billing"
CLAIMS = "/api/v1/policies/AUT-1000001/claims"


async def test_operations_return_typed_values(make_connector):
    pas = await make_connector()

    holder = (await pas.get_policyholder("H0000001")).value
    assert holder.full_name == "Maria Alvarez"
    assert holder.date_of_birth == date(1985, 4, 12)
    refs = (await pas.list_policies("H0000001")).value
    assert [r.policy_number for r in refs] == ["AUT-1000001"]
    policy = (await pas.get_policy("AUT-1000001")).value
    assert [v.description for v in policy.vehicles] == ["2021 Toyota RAV4", "2017 Honda Civic"]
    billing = (await pas.get_billing("AUT-1000001")).value
    assert billing.balance == Decimal("412.50")
    claims = (await pas.list_claims("AUT-1000001")).value
    assert claims[0].adjuster is not None and claims[0].adjuster.name == "Dana Brooks"
    claim = (await pas.get_claim("CLM-50000001")).value
    assert claim.is_open and claim.stage == "inspection"


async def test_first_read_misses_second_hits_without_calling_the_pas(
    make_connector, fake_pas, clock
):
    pas = await make_connector()
    first = await pas.get_policy("AUT-1000001")
    clock.advance(299)
    second = await pas.get_policy("AUT-1000001")

    assert (first.from_cache, first.stale) == (False, False)
    assert (second.from_cache, second.stale) == (True, False)
    assert second.value == first.value
    assert second.fetched_at == first.fetched_at
    assert second.age_seconds(clock()) == 299
    assert len(fake_pas.calls(POLICY)) == 1


async def test_an_entry_past_its_ttl_is_fetched_again(make_connector, fake_pas, clock):
    pas = await make_connector()
    await pas.get_billing("AUT-1000001")
    clock.advance(61)  # billing TTL is 60 s
    again = await pas.get_billing("AUT-1000001")
    assert again.from_cache is False
    assert again.fetched_at == clock()
    assert len(fake_pas.calls(BILLING)) == 2


async def test_each_kind_has_its_own_ttl(make_connector, fake_pas, clock):
    pas = await make_connector()
    await pas.get_policy("AUT-1000001")
    await pas.get_billing("AUT-1000001")
    await pas.list_claims("AUT-1000001")
    clock.advance(100)  # past billing (60), inside claims (120) and policy (300)
    assert (await pas.get_policy("AUT-1000001")).from_cache
    assert not (await pas.get_billing("AUT-1000001")).from_cache
    assert (await pas.list_claims("AUT-1000001")).from_cache


async def test_a_payment_posts_once_with_its_idempotency_key_and_invalidates_the_policy(
    make_connector, fake_pas
):
    pas = await make_connector()
    assert (await pas.get_billing("AUT-1000001")).value.balance == Decimal("412.50")
    await pas.get_policy("AUT-1000001")

    receipt = await pas.post_payment(
        "AUT-1000001", Decimal("100.00"), "card", "pi_123", idempotency_key="pay-abc"
    )

    assert receipt.new_balance == Decimal("312.50")
    (sent,) = fake_pas.calls("/api/v1/policies/AUT-1000001/payments")
    assert sent.headers["Idempotency-Key"] == "pay-abc"
    assert sent.content == b'{"amount":"100.00","method":"card","reference":"pi_123"}'
    billing = await pas.get_billing("AUT-1000001")
    assert billing.from_cache is False
    assert billing.value.balance == Decimal("312.50")
    assert not (await pas.get_policy("AUT-1000001")).from_cache


async def test_the_same_idempotency_key_returns_the_first_receipt(make_connector, fake_pas):
    pas = await make_connector()
    first = await pas.post_payment("AUT-1000001", Decimal("10.00"), "card", "r", "same-key")
    second = await pas.post_payment("AUT-1000001", Decimal("10.00"), "card", "r", "same-key")
    assert first.confirmation == second.confirmation
    assert fake_pas.balance == "402.50"


async def test_a_rejected_payment_raises_and_still_drops_the_cached_billing(
    make_connector, fake_pas
):
    pas = await make_connector()
    await pas.get_billing("AUT-1000001")
    with pytest.raises(PasRejected):
        await pas.post_payment("AUT-1000001", Decimal("5000.00"), "card", "r", "k-big")
    assert not (await pas.get_billing("AUT-1000001")).from_cache


@pytest.mark.parametrize(
    "amount", [Decimal("0"), Decimal("-1.00"), Decimal("1.005"), Decimal("NaN")]
)
async def test_malformed_amounts_are_refused_before_anything_is_sent(
    make_connector, fake_pas, amount
):
    pas = await make_connector()
    with pytest.raises(ValueError):
        await pas.post_payment("AUT-1000001", amount, "card", "r", "k")
    assert fake_pas.requests == []


async def test_autopay_enrol_and_cancel_return_billing_and_invalidate(make_connector, fake_pas):
    pas = await make_connector()
    assert not (await pas.get_billing("AUT-1000001")).value.autopay.enabled
    enrolled = await pas.set_autopay("AUT-1000001", "pm_card_visa", "card", 5)
    assert enrolled.autopay.enabled and enrolled.autopay.draft_day == 5
    assert (await pas.get_billing("AUT-1000001")).value.autopay.enabled
    cancelled = await pas.cancel_autopay("AUT-1000001")
    assert not cancelled.autopay.enabled
    assert not (await pas.get_billing("AUT-1000001")).value.autopay.enabled


async def test_stale_entry_is_served_marked_stale_while_the_pas_is_down(
    make_connector, fake_pas, clock
):
    pas = await make_connector()
    fresh = await pas.get_billing("AUT-1000001")
    clock.advance(600)  # past the 60 s TTL, inside the 3600 s stale window
    fake_pas.fail_next(BILLING, 503, times=2)

    stale = await pas.get_billing("AUT-1000001")

    assert (stale.from_cache, stale.stale) == (True, True)
    assert stale.value == fresh.value
    assert stale.fetched_at == fresh.fetched_at
    assert stale.age_seconds(clock()) == 600


async def test_with_nothing_cached_an_outage_raises_unavailable(make_connector, fake_pas):
    pas = await make_connector()
    fake_pas.fail_next(BILLING, 503, times=2)
    with pytest.raises(PasUnavailable):
        await pas.get_billing("AUT-1000001")


async def test_an_entry_older_than_the_stale_window_is_not_served(make_connector, fake_pas, clock):
    pas = await make_connector()
    await pas.get_billing("AUT-1000001")
    clock.advance(60 + 3600 + 1)
    fake_pas.fail_next(BILLING, 503, times=2)
    with pytest.raises(PasUnavailable):
        await pas.get_billing("AUT-1000001")


async def test_stale_entries_are_served_while_the_circuit_is_open(make_connector, fake_pas, clock):
    pas = await make_connector(pas={"breaker_threshold": 1})
    await pas.get_policy("AUT-1000001")
    clock.advance(400)
    fake_pas.fail_next(BILLING, 503, times=2)
    with pytest.raises(PasUnavailable):
        await pas.get_billing("AUT-1000001")  # opens the circuit
    assert await pas.circuit_state() == "opened"
    sent = len(fake_pas.requests)
    served = await pas.get_policy("AUT-1000001")
    assert served.stale
    assert len(fake_pas.requests) == sent
    with pytest.raises(CircuitOpen):
        await pas.get_claim("CLM-50000001")


async def test_not_found_is_not_served_from_stale_cache_and_not_cached(make_connector, fake_pas):
    pas = await make_connector()
    with pytest.raises(PasNotFound):
        await pas.get_policy("AUT-9999999")
    with pytest.raises(PasNotFound):
        await pas.get_policy("AUT-9999999")
    assert len(fake_pas.calls("/api/v1/policies/AUT-9999999")) == 2


async def test_a_payload_missing_fields_is_a_protocol_error_and_is_not_cached(
    make_connector, fake_pas
):
    broken = {"policy_number": "AUT-1000001", "balance": "1.00"}
    fake_pas.respond_next(BILLING, httpx.Response(200, json=broken))
    pas = await make_connector()
    with pytest.raises(PasProtocolError):
        await pas.get_billing("AUT-1000001")
    assert (await pas.get_billing("AUT-1000001")).from_cache is False


async def test_references_cannot_change_the_request_path(make_connector, fake_pas):
    pas = await make_connector()
    with pytest.raises(PasNotFound):
        await pas.get_policy("../claims/CLM-50000001")
    (sent,) = fake_pas.requests
    assert sent.url.raw_path == b"/api/v1/policies/..%2Fclaims%2FCLM-50000001"
    with pytest.raises(ValueError):
        await pas.get_policy("  ")


async def test_every_call_writes_one_audit_row_without_raw_references(
    make_connector, fake_pas, clock, audit_rows
):
    pas = await make_connector()
    await pas.get_policyholder("H0000001")
    await pas.get_billing("AUT-1000001")
    await pas.get_billing("AUT-1000001")
    clock.advance(120)
    fake_pas.fail_next(BILLING, 503, times=2)
    await pas.get_billing("AUT-1000001")
    with pytest.raises(PasNotFound):
        await pas.get_claim("CLM-99999999")
    await pas.post_payment("AUT-1000001", Decimal("1.00"), "card", "r", "k1")
    with pytest.raises(PasUnavailable):
        await pas.payment_history("AUT-1000001")  # no replica configured in unit tests

    await pas.flush_audit()
    rows = audit_rows()
    summary = [
        (r["operation"], r["outcome"], r["cache"], r["status_code"], r["attempts"]) for r in rows
    ]
    assert summary == [
        ("get_policyholder", "ok", "miss", 200, 1),
        ("get_billing", "ok", "miss", 200, 1),
        ("get_billing", "ok", "hit", None, 0),
        ("get_billing", "stale", "stale", 503, 2),
        ("get_claim", "not_found", "miss", 404, 1),
        ("post_payment", "ok", "none", 201, 1),
        ("payment_history", "unavailable", "none", None, 0),
    ]
    billing_row = rows[1]
    assert billing_row["policy_ref"] == reference_hash(AUDIT_KEY, "AUT-1000001")
    assert billing_row["policy_ref_masked"] == "AUT-***0001"
    assert rows[0]["policy_ref_masked"] == "H***0001"
    assert all(r["latency_ms"] >= 0 for r in rows)
    assert all(r["at"] is not None for r in rows)
    every_value = " ".join(str(v) for r in rows for v in r.values())
    for secret in (
        "AUT-1000001",
        "1000001",
        "H0000001",
        "CLM-99999999",
        "1985-04-12",
        "+15125550101",
    ):
        assert secret not in every_value


def test_masks_keep_only_a_prefix_and_the_last_four():
    assert mask_reference("AUT-1000001") == "AUT-***0001"
    assert mask_reference("CLM-50000001") == "CLM-***0001"
    assert mask_reference("H0000001") == "H***0001"
    assert mask_reference("+15125550101") == "***0101"
    assert mask_reference("1234") == "***"


def test_reference_hash_is_keyed_and_stable_across_case_and_spaces():
    assert reference_hash("k", "aut-1000001 ") == reference_hash("k", "AUT-1000001")
    assert reference_hash("k", "AUT-1000001") != reference_hash("other", "AUT-1000001")
    assert len(reference_hash("k", "AUT-1000001")) == 16


async def test_logs_at_debug_carry_no_raw_references(make_connector, fake_pas, clock, caplog):
    caplog.set_level(logging.DEBUG)
    pas = await make_connector(pas={"breaker_threshold": 1})
    await pas.get_policyholder("H0000001")
    await pas.get_billing("AUT-1000001")
    await pas.post_payment("AUT-1000001", Decimal("1.00"), "card", "r", "k-log")
    await pas.get_billing("AUT-1000001")
    with pytest.raises(PasNotFound):
        await pas.get_claim("CLM-99999999")
    clock.advance(120)
    fake_pas.fail_next(BILLING, 503, times=2)
    assert (await pas.get_billing("AUT-1000001")).stale  # and the failure opens the breaker
    with pytest.raises(CircuitOpen):
        await pas.get_policy("AUT-1000001")

    httpx_lines = [r.getMessage() for r in caplog.records if r.name == "httpx"]
    assert any("/api/v1/policies/***/billing" in line for line in httpx_lines), httpx_lines
    for raw in ("AUT-1000001", "1000001", "H0000001", "CLM-99999999", "1985-04-12", "+15125550101"):
        assert raw not in caplog.text
