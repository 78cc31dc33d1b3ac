"""Deterministic, realistic generated data."""

from __future__ import annotations

import hashlib
import sqlite3
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import phonenumbers
import pytest

from pas_sandbox.book import Book
from pas_sandbox.claim_stages import STAGES
from pas_sandbox.dataset import generate
from pas_sandbox.personas import PERSONA_PHONES
from pas_sandbox.replica import Replica
from pas_sandbox.vin import is_valid_vin

AS_OF = date(2026, 11, 25)


@pytest.fixture(scope="module")
def book() -> Book:
    return generate(20261125, 2000, AS_OF)


def _replica_dump(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return "\n".join(conn.iterdump())
    finally:
        conn.close()


def test_the_same_seed_and_day_give_byte_identical_data(tmp_path: Path) -> None:
    first = generate(42, 300, AS_OF)
    second = generate(42, 300, AS_OF)
    assert first.canonical_json() == second.canonical_json()
    for name, book in (("a.sqlite", first), ("b.sqlite", second)):
        replica = Replica.from_url(f"sqlite:///{tmp_path / name}")
        replica.reseed(book)
        replica.dispose()
    dump_a, dump_b = _replica_dump(tmp_path / "a.sqlite"), _replica_dump(tmp_path / "b.sqlite")
    assert hashlib.sha256(dump_a.encode()).digest() == hashlib.sha256(dump_b.encode()).digest()
    assert 'INSERT INTO "replica_payments"' in dump_a


def test_another_seed_gives_other_generated_holders_but_the_same_personas() -> None:
    a, b = generate(1, 40, AS_OF), generate(2, 40, AS_OF)
    assert a.holders["H0000006"].to_json() != b.holders["H0000006"].to_json()
    for persona in ("H0000001", "H0000002", "H0000003", "H0000004", "H0000005"):
        assert a.holders[persona].to_json() == b.holders[persona].to_json()
    assert a.policies["AUT-1000001"].to_json() == b.policies["AUT-1000001"].to_json()


def test_a_later_as_of_shifts_the_dates_with_it() -> None:
    now, later = generate(5, 20, AS_OF), generate(5, 20, AS_OF + timedelta(days=30))
    assert later.claims["CLM-50000001"].loss_date - now.claims[
        "CLM-50000001"
    ].loss_date == timedelta(days=30)
    assert later.policies["AUT-1000001"].billing.due_date == AS_OF + timedelta(days=40)
    for book, day in ((now, AS_OF), (later, AS_OF + timedelta(days=30))):
        for policy in book.policies.values():
            assert policy.effective_date <= day
            if policy.status in ("active", "pending_cancel"):
                assert policy.expiration_date > day


def test_a_larger_book_extends_a_smaller_one() -> None:
    small, large = generate(9, 50, AS_OF), generate(9, 120, AS_OF)
    for holder_id, holder in small.holders.items():
        assert large.holders[holder_id].to_json() == holder.to_json()
    for number, policy in small.policies.items():
        assert large.policies[number].to_json() == policy.to_json()


def test_the_count_includes_the_personas_and_ids_are_sequential(book: Book) -> None:
    assert len(book.holders) == 2000
    assert list(book.holders)[:7] == [f"H000000{i}" for i in range(1, 8)]
    assert list(book.holders)[-1] == "H0002000"
    autos = sorted(n for n in book.policies if n.startswith("AUT-"))
    assert autos[:4] == ["AUT-1000001", "AUT-1000002", "AUT-1000003", "AUT-1000004"]
    assert "HOM-2000003" in book.policies and "REN-3000002" in book.policies
    assert "CLM-50000005" in book.claims
    with pytest.raises(ValueError, match="at least 5"):
        generate(1, 4, AS_OF)


def test_the_mix_of_lines_states_claims_and_autopay_is_realistic(book: Book) -> None:
    per_holder = Counter(len(h.policy_numbers) for h in book.holders.values())
    assert set(per_holder) == {1, 2}
    assert 0.25 <= per_holder[2] / len(book.holders) <= 0.45
    lines = Counter(p.line for p in book.policies.values())
    total = sum(lines.values())
    assert 0.50 <= lines["auto"] / total <= 0.60
    assert 0.25 <= lines["home"] / total <= 0.35
    assert 0.11 <= lines["renters"] / total <= 0.19
    states = Counter(p.state for p in book.policies.values())
    assert states["TX"] > states["OH"] and states["NY"] > states["SC"]
    assert len(states) >= 20
    claim_rate = len(book.claims) / len(book.policies)
    assert 0.12 <= claim_rate <= 0.18
    autopay = sum(p.billing.autopay.enabled for p in book.policies.values()) / total
    assert 0.2 <= autopay <= 0.45
    statuses = Counter(p.status for p in book.policies.values())
    assert statuses["active"] > 0.8 * total and statuses["cancelled"] > 0
    assert Counter(p.billing.status for p in book.policies.values())["past_due"] > 0


def test_phones_are_unique_valid_and_never_a_personas(book: Book) -> None:
    phones = [h.phone for h in book.holders.values()]
    assert len(set(phones)) == len(phones)
    generated = phones[5:]
    assert not set(generated) & set(PERSONA_PHONES)
    for phone in phones:
        number = phonenumbers.parse(phone)
        assert phonenumbers.is_valid_number(number), phone
        assert phonenumbers.region_code_for_number(number) == "US"
    # 2,000 holders fit in the fictional 555-0100..0199 range.
    assert all(p[5:9] == "5550" and 100 <= int(p[8:]) <= 199 for p in generated)


def test_vehicles_have_valid_vins_and_auto_policies_have_full_coverages(book: Book) -> None:
    autos = [p for p in book.policies.values() if p.line == "auto"]
    assert Counter(len(p.vehicles) for p in autos).keys() == {1, 2, 3}
    for policy in autos:
        codes = {c.code for c in policy.coverages if c.vehicle_id is None}
        assert {"BI", "PD", "UM/UIM"} <= codes
        assert len(codes & {"MP", "PIP"}) == 1
        for vehicle in policy.vehicles:
            assert is_valid_vin(vehicle.vin), vehicle.vin
            own = {c.code: c for c in policy.coverages if c.vehicle_id == vehicle.vehicle_id}
            if vehicle.lienholder is not None:
                assert {"COMP", "COLL"} <= set(own)
            for code in ("COMP", "COLL"):
                if code in own:
                    assert own[code].deductible in ("250", "500", "1,000")
        assert policy.drivers[0].relationship == "named_insured"
        assert policy.forms[0] == "PP 00 01 09 18"
    assert any(c.code == "PIP" for p in autos if p.state == "NY" for c in p.coverages)


def test_home_and_renters_policies_carry_their_coverage_parts(book: Book) -> None:
    homes = [p for p in book.policies.values() if p.line == "home"]
    renters = [p for p in book.policies.values() if p.line == "renters"]
    for policy in homes:
        codes = [c.code for c in policy.coverages]
        assert codes[:6] == ["A", "B", "C", "D", "E", "F"]
        assert policy.coverages[0].deductible  # all-peril deductible on Coverage A
    wind = [c.deductible for p in homes for c in p.coverages if c.code == "WH"]
    assert wind and all(d in ("1%", "2%", "5%") for d in wind)
    assert {p.state for p in homes if any(c.code == "WH" for c in p.coverages)} >= {"TX", "FL"}
    assert any(p.properties[0].mortgagee for p in homes)
    for policy in renters:
        assert [c.code for c in policy.coverages] == ["C", "E", "F"]
        assert policy.properties[0].mortgagee is None
        assert "Apt" in policy.mailing_address.street


def test_premiums_discounts_and_billing_add_up(book: Book) -> None:
    for policy in book.policies.values():
        payload = policy.to_json()
        total = sum(Decimal(c["premium"]) for c in payload["coverages"]) + sum(
            Decimal(d["amount"]) for d in payload["discounts"]
        )
        assert str(total) == payload["total_premium"]
        assert all(Decimal(d["amount"]) < 0 for d in payload["discounts"])
        billing = policy.billing
        assert 0 <= billing.past_due_cents <= billing.balance_cents
        assert billing.minimum_due_cents <= billing.balance_cents
        if billing.status == "past_due":
            assert billing.past_due_cents > 0 and billing.due_date < AS_OF
        if billing.status == "current":
            assert billing.due_date is not None and billing.due_date >= AS_OF
        if policy.status == "cancelled":
            assert billing.status == "cancelled" and not billing.autopay.enabled
    for row in book.payment_rows:
        assert row.amount_cents > 0 and row.posted_at.date() <= AS_OF


def test_claim_timelines_end_at_the_claims_stage_and_only_move_forward(book: Book) -> None:
    events: dict[str, list] = {}
    for row in book.claim_event_rows:
        events.setdefault(row.claim_number, []).append(row)
    assert set(events) == set(book.claims)
    for number, claim in book.claims.items():
        timeline = events[number]
        assert [e.milestone for e in timeline] == list(STAGES[: STAGES.index(claim.stage) + 1])
        moments = [e.occurred_at for e in timeline]
        assert moments == sorted(moments)
        assert (claim.status == "closed") == (claim.stage == "closed")
        assert (timeline[-1].next_action is None) == (claim.stage == "closed")
        assert (claim.adjuster is None) == (claim.stage == "reported")
        if claim.stage in ("payment_issued", "closed") and claim.paid_cents:
            assert claim.paid_cents == claim.estimate_cents - (claim.deductible_cents or 0)
    assert any(c.status == "closed" and c.paid_cents == 0 for c in book.claims.values())


def test_the_phone_index_has_one_row_per_phone_and_policy(book: Book) -> None:
    rows = book.phone_index_rows()
    assert len(rows) == len(book.policies)
    assert len({(r["phone_e164"], r["policy_number"]) for r in rows}) == len(rows)
