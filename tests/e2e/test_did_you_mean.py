""" "Did you mean ...?" through the real SMS webhook and voice webhook with the trained model: a
message the NLU is unsure about gets the two best tasks as numbered choices, and the number runs
that task; "none of these" counts toward the way to a person.

AMBIGUOUS is chosen so the trained model falls back with two tasks on top; a retrain can move
its ranking (the offer's text in the failure message shows what it offers then).
"""

from __future__ import annotations

import pytest

from bot.conversation.answers.did_you_mean import DID_YOU_MEAN
from bot.conversation.tasks import task_for
from tests.dialogue_suite.checks import PERSON
from tests.dialogue_suite.phones import SmsPhone, StackClients, place_call

pytestmark = [pytest.mark.rasa, pytest.mark.slow]

# An unsure parse whose two best intents are tasks, and those tasks, best first: an existing
# customer's ID card or a prospect's quote (docs/dialogue-contract.md, the get_quote boundary).
AMBIGUOUS = "i need car insurance"
FIRST, SECOND = "request_id_card", "get_quote"


def _offer_text(first: str, second: str) -> str:
    titles = [task_for(first).choice_title, task_for(second).choice_title]  # type: ignore[union-attr]
    return f"Reply 1 for {titles[0]}, 2 for {titles[1]}, or 3 for none of these."


def test_an_unsure_text_gets_two_numbered_choices_and_2_runs_the_second(
    clients: StackClients,
) -> None:
    phone_number = "+17375559900"
    clients.forget_sms_conversation(phone_number)
    try:
        phone = SmsPhone(clients, phone_number)
        offer = phone.send(AMBIGUOUS)
        assert DID_YOU_MEAN in offer.text and _offer_text(FIRST, SECOND) in offer.text, offer.text
        answer = phone.send("2")
        # the quote: sales, with a reference (the ID card would ask who they are first)
        assert "quote for auto insurance" in answer.text and PERSON(answer) == [], answer.text
        assert "date of birth" not in answer.text and "policy number" not in answer.text
    finally:
        clients.forget_sms_conversation(phone_number)


def test_none_of_these_then_another_miss_reaches_a_person_by_text(clients: StackClients) -> None:
    stranger = "+17375559901"
    clients.forget_sms_conversation(stranger)
    try:
        phone = SmsPhone(clients, stranger)
        assert DID_YOU_MEAN in phone.send(AMBIGUOUS).text
        reply = phone.send("3")  # none of these: a second miss in a row
        assert PERSON(reply) == [], reply.text
    finally:
        clients.forget_sms_conversation(stranger)


def test_an_unsure_call_hears_the_choices_and_keys_2(clients: StackClients) -> None:
    heard = place_call(clients, "+17375559902", [AMBIGUOUS, "2"])
    assert len(heard) >= 3, heard[-1].text
    offer = heard[1].text
    assert "Press 1 for" in offer and "2 for" in offer, offer
    assert "quote for auto insurance" in heard[2].text, heard[2].text
