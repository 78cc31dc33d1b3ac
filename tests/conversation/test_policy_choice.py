"""Free-text answers to "Which policy is this for?" (SMS and voice have no buttons)."""

from __future__ import annotations

import pytest

from bot.conversation.policy_choice import pick_policy
from pas_connector.models import PolicyRef

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
