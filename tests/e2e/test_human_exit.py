"""The way to a person, as an invariant (issue 13, item 9): wherever the conversation is, asking
for a person, or two messages in a row the assistant does not understand, offers a person (a
handoff reference on SMS, a transfer on a call), and the question that was pending is not asked
again.

"Wherever" is walked, not sampled: every self-service intent (bot/conversation/intents.py)
with its first question pending, every slot a form of domain.yml can ask (the claim choice
form's included), and the policy choice question (its slot, policy_number, is also the
verification form's). A new form slot without a way to reach it here fails the test that
checks the walk is complete. States that involve verification use generated (non-persona)
policyholders, so answers that are not understood never count against a persona.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from bot.conversation.intents import SELF_SERVICE_INTENTS
from tests.dialogue_suite.checks import PERSON, Check, has, lacks
from tests.dialogue_suite.phones import Reply, SmsPhone, StackClients, place_call
from tests.e2e.conftest import FRESH_HOLDERS, Holder
from tests.support.personas import JAMES, JOSE, MARIA
from tests.support.servers import PROJECT_ROOT

pytestmark = [pytest.mark.rasa, pytest.mark.slow]

DOMAIN = yaml.safe_load(Path(PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))

# How a person asks for each self-service task.
ASKS_FOR = {
    "request_id_card": "send me my id card",
    "request_declarations": "i need my declarations page",
    "request_certificate": "i need a certificate of insurance",
    "check_balance": "what is my balance",
    "payment_history": "show my payment history",
    "make_payment": "i want to make a payment",
    "autopay_enroll": "sign me up for autopay",
    "autopay_cancel": "turn off my autopay",
    "autopay_status": "is autopay on",
    "update_payment_method": "update my payment method",
    "claim_status": "what is the status of my claim",
    "policy_summary": "give me a summary of my policy",
    "cancellation_status": "has my coverage been cancelled",
}
# The words of each question, to see it asked (and not asked again after the exit).
QUESTION = {
    "date_of_birth": "date of birth",
    "zip_code": "ZIP",
    "policy_number": "policy number",
    "one_time_code": "6-digit code",
    "org_name": "made out to",
    "org_address": "mailing address",
    "amount": "how much",
    # the choice forms (policy_choice_form's slot is policy_number, asked by verification too)
    "policy_choice": "which one",
    "claim_number": "which one",
}
WORD_EXITS = ("agent", "representative", "talk to a person")
NOT_UNDERSTOOD = ("asdf qwer", "zzzz ??")


def form_slots() -> list[str]:
    """Every slot a form of domain.yml asks, in order."""
    slots: list[str] = []
    for form in (DOMAIN.get("forms") or {}).values():
        required = (form or {}).get("required_slots") or []
        names = list(required) if isinstance(required, list) else list(required.keys())
        slots.extend(name for name in names if name not in slots)
    return slots


@pytest.fixture(scope="module")
def holders(generated_holders: list[Holder]) -> Iterator[Holder]:
    """An endless supply of generated policyholders (one per test: no shared state). The last
    FRESH_HOLDERS are left to tests that need a holder nobody asked about."""
    return itertools.cycle(generated_holders[:-FRESH_HOLDERS])


_strangers = itertools.count(1)


def stranger() -> str:
    return f"+1737555{8000 + next(_strangers):04d}"


@dataclass(frozen=True)
class Route:
    """How to bring a conversation to a state: who speaks and what, and the pending question."""

    phone: str
    lines: list[str | Callable[[], str]]
    question: str


def route_to(state: str, holder: Holder, *, voice: bool) -> Route:
    """The lines that leave ``state``'s question pending (``intent:<name>`` or a slot)."""
    dob = "#" + holder.date_of_birth.replace("/", "") if voice else holder.date_of_birth
    zip_code = "#" + holder.zip_code if voice else holder.zip_code
    if state.startswith("intent:"):
        return Route(holder.phone, [ASKS_FOR[state[7:]]], QUESTION["date_of_birth"])
    if state == "date_of_birth":
        return Route(holder.phone, [ASKS_FOR["check_balance"]], QUESTION[state])
    if state == "zip_code":
        return Route(holder.phone, [ASKS_FOR["check_balance"], dob], QUESTION[state])
    if state == "policy_number":
        return Route(stranger(), [ASKS_FOR["check_balance"]], QUESTION[state])
    if state == "one_time_code":
        number = holder.policy_number[-7:] if voice else holder.policy_number
        lines: list[str | Callable[[], str]] = [
            ASKS_FOR["check_balance"],
            "#" + number if voice else number,
            dob,
            zip_code,
        ]
        return Route(stranger(), lines, QUESTION[state])
    if state in ("org_name", "org_address"):
        lines = [ASKS_FOR["request_certificate"], JAMES.date_of_birth_typed, JAMES.zip]
        if state == "org_address":
            lines.append("Carolina Fence Company")
        return Route(JAMES.phone, lines, QUESTION[state])
    if state == "amount":
        lines = [ASKS_FOR["make_payment"], MARIA.date_of_birth_typed, MARIA.zip]
        return Route(MARIA.phone, lines, QUESTION[state])
    if state == "policy_choice":
        lines = [ASKS_FOR["check_balance"], JOSE.date_of_birth_typed, JOSE.zip]
        return Route(JOSE.phone, lines, QUESTION[state])
    if state == "claim_number":  # claim_choice_form
        lines = [ASKS_FOR["claim_status"], JOSE.date_of_birth_typed, JOSE.zip]
        return Route(JOSE.phone, lines, QUESTION[state])
    raise AssertionError(f"no route to {state!r}: add one to route_to")


