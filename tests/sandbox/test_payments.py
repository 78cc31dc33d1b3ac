"""Posting payments: idempotency, validation, billing effects and the replica row."""

from __future__ import annotations

import re
import sqlite3

from sqlalchemy import create_engine, func, select

from pas_sandbox.replica import replica_payments
from tests.sandbox.conftest import SignedApi

MARIA = "/api/v1/policies/AUT-1000001"


def _payment_rows(replica_url: str, policy_number: str) -> list:
    engine = create_engine(replica_url)
    with engine.connect() as conn:
        rows = conn.execute(
            select(replica_payments)
            .where(replica_payments.c.policy_number == policy_number)
            .order_by(replica_payments.c.id)
        ).all()
    engine.dispose()
    return rows


async def _pay(
    api: SignedApi,
    path: str,
    amount: str,
    key: str | None,
    method: str = "card",
    reference: str = "pi_test_1",
) -> tuple[int, dict]:
    headers = {"Idempotency-Key": key} if key is not None else {}
    return await api.call(
        "POST",
        f"{path}/payments",
        {"amount": amount, "method": method, "reference": reference},
        headers=headers,
    )


async def test_a_payment_lowers_the_balance_and_adds_one_replica_row(
    api: SignedApi,
    replica_url: str,
) -> None:
    before = len(_payment_rows(replica_url, "AUT-1000001"))
    status, receipt = await _pay(api, MARIA, "206.25", "key-1")
    assert status == 200
    assert receipt["policy_number"] == "AUT-1000001"
    assert (receipt["amount"], receipt["new_balance"], receipt["method"]) == (
        "206.25",
        "206.25",
        "card",
    )
    assert receipt["confirmation"].startswith("PAY-")
    assert receipt["posted_at"] == "2026-11-25T15:00:00Z"  # the injected clock
    _, billing = await api.get(f"{MARIA}/billing")
    assert (billing["balance"], billing["minimum_due"], billing["status"]) == (
        "206.25",
        "0.00",
        "current",
    )
    rows = _payment_rows(replica_url, "AUT-1000001")
    assert len(rows) == before + 1
    last = rows[-1]
    assert (last.amount_cents, last.method, last.status, last.reference) == (
        20625,
        "card",
        "posted",
        receipt["confirmation"],
    )


async def test_live_and_seeded_replica_rows_share_one_utc_text_format(
    api: SignedApi,
    replica_url: str,
) -> None:
    assert (await _pay(api, MARIA, "20.00", "format"))[0] == 200
    with sqlite3.connect(replica_url.removeprefix("sqlite:///")) as conn:
        stored = [r[0] for r in conn.execute("SELECT posted_at FROM replica_payments ORDER BY id")]
    assert len(stored) > 50
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}", s) for s in stored)
    assert stored[-1] == "2026-11-25 15:00:00.000000"  # the injected clock, in UTC


async def test_the_same_idempotency_key_returns_the_first_receipt_without_posting_again(
    api: SignedApi,
    replica_url: str,
) -> None:
    before = len(_payment_rows(replica_url, "AUT-1000001"))
    first = await _pay(api, MARIA, "100.00", "same-key")
    api.clock.now += 30
    second = await _pay(api, MARIA, "100.00", "same-key")
    assert first == second
    assert first[0] == 200
    _, billing = await api.get(f"{MARIA}/billing")
    assert billing["balance"] == "312.50"
    assert len(_payment_rows(replica_url, "AUT-1000001")) == before + 1


async def test_reusing_an_idempotency_key_for_a_different_payment_is_a_conflict(
    api: SignedApi,
) -> None:
    assert (await _pay(api, MARIA, "100.00", "reused"))[0] == 200
    status, body = await _pay(api, MARIA, "50.00", "reused")
    assert (status, body["error"]) == (409, "conflict")
    _, billing = await api.get(f"{MARIA}/billing")
    assert billing["balance"] == "312.50"


