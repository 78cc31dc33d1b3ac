""" "Did you mean ...?" through the real SMS webhook and voice webhook with the trained model: a
message the NLU is unsure about gets the two best tasks as numbered choices, and the number runs
that task; "none of these" counts toward the way to a person.

Which wording the model is unsure about moves with every retrain, so the test asks the same
model first (in this process) and uses the first of VAGUE that falls back with two tasks on top;
the offer must then name exactly those two tasks, best first.
"""

from __future__ import annotations

import asyncio

import pytest

from bot.conversation.answers.did_you_mean import DID_YOU_MEAN, FALLBACK_INTENT, candidates
from bot.conversation.tasks import Task
from tests.dialogue_suite.checks import PERSON
from tests.dialogue_suite.phones import Reply, SmsPhone, StackClients, place_call
from tests.support.rasa_stack import MODEL

pytestmark = [pytest.mark.rasa, pytest.mark.slow]

# Vague requests a person might send; none is a training example.
VAGUE = (
    "i need car insurance",
    "the paper for my car",
    "something about my payment thing",
    "my insurance stuff",
    "question about the bill on my card",
    "need that thing for the dmv",
    "help with my policy and money",
    "the auto thing",
    "card payment stuff",
    "proof thing",
)


@pytest.fixture(scope="module")
def unsure() -> tuple[str, list[Task]]:
    """The first of VAGUE the trained model falls back on with two tasks on top, and those."""
    from rasa.core.agent import Agent

    agent = Agent.load(str(MODEL))

    async def first_unsure() -> tuple[str, list[Task]] | None:
        for text in VAGUE:
            parsed = await agent.parse_message(text)
            offer = candidates(parsed.get("intent_ranking") or [])
            if parsed["intent"]["name"] == FALLBACK_INTENT and len(offer) == 2:
                return text, offer
        return None

    found = asyncio.run(first_unsure())
    if found is None:
        pytest.fail("the model is sure of every VAGUE text: add vaguer ones")
    return found


def _offer_text(offer: list[Task]) -> str:
    first, second = (task.choice_title for task in offer)
    return f"Reply 1 for {first}, 2 for {second}, or 3 for none of these."


def _starts(task: Task, reply: Reply) -> None:
    """What a task does first for someone the assistant does not know yet."""
    if task.self_service:
        assert "confirm who you are" in reply.text, reply.text
    else:
        assert PERSON(reply) == [], reply.text


def test_an_unsure_text_gets_two_numbered_choices_and_2_runs_the_second(
    clients: StackClients, unsure: tuple[str, list[Task]]
) -> None:
    vague, tasks = unsure
    phone_number = "+17375559900"
    clients.forget_sms_conversation(phone_number)
    try:
        phone = SmsPhone(clients, phone_number)
        offer = phone.send(vague)
        assert DID_YOU_MEAN in offer.text and _offer_text(tasks) in offer.text, offer.text
        _starts(tasks[1], phone.send("2"))
    finally:
        clients.forget_sms_conversation(phone_number)


def test_none_of_these_then_another_miss_reaches_a_person_by_text(
    clients: StackClients, unsure: tuple[str, list[Task]]
) -> None:
    stranger = "+17375559901"
    clients.forget_sms_conversation(stranger)
    try:
        phone = SmsPhone(clients, stranger)
        assert DID_YOU_MEAN in phone.send(unsure[0]).text
        reply = phone.send("3")  # none of these: a second miss in a row
        assert PERSON(reply) == [], reply.text
    finally:
        clients.forget_sms_conversation(stranger)


def test_an_unsure_call_hears_the_choices_and_keys_2(
    clients: StackClients, unsure: tuple[str, list[Task]]
) -> None:
    vague, tasks = unsure
    heard = place_call(clients, "+17375559902", [vague, "2"])
    assert len(heard) >= 3, heard[-1].text
    offer = heard[1].text
    assert "Press 1 for" in offer and "2 for" in offer, offer
    _starts(tasks[1], heard[2])
