""" "Did you mean ...?" through the real SMS webhook and voice webhook with the trained model: a
message the NLU is unsure about gets the two best tasks as numbered choices, and the number runs
that task; "none of these" counts toward the way to a person.

AMBIGUOUS is chosen so the trained model falls back with two tasks on top (its ranking is
printed by the failure message when a retrain moves it).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from bot.conversation.answers.did_you_mean import DID_YOU_MEAN
from bot.conversation.tasks import task_for
from bot.settings import Settings
from pas_sandbox.dataset import generate
from pas_sandbox.personas import personas_json
from tests.dialogue_suite.checks import PERSON
from tests.dialogue_suite.phones import SmsPhone, StackClients, place_call
from tests.support.rasa_stack import RasaStack
from tests.support.servers import SandboxHandle

pytestmark = [pytest.mark.rasa, pytest.mark.slow]

SANDBOX_POLICYHOLDERS = 60  # what tests/support/servers.start_sandbox seeds
# An unsure parse whose two best intents are tasks, and those tasks, best first.
AMBIGUOUS = "claims"
FIRST, SECOND = "report_claim", "claim_status"
# What the second task's answer says once the holder is verified (the first, a routed task,
# would give the claims line at once, without verification).
SECOND_ANSWERS = "claim"
CLAIMS_LINE = "(800) 555-0199"


@pytest.fixture(scope="module")
def clients(rasa_stack: RasaStack) -> Iterator[StackClients]:
    stack_clients = StackClients(rasa_stack)
    try:
        yield stack_clients
    finally:
        stack_clients.close()


@pytest.fixture(scope="module")
def holder(sandbox_session: SandboxHandle) -> tuple[str, str, str]:
    """A generated (non-persona) policyholder: phone, date of birth as typed, ZIP."""
    book = generate(
        Settings.from_env({}).sandbox.seed,
        SANDBOX_POLICYHOLDERS,
        date.fromisoformat(sandbox_session.as_of),
    )
    personas = {p["holder_id"] for p in personas_json()}
    found = [h for h in book.holders.values() if h.holder_id not in personas and h.policy_numbers]
    h = found[-1]
    return h.phone, h.date_of_birth.strftime("%m/%d/%Y"), h.address.zip


def _offer_text(first: str, second: str) -> str:
    titles = [task_for(first).choice_title, task_for(second).choice_title]  # type: ignore[union-attr]
    return f"Reply 1 for {titles[0]}, 2 for {titles[1]}, or 3 for none of these."


def test_an_unsure_text_gets_two_numbered_choices_and_2_runs_the_second(
    clients: StackClients, holder: tuple[str, str, str]
) -> None:
    phone_number, dob, zip_code = holder
    clients.forget_sms_conversation(phone_number)
    try:
        phone = SmsPhone(clients, phone_number)
        offer = phone.send(AMBIGUOUS)
        assert DID_YOU_MEAN in offer.text and _offer_text(FIRST, SECOND) in offer.text, offer.text
        asked = phone.send("2")
        # the second task starts, with verification (not the first: the claims line at once)
        assert "date of birth" in asked.text and CLAIMS_LINE not in asked.text, asked.text
        assert "ZIP" in phone.send(dob).text
        answer = phone.send(zip_code)
        assert "verified" in answer.text and SECOND_ANSWERS in answer.text.lower(), answer.text
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
    # the second task starts: an unknown caller is asked to prove who they are
    assert "policy number" in heard[2].text or "date of birth" in heard[2].text, heard[2].text
