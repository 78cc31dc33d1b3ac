"""Free-text answers to "Which policy is this for?" (SMS and voice have no buttons)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.conversation.policy_choice import (
    Ambiguous,
    Choice,
    Chosen,
    NoMatch,
    PolicyFacts,
    VehicleFacts,
    choose_policy,
    pick_policy,
)
from pas_connector.models import Policy, PolicyRef
from tests.documents.persona_data import personas as persona_policies
from tests.support.personas import MARIA

JOSE = [PolicyRef("AUT-1000003", "auto", "active"), PolicyRef("HOM-2000002", "home", "active")]
TWO_CARS = [PolicyRef("AUT-1000003", "auto", "active"), PolicyRef("AUT-1000009", "auto", "active")]


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ("the home one", "HOM-2000002"),
        ("House", "HOM-2000002"),
        ("my car", "AUT-1000003"),
        ("auto pls", "AUT-1000003"),
        ("002", "HOM-2000002"),
        ("the one ending 003", "AUT-1000003"),
        ("HOM-2000002", "HOM-2000002"),
        ("2", "HOM-2000002"),
        ("first", "AUT-1000003"),
        ("the second one", "HOM-2000002"),
        ("I need my home declarations page", "HOM-2000002"),
    ],
)
def test_a_reply_that_names_one_policy_picks_it(reply: str, expected: str) -> None:
    picked = pick_policy(reply, JOSE)
    assert picked is not None and picked.policy_number == expected


@pytest.mark.parametrize(
    "reply",
    [
        "11215",  # a ZIP code is not a policy reference
        "06/18/1979",
        "whichever",
        "both",
        "I have 2 questions about my policy and billing",  # an ordinal inside a sentence
        "5",  # no fifth policy
        "",
    ],
)
def test_a_reply_that_names_no_policy_picks_none(reply: str) -> None:
    assert pick_policy(reply, JOSE) is None


def test_a_line_word_shared_by_two_policies_is_ambiguous() -> None:
    assert pick_policy("my car", TWO_CARS) is None
    picked = pick_policy("the one ending 009", TWO_CARS)
    assert picked is not None and picked.policy_number == "AUT-1000009"


def test_a_single_policy_is_never_picked_from_text() -> None:
    # With one candidate there is no question to answer; the caller uses it directly.
    assert pick_policy("home", JOSE[1:]) is None


# --- choose_policy: typed results against the holder's own policy details --------------------

CAMRY_AND_CIVIC = PolicyFacts(
    "AUT-1000101",
    "auto",
    "active",
    vehicles=(VehicleFacts(2019, "Toyota", "Camry"), VehicleFacts(2016, "Honda", "Civic")),
)
PICKUP = PolicyFacts(
    "AUT-1000244", "auto", "active", vehicles=(VehicleFacts(2021, "Ford", "F-150"),)
)
HOUSE = PolicyFacts("HOM-2000318", "home", "active", addresses=("1820 Kenilworth Ave, Charlotte",))
CONDO = PolicyFacts("HOM-2000455", "home", "active", addresses=("77 Harbor View Dr, Tampa",))
APARTMENT = PolicyFacts(
    "REN-3000612", "renters", "cancelled", addresses=("455 N High St Apt 3C, Columbus",)
)
HOUSEHOLD = (CAMRY_AND_CIVIC, PICKUP, HOUSE, CONDO, APARTMENT)
CAR_AND_HOUSE = (CAMRY_AND_CIVIC, HOUSE)


def chosen_number(choice: Choice[PolicyFacts]) -> str:
    assert isinstance(choice, Chosen), choice
    return choice.item.policy_number


def candidate_numbers(choice: Choice[PolicyFacts]) -> list[str]:
    assert isinstance(choice, Ambiguous), choice
    return [p.policy_number for p in choice.candidates]


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ("the camry", "AUT-1000101"),
        ("my 2019 toyota", "AUT-1000101"),
        ("its for the civc", "AUT-1000101"),  # typo
        ("the honda please", "AUT-1000101"),
        ("twenty sixteen honda", "AUT-1000101"),  # speech to text
        ("the f150", "AUT-1000244"),
        ("F-150", "AUT-1000244"),
        ("the f one fifty", "AUT-1000244"),
        ("my 2021 ford pickup", "AUT-1000244"),
    ],
)
def test_a_vehicle_named_by_year_make_or_model_picks_its_policy(reply: str, expected: str) -> None:
    assert chosen_number(choose_policy(reply, HOUSEHOLD)) == expected


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ("the one on kenilworth", "HOM-2000318"),
        ("charlotte house", "HOM-2000318"),
        ("the tampa condo", "HOM-2000455"),
        ("harbour view", "HOM-2000455"),  # spelling variant
        ("my apartment", "REN-3000612"),
        ("renters insurance", "REN-3000612"),
        ("the rentrs one", "REN-3000612"),  # typo
        ("the tenant policy on high st", "REN-3000612"),
    ],
)
def test_a_property_named_by_line_or_address_picks_its_policy(reply: str, expected: str) -> None:
    assert chosen_number(choose_policy(reply, HOUSEHOLD)) == expected


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ("ending in 244", "AUT-1000244"),
        ("the one that ends in 0244", "AUT-1000244"),
        ("ending in two four four", "AUT-1000244"),
        ("ending in 6 1 2", "REN-3000612"),
        ("it ends with six one two", "REN-3000612"),
        ("hom 2000455", "HOM-2000455"),
        ("HOM2000318", "HOM-2000318"),
        ("policy number two zero zero zero four five five", "HOM-2000455"),
    ],
)
def test_the_last_digits_or_the_whole_number_pick_a_policy(reply: str, expected: str) -> None:
    assert chosen_number(choose_policy(reply, HOUSEHOLD)) == expected


def test_digits_that_end_no_policy_match_nothing() -> None:
    assert isinstance(choose_policy("the one ending in 999", HOUSEHOLD), NoMatch)


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ("the first one", "AUT-1000101"),
        ("number one", "AUT-1000101"),
        ("the top one", "AUT-1000101"),
        ("2nd", "AUT-1000244"),
        ("sorry i meant the second", "AUT-1000244"),
        ("the third one pls", "HOM-2000318"),
        ("the last one", "REN-3000612"),
        ("the bottom one", "REN-3000612"),
    ],
)
def test_an_ordinal_in_a_short_reply_picks_by_position(reply: str, expected: str) -> None:
    assert chosen_number(choose_policy(reply, HOUSEHOLD)) == expected


@pytest.mark.parametrize(
    "reply",
    [
        "well the first one i had was with another company but now i want to change my address",
        "i got 2 tickets last year does that matter",
        "this is the last time i call about this",
    ],
)
def test_an_ordinal_inside_a_sentence_is_not_a_choice(reply: str) -> None:
    assert isinstance(choose_policy(reply, HOUSEHOLD), NoMatch)


def test_a_line_word_shared_by_two_policies_leaves_both_as_candidates() -> None:
    assert candidate_numbers(choose_policy("my car", HOUSEHOLD)) == ["AUT-1000101", "AUT-1000244"]
    assert candidate_numbers(choose_policy("the house", HOUSEHOLD)) == [
        "HOM-2000318",
        "HOM-2000455",
    ]


def test_an_ordinal_after_a_shared_line_word_picks_within_that_line() -> None:
    three = (HOUSE, CAMRY_AND_CIVIC, PICKUP)
    assert chosen_number(choose_policy("the second car", three)) == "AUT-1000244"


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ("the cancelled one", "REN-3000612"),
        ("the canceled policy", "REN-3000612"),
    ],
)
def test_a_status_word_picks_the_policy_in_that_status(reply: str, expected: str) -> None:
    assert chosen_number(choose_policy(reply, HOUSEHOLD)) == expected


def test_a_status_word_shared_by_several_policies_is_ambiguous() -> None:
    assert len(candidate_numbers(choose_policy("the active one", HOUSEHOLD))) == 4


@pytest.mark.parametrize(
    "reply",
    ["not the car, the house", "not the car the house", "the house not the car", "home not auto"],
)
def test_a_negated_choice_rules_its_policy_out(reply: str) -> None:
    assert chosen_number(choose_policy(reply, CAR_AND_HOUSE)) == "HOM-2000318"


def test_a_reply_that_only_rules_one_out_leaves_the_rest() -> None:
    assert chosen_number(choose_policy("not the car one", CAR_AND_HOUSE)) == "HOM-2000318"


@pytest.mark.parametrize(
    "reply",
    ["the other one", "no the other one", "not that one", "wrong one", "a different one"],
)
def test_the_other_one_means_the_policy_not_chosen_before(reply: str) -> None:
    choice = choose_policy(reply, CAR_AND_HOUSE, previous="AUT-1000101")
    assert chosen_number(choice) == "HOM-2000318"


def test_the_other_one_without_a_previous_choice_names_nothing() -> None:
    assert isinstance(choose_policy("the other one", CAR_AND_HOUSE), NoMatch)


def test_the_other_day_is_not_the_other_one() -> None:
    choice = choose_policy(
        "the other day i hit a pole with my car", CAR_AND_HOUSE, previous="AUT-1000101"
    )
    assert chosen_number(choice) == "AUT-1000101"


@pytest.mark.parametrize(
    "reply", ["the tesla", "the boat", "my life insurance", "whatever", "idk", "both", ""]
)
def test_a_reply_naming_none_of_the_holders_policies_is_no_match(reply: str) -> None:
    assert isinstance(choose_policy(reply, HOUSEHOLD), NoMatch)


def test_a_cue_that_contradicts_another_is_no_match() -> None:
    assert isinstance(choose_policy("the camry on kenilworth", HOUSEHOLD), NoMatch)


def test_a_single_policy_is_chosen_when_the_reply_names_it() -> None:
    assert chosen_number(choose_policy("my house", (HOUSE,))) == "HOM-2000318"
    assert isinstance(choose_policy("my car", (HOUSE,)), NoMatch)


def test_money_and_dates_in_a_reply_are_not_policy_digits() -> None:
    endings = (
        PolicyFacts("AUT-1000412", "auto", "active"),
        PolicyFacts("HOM-2000314", "home", "active"),
    )
    assert isinstance(choose_policy("pay $412 on it", endings), NoMatch)
    assert isinstance(choose_policy("from 3/14", endings), NoMatch)


def test_facts_are_built_from_a_pas_policy() -> None:
    policy = personas_policy()
    facts = PolicyFacts.from_policy(policy)
    assert facts.policy_number == policy.policy_number
    assert facts.vehicles == tuple((v.year, v.make, v.model) for v in policy.vehicles)
    assert len(facts.addresses) == len(policy.properties)


def personas_policy() -> Policy:
    _, policy = persona_policies(date(2026, 11, 25))[MARIA.policy_number]
    return policy
