"""The connector against the real PAS sandbox subprocess (``sandbox`` fixture, reset after each
test): persona data, cache behaviour, stale-if-error in an outage, the breaker, signing."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select

from pas_connector.audit import pas_audit
from pas_connector.config import CacheSettings, PasSettings
from pas_connector.connector import PasConnector
from pas_connector.errors import CircuitOpen, PasAuthError, PasNotFound, PasUnavailable
from pas_connector.factory import build_connector
from tests.connector.conftest import AUDIT_KEY
from tests.connector.fakes import FakeClock, VirtualTime
from tests.support.app_database import migrated_sqlite
from tests.support.personas import MARIA

MARIA_PHONE = MARIA.phone


@pytest.fixture
def app_db(tmp_path: Path) -> str:
    return migrated_sqlite(tmp_path / "app.sqlite")


def _pas_settings(sandbox: Any, **changes: Any) -> PasSettings:
    values: dict[str, Any] = {
        "base_url": sandbox.base_url,
        "key_id": sandbox.key_id,
        "hmac_secret": sandbox.hmac_secret,
        "replica_url": sandbox.replica_url,
        "read_attempts": 2,
        "read_budget_s": 4.5,
        "breaker_threshold": 3,
        "breaker_ttl_s": 30.0,
    }
    values.update(changes)
    return PasSettings(**values)


@pytest.fixture
async def live(
    sandbox, app_db: str, clock: FakeClock, virtual_time: VirtualTime
) -> AsyncIterator[PasConnector]:
    connector = build_connector(
        _pas_settings(sandbox),
        CacheSettings(),
        database_url=app_db,
        audit_hash_key=AUDIT_KEY,
        clock=clock,
        sleep=virtual_time.sleep,
        monotonic=virtual_time.monotonic,
    )
    yield connector
    await connector.aclose()


@pytest.fixture
def audit_rows(app_db: str) -> Callable[[], list[dict[str, Any]]]:
    def read() -> list[dict[str, Any]]:
        engine = create_engine(app_db)
        try:
            with engine.connect() as conn:
                query = select(pas_audit).order_by(pas_audit.c.id)
                return [dict(r) for r in conn.execute(query).mappings()]
        finally:
            engine.dispose()

    return read


async def test_maria_end_to_end_through_every_read(live: PasConnector):
    match = await live.find_by_phone("(512) 555-0101")
    assert match is not None and "AUT-1000001" in match.policy_numbers

    holder = (await live.get_policyholder(match.holder_id)).value
    assert (holder.full_name, holder.date_of_birth, holder.address.zip) == (
        "Maria Alvarez",
        date(1985, 4, 12),
        "78704",
    )
    assert holder.phone == MARIA_PHONE
    refs = (await live.list_policies(match.holder_id)).value
    assert [r.policy_number for r in refs] == ["AUT-1000001"]

    policy = (await live.get_policy("AUT-1000001")).value
    assert (policy.line, policy.state, policy.is_active) == ("auto", "TX", True)
    assert len(policy.vehicles) == 2
    billing = (await live.get_billing("AUT-1000001")).value
    assert billing.balance == Decimal("412.50")
    assert billing.autopay.enabled is False

    claims = (await live.list_claims("AUT-1000001")).value
    open_claim = next(c for c in claims if c.claim_number == "CLM-50000001")
    assert open_claim.is_open
    assert open_claim.adjuster is not None and open_claim.adjuster.name == "Dana Brooks"
    claim = (await live.get_claim("CLM-50000001")).value
    assert claim == open_claim

    timeline = await live.claim_timeline("CLM-50000001")
    assert timeline.events, "the replica has milestones for the open claim"
    assert [e.occurred_at for e in timeline.events] == sorted(
        e.occurred_at for e in timeline.events
    )
    assert timeline.next_action
    history = await live.payment_history("AUT-1000001")
    assert [p.posted_at for p in history] == sorted((p.posted_at for p in history), reverse=True)


async def test_other_personas_match_the_readme(live: PasConnector):
    james = (await live.get_billing("HOM-2000001")).value
    assert james.autopay.enabled is True
    home = (await live.get_policy("HOM-2000001")).value
    assert any(p.mortgagee is not None for p in home.properties)
    closed = (await live.get_claim("CLM-50000002")).value
    assert closed.status == "closed" and closed.paid_amount > 0

    priya = (await live.get_billing("REN-3000001")).value
    assert (priya.past_due, priya.balance) == (Decimal("96.00"), Decimal("144.00"))
    assert (await live.get_policy("AUT-1000002")).value.status == "cancelled"

    jose = await live.find_by_phone("+1 718 555 0105")
    assert jose is not None
    assert set(jose.policy_numbers) == {"AUT-1000003", "HOM-2000002"}


async def test_unknown_references_are_not_found(live: PasConnector):
    with pytest.raises(PasNotFound):
        await live.get_policy("AUT-9999999")
    with pytest.raises(PasNotFound):
        await live.get_claim("CLM-99999999")
    assert await live.find_by_phone("+14155550000") is None


async def test_cache_hits_then_expires_on_the_injected_clock(live: PasConnector, clock, sandbox):
    first = await live.get_policy("AUT-1000001")
    clock.advance(299)
    second = await live.get_policy("AUT-1000001")
    clock.advance(2)  # 301 s: past the 5-minute policy TTL
    third = await live.get_policy("AUT-1000001")
    assert [f.from_cache for f in (first, second, third)] == [False, True, False]
    assert second.fetched_at == first.fetched_at
    assert third.fetched_at == clock()


async def test_a_payment_invalidates_billing_and_reaches_the_replica(live: PasConnector):
    before = await live.get_billing("AUT-1000001")
    assert (await live.get_billing("AUT-1000001")).from_cache

    receipt = await live.post_payment(
        "AUT-1000001", Decimal("100.00"), "card", "pi_itest_1", idempotency_key="itest-pay-1"
    )
    again = await live.post_payment(
        "AUT-1000001", Decimal("100.00"), "card", "pi_itest_1", idempotency_key="itest-pay-1"
    )

    assert again.confirmation == receipt.confirmation  # same key, same receipt, charged once
    assert receipt.new_balance == before.value.balance - Decimal("100.00")
    after = await live.get_billing("AUT-1000001")
    assert after.from_cache is False
    assert after.value.balance == receipt.new_balance
    history = await live.payment_history("AUT-1000001", limit=3)
    assert history[0].amount == Decimal("100.00")
    assert history[0].reference == receipt.confirmation  # the replica keys rows by confirmation


async def test_autopay_enrol_and_cancel_round_trip(live: PasConnector):
    enrolled = await live.set_autopay("AUT-1000001", "pm_card_visa", "card", 5)
    assert (enrolled.autopay.enabled, enrolled.autopay.draft_day) == (True, 5)
    assert (await live.get_billing("AUT-1000001")).value.autopay.enabled
    cancelled = await live.cancel_autopay("AUT-1000001")
    assert cancelled.autopay.enabled is False


async def test_stale_if_error_during_an_outage(live: PasConnector, sandbox, clock):
    cached = await live.get_billing("AUT-1000001")
    clock.advance(120)  # billing TTL (60 s) has passed
    sandbox.set_faults(outage=True)
    try:
        stale = await live.get_billing("AUT-1000001")
        assert (stale.from_cache, stale.stale) == (True, True)
        assert stale.value == cached.value
        assert stale.age_seconds(clock()) == 120
        with pytest.raises(PasUnavailable):
            await live.get_policy("HOM-2000001")  # never cached
    finally:
        sandbox.set_faults(outage=False)
    recovered = await live.get_billing("AUT-1000001")
    assert (recovered.from_cache, recovered.stale) == (False, False)


async def test_breaker_opens_in_an_outage_and_recovers_after_it(
    sandbox, app_db, clock, virtual_time: VirtualTime
):
    connector = build_connector(
        _pas_settings(sandbox, breaker_threshold=2),
        CacheSettings(),
        database_url=app_db,
        audit_hash_key=AUDIT_KEY,
        clock=clock,
        sleep=virtual_time.sleep,
        monotonic=virtual_time.monotonic,
    )
    try:
        sandbox.set_faults(outage=True)
        for _ in range(2):
            with pytest.raises(PasUnavailable):
                await connector.get_policy("AUT-1000001")
        assert await connector.circuit_state() == "opened"
        with pytest.raises(CircuitOpen):
            await connector.get_policy("AUT-1000001")

        sandbox.set_faults(outage=False)
        with pytest.raises(CircuitOpen):  # still inside breaker_ttl_s
            await connector.get_policy("AUT-1000001")
        virtual_time.advance(31)
        policy = await connector.get_policy("AUT-1000001")
        assert policy.value.policy_number == "AUT-1000001"
        assert await connector.circuit_state() == "closed"
    finally:
        sandbox.set_faults(outage=False)
        await connector.aclose()


@pytest.mark.parametrize("forgery", [{"hmac_secret": "forged-secret"}, {"key_id": "someone-else"}])
async def test_a_client_with_the_wrong_key_gets_pas_auth_error(sandbox, app_db, clock, forgery):
    connector = build_connector(
        _pas_settings(sandbox, **forgery),
        CacheSettings(),
        database_url=app_db,
        audit_hash_key=AUDIT_KEY,
        clock=clock,
    )
    try:
        with pytest.raises(PasAuthError):
            await connector.get_policy("AUT-1000001")
        assert await connector.circuit_state() == "closed"
    finally:
        await connector.aclose()


async def test_audit_rows_for_a_session_hold_no_raw_pii(
    live: PasConnector, sandbox, clock, audit_rows
):
    match = await live.find_by_phone(MARIA_PHONE)
    assert match is not None
    await live.get_policyholder(match.holder_id)
    await live.get_policy("AUT-1000001")
    await live.get_policy("AUT-1000001")
    await live.claim_timeline("CLM-50000001")
    await live.post_payment("AUT-1000001", Decimal("1.00"), "card", "pi_itest_2", "itest-pay-2")

    await live.flush_audit()
    rows = audit_rows()
    assert [(r["operation"], r["outcome"], r["cache"]) for r in rows] == [
        ("find_by_phone", "ok", "none"),
        ("get_policyholder", "ok", "miss"),
        ("get_policy", "ok", "miss"),
        ("get_policy", "ok", "hit"),
        ("claim_timeline", "ok", "none"),
        ("post_payment", "ok", "none"),
    ]
    assert rows[2]["status_code"] == 200 and rows[2]["attempts"] == 1
    raw = (
        "AUT-1000001",
        "1000001",
        "CLM-50000001",
        match.holder_id,
        MARIA_PHONE,
        "5125550101",
        "1985-04-12",
    )
    for row in rows:
        for column, value in row.items():
            for item in raw:
                assert item not in str(value), f"{item} in pas_audit.{column}"
