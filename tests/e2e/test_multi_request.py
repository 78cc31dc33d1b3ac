"""Two requests in one text, and a long text, through the signed SMS webhook with the trained
model (channels.requests_in_a_message): both requests are served, the second after verification
when the first needs it; a long accident story reaches the claims team."""

from __future__ import annotations

import pytest

from tests.e2e.test_channels_end_to_end import START_OVER, text
from tests.support.rasa_stack import RasaStack

pytestmark = [pytest.mark.rasa, pytest.mark.slow]

BALANCE = "$412.50"
ID_CARD = "insurance ID card for policy AUT-****001: http"


def test_balance_and_id_card_in_one_text_wait_for_verification_then_both_arrive(
    rasa_stack: RasaStack,
) -> None:
    phone = text(
        rasa_stack, "+15125550101", START_OVER, "what's my balance and also send my ID card",
        "4/12/1985", "78704",
    )  # fmt: skip
    assert "After that, I'll help with your ID card." in phone, phone
    after_verification = phone.split("you're verified", 1)[-1]
    assert BALANCE in after_verification, phone
    assert ID_CARD in after_verification, phone
    assert after_verification.index(BALANCE) < after_verification.index(ID_CARD), "in order"


def test_a_verified_policyholder_asking_two_things_in_one_text_gets_both(
    rasa_stack: RasaStack,
) -> None:
    phone = text(
        rasa_stack, "+17045550102", START_OVER, "policy summary", "09/30/1972", "28203",
        "is autopay on? also send my declarations page",
    )  # fmt: skip
    asked = phone.split("you're verified", 1)[-1]
    assert "autopay" in asked.lower(), phone
    assert "declarations page for policy HOM-****001" in asked, phone
    assert "After that" not in phone, "nothing had to wait"


def test_a_long_accident_story_by_text_is_taken_as_a_claim_report(rasa_stack: RasaStack) -> None:
    story = (
        "So this afternoon I was stopped at a light on Congress Ave and a delivery van backed "
        "right into my front end. Nobody got hurt thank god, but my headlight is busted and the "
        "hood is bent. The driver gave me his company's info. What am I supposed to do next?"
    )
    phone = text(rasa_stack, "+15125550101", story)
    assert "didn't get that" not in phone.lower() and "rephrase" not in phone.lower(), phone
    assert "claim" in phone.lower(), phone
