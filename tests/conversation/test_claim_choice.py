"""Free-text answers to "Which claim?": by loss type, line, date, status, position or number."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from bot.conversation.claim_choice import choose_claim
from bot.conversation.policy_choice import Ambiguous, Choice, Chosen, NoMatch, VehicleFacts
from pas_connector.models import Claim

TODAY = date(2026, 11, 25)  # a Wednesday


def claim(number: str, policy: str, status: str, days_ago: int, loss_type: str, text: str) -> Claim:
    when = TODAY - timedelta(days=days_ago)
    return Claim(
        claim_number=number,
        policy_number=policy,
        status=status,
        stage="closed" if status == "closed" else "inspection",
        loss_date=when,
        reported_date=when,
        loss_type=loss_type,
        description=text,
        vehicle_id="V1" if policy.startswith("AUT") else None,
        adjuster=None,
        paid_amount=Decimal("0.00"),
        deductible=None,
    )


GLASS = claim("CLM-50000103", "AUT-1000777", "open", 9, "Glass", "Windshield cracked by a stone.")
HAIL = claim("CLM-50000204", "HOM-2000888", "open", 20, "Wind/hail", "Storm lifted the roof.")
LEAK = claim("CLM-50000311", "HOM-2000888", "closed", 250, "Water damage", "Washer hose burst.")
CRASH = claim("CLM-50000422", "AUT-1000777", "closed", 400, "Collision", "Rear-ended at a light.")
CLAIMS = (GLASS, HAIL, LEAK, CRASH)
LINES = {"AUT-1000777": "auto", "HOM-2000888": "home"}
VEHICLES = {("AUT-1000777", "V1"): VehicleFacts(2018, "Subaru", "Outback")}


def choose(reply: str, previous: str | None = None) -> Choice[Claim]:
    return choose_claim(
        reply, CLAIMS, today=TODAY, lines=LINES, vehicles=VEHICLES, previous=previous
    )


def chosen_number(choice: Choice[Claim]) -> str:
    assert isinstance(choice, Chosen), choice
    return choice.item.claim_number


def candidate_numbers(choice: Choice[Claim]) -> list[str]:
    assert isinstance(choice, Ambiguous), choice
    return [c.claim_number for c in choice.candidates]


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ("the windshield one", "CLM-50000103"),
        ("glass claim", "CLM-50000103"),
        ("the windsheild", "CLM-50000103"),  # typo
        ("the hail claim", "CLM-50000204"),
        ("HAIL DAMAGE", "CLM-50000204"),
        ("the one from the storm", "CLM-50000204"),
        ("wind", "CLM-50000204"),
        ("the water leak", "CLM-50000311"),
        ("the pipe that burst", "CLM-50000311"),
        ("flooding", "CLM-50000311"),
        ("the fender bender", "CLM-50000422"),
        ("my car accident", "CLM-50000422"),
        ("the crash", "CLM-50000422"),
    ],
)
def test_a_claim_type_in_words_picks_the_claim_of_that_loss_type(reply: str, expected: str) -> None:
    assert chosen_number(choose(reply)) == expected


@pytest.mark.parametrize("reply", ["the fire one", "the theft", "the one where my bike got stolen"])
def test_a_claim_type_the_holder_has_no_claim_of_is_no_match(reply: str) -> None:
    assert isinstance(choose(reply), NoMatch)


def test_the_line_a_claim_belongs_to_names_its_claims() -> None:
    assert candidate_numbers(choose("the car claim")) == ["CLM-50000103", "CLM-50000422"]
    assert candidate_numbers(choose("the home one")) == ["CLM-50000204", "CLM-50000311"]


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ("the open car claim", "CLM-50000103"),
        ("the closed house claim", "CLM-50000311"),
        ("the outback windshield", "CLM-50000103"),
    ],
)
def test_cues_together_narrow_to_one_claim(reply: str, expected: str) -> None:
    assert chosen_number(choose(reply)) == expected


def test_open_or_closed_names_the_claims_in_that_status() -> None:
    assert candidate_numbers(choose("the open one")) == ["CLM-50000103", "CLM-50000204"]
    assert candidate_numbers(choose("the ones that are closed")) == ["CLM-50000311", "CLM-50000422"]


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ("last week's", "CLM-50000103"),
        ("the one from last week", "CLM-50000103"),
        ("the november 16 one", "CLM-50000103"),
        ("from 11/16", "CLM-50000103"),
        ("the 16th of november", "CLM-50000103"),
        ("nov 5th", "CLM-50000204"),
        ("from the 5th", "CLM-50000204"),
        ("the one from a couple weeks ago", "CLM-50000204"),
        ("the one 3 weeks ago", "CLM-50000204"),
        ("the one from march", "CLM-50000311"),
        ("the crash last year", "CLM-50000422"),
        ("the most recent one", "CLM-50000103"),
        ("the oldest", "CLM-50000422"),
    ],
)
def test_a_loss_date_in_words_picks_the_claim_of_that_date(reply: str, expected: str) -> None:
    assert chosen_number(choose(reply)) == expected


def test_a_date_no_claim_has_is_no_match() -> None:
    assert isinstance(choose("the one from may"), NoMatch)
    assert isinstance(choose("from 3/14"), NoMatch)


def test_may_as_a_verb_is_not_a_month() -> None:
    assert isinstance(choose("may i see the status please"), NoMatch)


def test_a_misremembered_date_gives_way_to_a_clear_claim_type() -> None:
    assert chosen_number(choose("the hail claim from last week")) == "CLM-50000204"


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ("ending 204", "CLM-50000204"),
        ("the one ending in 0 3 1 1", "CLM-50000311"),
        ("ending in four two two", "CLM-50000422"),
        ("50000103", "CLM-50000103"),
        ("clm-50000204", "CLM-50000204"),
    ],
)
def test_the_claim_numbers_last_digits_pick_it(reply: str, expected: str) -> None:
    assert chosen_number(choose(reply)) == expected


@pytest.mark.parametrize(
    ("reply", "expected"),
    [("the second one", "CLM-50000204"), ("3", "CLM-50000311"), ("the last one", "CLM-50000422")],
)
def test_an_ordinal_in_a_short_reply_picks_by_position(reply: str, expected: str) -> None:
    assert chosen_number(choose(reply)) == expected


def test_an_ordinal_inside_a_long_message_is_not_a_choice() -> None:
    reply = "the first one i ever filed took forever and i want to know why this takes so long"
    assert isinstance(choose(reply), NoMatch)


def test_the_other_one_leaves_the_claims_not_chosen_before() -> None:
    two = (GLASS, HAIL)
    choice = choose_claim("no the other one", two, today=TODAY, previous="CLM-50000103")
    assert chosen_number(choice) == "CLM-50000204"
    assert len(candidate_numbers(choose("the other one", previous="CLM-50000103"))) == 3


def test_a_negated_claim_type_rules_that_claim_out() -> None:
    two = (GLASS, HAIL)
    assert chosen_number(choose_claim("not the glass one", two, today=TODAY)) == "CLM-50000204"


def test_a_word_from_the_claims_own_description_names_it() -> None:
    assert chosen_number(choose("the roof one")) == "CLM-50000204"
    assert chosen_number(choose("the washer")) == "CLM-50000311"


def test_a_loss_type_not_in_the_word_list_is_named_by_its_own_words() -> None:
    mold = claim("CLM-50000999", "HOM-2000888", "open", 4, "Mold", "Mold behind the bathroom wall.")
    choice = choose_claim("the mold claim", (HAIL, mold), today=TODAY)
    assert chosen_number(choice) == "CLM-50000999"
