"""Answer builders: the facts from typed PAS models, written SMS-first."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timezone
from decimal import Decimal

from bot.conversation.answers.billing import (
    autopay_status_text,
    balance_text,
    payment_history_text,
)
from bot.conversation.answers.claims import claim_status_text, stage_words
from bot.conversation.answers.common import pas_unavailable, with_staleness
from bot.conversation.answers.policy import policy_summary_text
from bot.conversation.formatting import as_of, day, mask_policy_number
from bot.money import money
from pas_connector.models import (
    Adjuster,
    Autopay,
    Billing,
    Claim,
    ClaimEvent,
    ClaimTimeline,
    Coverage,
    PaymentRecord,
    Vehicle,
)
from tests.conversation.conftest import MARIA, policy_for

OFF = Autopay(enabled=False, method=None, payment_method_ref=None, draft_day=None)


def billing(**changes) -> Billing:
    base = Billing(
        policy_number="AUT-1000001",
        balance=Decimal("412.50"),
        minimum_due=Decimal("206.25"),
        due_date=date(2026, 12, 5),
        past_due=Decimal("0.00"),
        status="current",
        autopay=OFF,
    )
    return replace(base, **changes)


def test_money_and_dates_are_written_the_house_way():
    assert money(Decimal("1234.5")) == "$1,234.50"
    assert money(Decimal("-84")) == "-$84.00"
    assert day(date(2026, 12, 5)) == "Dec 5, 2026"
    assert mask_policy_number("AUT-1000001") == "AUT-****001"


def test_balance_states_amount_due_date_and_minimum():
    text = balance_text(billing())
    assert "$412.50" in text
    assert "Dec 5, 2026" in text
    assert "$206.25" in text
    assert "past due" not in text
    assert "AUT-1000001" not in text  # masked on SMS


def test_past_due_balance_says_how_much_is_past_due():
    text = balance_text(
        billing(balance=Decimal("144.00"), past_due=Decimal("96.00"), status="past_due")
    )
    assert "$144.00" in text
    assert "$96.00 past due" in text


def test_paid_up_policy_has_no_balance_due():
    assert "no balance due" in balance_text(billing(balance=Decimal("0.00"), status="paid"))


def test_autopay_status_on_and_off():
    on = billing(autopay=Autopay(True, "us_bank_account", "pm_1", 5))
    assert "Autopay is on" in autopay_status_text(on)
    assert "bank account" in autopay_status_text(on)
    assert "5th" in autopay_status_text(on)
    assert "Autopay is off" in autopay_status_text(billing())


def test_payment_history_lists_the_newest_payments_first_up_to_the_limit():
    records = [
        PaymentRecord(
            datetime(2026, m, 5, 15, tzinfo=timezone.utc), Decimal(a), "card", "posted", f"r{m}"
        )
        for m, a in ((7, "100.00"), (9, "206.25"), (8, "150.00"))
    ]
    text = payment_history_text(records, "AUT-1000001", limit=2)
    lines = text.splitlines()
    assert lines[0] == "Your last 2 payments on policy AUT-****001:"
    assert lines[1] == "- Sep 5, 2026: $206.25 (card)"
    assert lines[2] == "- Aug 5, 2026: $150.00 (card)"
    assert "$100.00" not in text


def test_empty_payment_history_says_so():
    assert "don't see any payments" in payment_history_text([], "AUT-1000001", limit=5)


def test_policy_summary_has_line_term_insureds_vehicles_and_key_coverages():
    policy = replace(
        policy_for(MARIA, "AUT-1000001"),
        named_insureds=("Maria Alvarez", "Daniel Alvarez"),
        vehicles=(
            Vehicle("V1", 2021, "Toyota", "RAV4", "VIN1", None),
            Vehicle("V2", 2018, "Honda", "Civic", "VIN2", None),
        ),
        coverages=(
            Coverage("BI", "Bodily Injury Liability", "100,000/300,000", None, Decimal("400")),
            Coverage("COLL", "Collision", None, "500", Decimal("300"), vehicle_id="V1"),
            Coverage("COLL", "Collision", None, "500", Decimal("280"), vehicle_id="V2"),
        ),
    )
    text = policy_summary_text(policy)
    assert text.startswith("Auto policy AUT-****001 (TX): active, Mar 1, 2026 to Mar 1, 2027.")
    assert "Maria Alvarez, Daniel Alvarez" in text
    assert "2021 Toyota RAV4; 2018 Honda Civic" in text
    assert "Bodily Injury Liability 100,000/300,000" in text
    assert text.count("Collision") == 1
    assert "$500 deductible" in text
    assert "$1,843.00" in text


def test_claim_status_has_stage_adjuster_milestones_and_next_step():
    claim = Claim(
        claim_number="CLM-50000001",
        policy_number="AUT-1000001",
        status="open",
        stage="estimate",
        loss_date=date(2026, 10, 28),
        reported_date=date(2026, 10, 29),
        loss_type="Collision",
        description="Rear-ended",
        vehicle_id="V1",
        adjuster=Adjuster("Dana Brooks", "+18005550142", "dana.brooks@example.com"),
        paid_amount=Decimal("0.00"),
        deductible=Decimal("500.00"),
    )
    events = tuple(
        ClaimEvent(datetime(2026, 10, d, 15, tzinfo=timezone.utc), m, desc, nxt)
        for d, m, desc, nxt in (
            (29, "reported", "Claim reported", None),
            (30, "assigned", "Assigned to Dana Brooks", None),
            (31, "inspection", "Vehicle inspected", None),
            (31, "estimate", "Estimate in progress", "Dana will call you with the estimate"),
        )
    )
    text = claim_status_text(claim, ClaimTimeline("CLM-50000001", events))
    assert "CLM-50000001" in text
    assert stage_words("estimate") in text
    assert "Dana Brooks: (800) 555-0142, dana.brooks@example.com" in text
    assert "Claim reported" not in text  # only the last three milestones
    assert "- Oct 31, 2026: Estimate in progress" in text
    assert text.endswith("Next: Dana will call you with the estimate")


def test_stale_data_says_as_of_when_it_was_true():
    fetched = datetime(2026, 11, 25, 20, 41, tzinfo=timezone.utc)  # 2:41 PM in Chicago
    now = datetime(2026, 11, 25, 21, 30, tzinfo=timezone.utc)
    assert as_of(fetched, now) == "as of 2:41 PM"
    text = with_staleness("Balance $412.50.", stale=True, fetched_at=fetched, now=now)
    assert text.startswith("As of 2:41 PM")
    assert with_staleness("Balance.", stale=False, fetched_at=fetched, now=now) == "Balance."
    yesterday = datetime(2026, 11, 26, 21, 30, tzinfo=timezone.utc)
    assert as_of(fetched, yesterday) == "as of Nov 25, 2:41 PM"


def test_unavailable_apology_offers_a_way_forward_and_a_person():
    text = pas_unavailable("+18005550100")
    assert "(800) 555-0100" in text
    assert "AGENT" in text