async def test_a_payment_without_an_idempotency_key_is_a_bad_request(api: SignedApi) -> None:
    status, body = await _pay(api, MARIA, "10.00", None)
    assert (status, body["error"]) == (400, "bad_request")
    assert "Idempotency-Key" in body["message"]


async def test_an_amount_above_the_balance_is_rejected(api: SignedApi) -> None:
    status, body = await _pay(api, MARIA, "412.51", "too-much")
    assert (status, body["error"]) == (422, "rejected")
    _, billing = await api.get(f"{MARIA}/billing")
    assert billing["balance"] == "412.50"


async def test_zero_and_negative_amounts_are_rejected(api: SignedApi) -> None:
    assert (await _pay(api, MARIA, "0.00", "zero"))[0] == 422
    assert (await _pay(api, MARIA, "-5.00", "negative"))[0] == 422


async def test_malformed_payments_are_bad_requests(api: SignedApi) -> None:
    assert (await _pay(api, MARIA, "ten", "k1"))[0] == 400
    assert (await _pay(api, MARIA, "1.001", "k2"))[0] == 400
    assert (await _pay(api, MARIA, "NaN", "k3"))[0] == 400
    assert (await _pay(api, MARIA, "10.00", "k4", method="bitcoin"))[0] == 400
    assert (await _pay(api, MARIA, "10.00", "k5", reference=""))[0] == 400
    status, _ = await api.call(
        "POST", f"{MARIA}/payments", ["not", "an", "object"], headers={"Idempotency-Key": "k6"}
    )
    assert status == 400


async def test_paying_the_full_balance_marks_the_bill_paid(api: SignedApi) -> None:
    assert (await _pay(api, MARIA, "412.50", "all"))[0] == 200
    _, billing = await api.get(f"{MARIA}/billing")
    assert (billing["balance"], billing["minimum_due"], billing["status"], billing["due_date"]) == (
        "0.00",
        "0.00",
        "paid",
        None,
    )


async def test_paying_the_past_due_amount_brings_the_account_current(api: SignedApi) -> None:
    priya = "/api/v1/policies/REN-3000001"
    status, receipt = await _pay(api, priya, "96.00", "catch-up", method="us_bank_account")
    assert (status, receipt["new_balance"]) == (200, "48.00")
    _, billing = await api.get(f"{priya}/billing")
    assert (billing["past_due"], billing["status"], billing["minimum_due"]) == (
        "0.00",
        "current",
        "48.00",
    )
    assert billing["due_date"] > "2026-11-25"


async def test_a_cancelled_policy_with_no_balance_refuses_payment(api: SignedApi) -> None:
    status, body = await _pay(api, "/api/v1/policies/AUT-1000002", "10.00", "cancelled")
    assert (status, body["error"]) == (422, "rejected")


async def test_a_payment_to_an_unknown_policy_is_not_found(api: SignedApi) -> None:
    assert (await _pay(api, "/api/v1/policies/AUT-9999999", "10.00", "nobody"))[0] == 404


async def test_receipts_stay_unique_across_a_reset(api: SignedApi) -> None:
    _, first = await _pay(api, MARIA, "10.00", "before")
    await api.admin("POST", "/reset")
    _, second = await _pay(api, MARIA, "10.00", "before")  # same key: the store was reset
    assert first["confirmation"] != second["confirmation"]


async def test_reset_forgets_payments_and_restores_the_replica(
    api: SignedApi,
    replica_url: str,
) -> None:
    before = len(_payment_rows(replica_url, "AUT-1000001"))
    assert (await _pay(api, MARIA, "10.00", "before-reset"))[0] == 200
    status, body = await api.admin("POST", "/reset")
    assert (status, body["status"], body["policyholders"]) == (200, "reset", 60)
    _, billing = await api.get(f"{MARIA}/billing")
    assert billing["balance"] == "412.50"
    assert len(_payment_rows(replica_url, "AUT-1000001")) == before
    engine = create_engine(replica_url)
    with engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(replica_payments)).scalar_one()
    engine.dispose()
    assert total == len(api.sandbox.store.book.payment_rows)
