"""A reply right after an answer: a change of mind, a plain decline, or a new request."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.conversation.corrections import (
    AfterAnswer,
    amount_correction,
    is_change_of_mind,
    is_decline,
    read_after_answer,
)


@pytest.mark.parametrize(
    "reply",
    [
        "no, the other one",
        "actually the home policy",
        "I meant my car",
        "not that one, the condo",
        "sorry, I meant the second",
        "no wait, the hail claim",
        "make that the truck",
        "nah the camry",
        "no the 2nd",
        "oops i meant the apartment",
        "No I said house",
        "no not the car the house",
        "wait no the one ending 004",
        "actualy the renters",  # typo
        "um no the civic one",
        "no its for my toyota",
        "no the one ending in zero zero two",  # speech to text
        "sorry the closed claim",
        "switch to the auto policy",
    ],
)
def test_a_marker_with_a_new_choice_is_a_change_of_mind(reply: str) -> None:
    result = read_after_answer(reply)
    assert result.kind is AfterAnswer.CHANGE_OF_MIND
    assert result.names_a_choice


@pytest.mark.parametrize(
    "reply", ["wrong one", "thats the wrong policy", "not that one", "my bad wrong claim"]
)
def test_rejecting_the_answer_without_a_new_choice_is_a_change_of_mind(reply: str) -> None:
    result = read_after_answer(reply)
    assert result.kind is AfterAnswer.CHANGE_OF_MIND
    assert not result.names_a_choice


@pytest.mark.parametrize(
    "reply",
    [
        "no",
        "No.",
        "no thanks",
        "No thank you!",
        "nope",
        "no im good",
        "no that's all",
        "nah im good thanks",
        "no, I'm all set",
        "never mind",
    ],
)
def test_a_plain_no_is_a_decline_not_a_correction(reply: str) -> None:
    assert is_decline(reply)
    assert not is_change_of_mind(reply)


@pytest.mark.parametrize(
    "reply",
    [
        "I want to pay my bill",
        "what's my balance",
        "actually can I get my id card too",
        "actually can i pay my car bill",
        "no, I want to talk to an agent",
        "can I pay with a card instead",
        "I mean I need to report a claim",
        "how do I add a driver",
        "thanks",
        "yes",
        "hmm ok",
        "",
    ],
)
def test_a_new_request_or_anything_else_is_not_a_correction(reply: str) -> None:
    assert read_after_answer(reply).kind is AfterAnswer.OTHER


def test_a_bare_choice_without_a_marker_is_left_to_the_choosers() -> None:
    # Conservative: with no correction marker, "the home one" is not read as a change of mind.
    assert not is_change_of_mind("the home one")


@pytest.mark.parametrize(
    ("reply", "amount"),
    [
        ("wait make it 75", Decimal("75.00")),
        ("actually 80 instead", Decimal("80.00")),
        ("no 60", Decimal("60.00")),
        ("sorry I meant a hundred and fifty", Decimal("150.00")),
        ("change that to $95.50", Decimal("95.50")),
        ("oops should be two hundred", Decimal("200.00")),
        ("can you make it the full balance", "full"),
    ],
)
def test_a_new_amount_with_a_change_of_mind_corrects_the_payment(reply, amount):
    assert amount_correction(reply) == amount


@pytest.mark.parametrize(
    "reply",
    [
        "75",  # a bare number says no change of mind
        "make it one fifty",  # $150 or $1.50: asked, not guessed
        "wait make it 50 or 60",
        "no make it 75 and send my id card",  # another request too
        "thanks",
        "actually the home one",
    ],
)
def test_anything_else_is_no_amount_correction(reply):
    assert amount_correction(reply) is None