STATES = [f"intent:{intent}" for intent in SELF_SERVICE_INTENTS] + [*form_slots(), "policy_choice"]
# States a caller reaches by keys and speech alone (certificates and payments by text only).
VOICE_STATES = [s for s in STATES if s.startswith("intent:")] + [
    s for s in ("date_of_birth", "zip_code", "policy_number", "one_time_code") if s in STATES
]
CASES = [
    pytest.param(state, WORD_EXITS[i % len(WORD_EXITS)], id=f"{state}-{WORD_EXITS[i % 3]}")
    for i, state in enumerate(STATES)
]


def test_every_form_slot_and_intent_has_a_route() -> None:
    missing = [slot for slot in form_slots() if slot not in QUESTION]
    assert not missing, f"form slots with no route in this test: {missing}"
    assert set(ASKS_FOR) == set(SELF_SERVICE_INTENTS)


def _texts(clients: StackClients, route: Route, exits: list[str]) -> list[Reply]:
    clients.forget_sms_conversation(route.phone)
    try:
        phone = SmsPhone(clients, route.phone)
        replies = [phone.send(line() if callable(line) else line) for line in route.lines]
        replies += [phone.send(line) for line in exits]
        return replies
    finally:
        clients.forget_sms_conversation(route.phone)


def _check(reply: Reply, check: Check, transcript: list[Reply]) -> None:
    problems = check(reply)
    rendered = "\n---\n".join(r.everything for r in transcript)
    assert not problems, f"{problems}\n{rendered}"


@pytest.mark.parametrize(("state", "exit_line"), CASES)
def test_asking_for_a_person_by_text_offers_one_and_drops_the_question(
    state: str, exit_line: str, clients: StackClients, holders: Iterator[Holder]
) -> None:
    route = route_to(state, next(holders), voice=False)
    replies = _texts(clients, route, [exit_line])
    _check(replies[-2], has(route.question), replies)  # the state was reached
    _check(replies[-1], PERSON & lacks(route.question), replies)


@pytest.mark.parametrize("state", STATES)
def test_two_texts_not_understood_in_a_row_offer_a_person_and_drop_the_question(
    state: str, clients: StackClients, holders: Iterator[Holder]
) -> None:
    route = route_to(state, next(holders), voice=False)
    replies = _texts(clients, route, list(NOT_UNDERSTOOD))
    _check(replies[-3], has(route.question), replies)
    _check(replies[-1], PERSON & lacks(route.question), replies)


@pytest.mark.parametrize("state", VOICE_STATES)
def test_zero_on_the_keypad_transfers_the_call_and_drops_the_question(
    state: str, clients: StackClients, holders: Iterator[Holder]
) -> None:
    holder = next(holders)
    route = route_to(state, holder, voice=True)
    heard = place_call(clients, route.phone, [*route.lines, "0"])
    steps = len(route.lines)
    assert len(heard) > steps + 1, "the call ended before 0 was pressed:\n" + heard[-1].text
    _check(heard[steps], has(route.question), heard)
    _check(heard[steps + 1], has("transferred") & lacks(route.question), heard)
