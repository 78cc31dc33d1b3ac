"""Choosing a policy or a claim: two Rasa forms, ``policy_choice_form`` and ``claim_choice_form``.

A task for a holder with several eligible policies (or a status request with several claims)
activates the form (``actions.tasks.choose_policy`` / ``choose_claim``). The form asks with one
button per item (``action_ask_<form>_<slot>``) and its validator reads each answer:

- a button, a typed number, or words that name exactly one of the offered items ("the condo
  one", "my 2019 camry", "ending 002", "the hail claim", "the second one") fill the slot, and
  the rule for a completed form resumes the pending task;
- a number that is not the holder's gets the same answer whether it exists or not, and the
  question again (not a miss);
- an answer that names none is a miss: "which one?" is asked again, and the second miss in a row
  ends the form with a person (``misses_events``, the human-exit rule);
- a reply that asks for something else (a person, stop, start over, another task in its own
  words: ``bot.conversation.pending_choice``) or a plain "no" fills nothing, so Rasa rejects
  the form and the interruption rules take it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.base import PolicylineAction, SafeFormValidation, Turn
from actions.tasks import (
    ask_claim_choice,
    ask_policy_choice,
    claim_candidates,
    eligible_for,
    holder_claims,
    policy_facts,
    resolve_claim,
    resolve_policy,
    same_policy,
)
from bot.bootstrap import get_services
from bot.conversation.answers.common import CHOICE_NOT_UNDERSTOOD, not_on_your_account_text
from bot.conversation.corrections import is_decline
from bot.conversation.pending_choice import asks_something_else
from bot.conversation.tasks import Chooses
from bot.conversation.user_input import parse_claim_number, parse_policy_number
from pas_connector.models import PolicyRef

POLICY_FORM = Chooses.POLICY.form
CLAIM_FORM = Chooses.CLAIM.form
# A number that is not the holder's is answered, not counted as a miss.
NOT_A_MISS = {"form_misses": 0.0}


async def _turn(dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Turn:
    services = get_services()
    identity = await services.identity.verified_identity(str(tracker.sender_id))
    return Turn(dispatcher, tracker, domain, services, identity)


def is_a_reply(tracker: Tracker) -> bool:
    """Whether the form runs on a message the user sent since it last asked, not on being
    started (Rasa validates then too, with the message that came before: a ZIP code, say)."""
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "user":
            return True
        if kind == "action" and event.get("name") not in (POLICY_FORM, CLAIM_FORM):
            return event.get("name") == "action_listen"
    return False


def _typed_reply(
    turn: Turn, form: str, slot: str, full_number: Callable[[str], bool]
) -> str | None:
    """The words of a typed answer to this form's question; None for a button, a whole number
    the NLU found (the slot mapping has it), or no question asked. A number's last digits
    ("0003", "ending 002") are words here: they name one of the offered items."""
    if turn.tracker.active_loop.get("name") != form or turn.slot("requested_slot") != slot:
        return None
    entities = turn.tracker.latest_message.get("entities") or []
    given = [str(e.get("value") or "") for e in entities if e.get("entity") == slot]
    if not turn.text or any(full_number(value) for value in given):
        return None
    return turn.text


def _something_else(turn: Turn, text: str) -> bool:
    """A reply that is not an answer: another request, a person, stop, or a plain "no"."""
    task = str(turn.slot("pending_task") or "")
    return asks_something_else(text, turn.intent, task) or is_decline(text)


class _ChoiceForm(SafeFormValidation):
    """What both choice forms share: no verified holder (the verified state lapsed while the
    question waited) ends the form and starts the task again, which verifies first."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        if not is_a_reply(tracker):
            return []  # just started: the question is asked next, nothing is answered yet
        identity = await get_services().identity.verified_identity(str(tracker.sender_id))
        if identity is None or identity.holder_id is None:
            return [
                SlotSet("choosing", None),
                ActiveLoop(None),
                FollowupAction("action_start_task"),
            ]
        return await super().run(dispatcher, tracker, domain)


class ValidatePolicyChoiceForm(_ChoiceForm):
    """Reads the answer to "Which policy is this for?"."""

    def name(self) -> str:
        return f"validate_{POLICY_FORM}"

    async def extract_policy_number(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        turn = await _turn(dispatcher, tracker, domain)
        text = _typed_reply(turn, POLICY_FORM, "policy_number", _whole_policy_number)
        if text is None or _something_else(turn, text):
            return {}
        offered = await _offered_policies(turn)
        chosen = resolve_policy(text, offered, await policy_facts(turn, offered))
        return {"policy_number": chosen.policy_number if chosen else None}

    async def validate_policy_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if not value:
            dispatcher.utter_message(text=CHOICE_NOT_UNDERSTOOD)
            return {"policy_number": None}
        turn = await _turn(dispatcher, tracker, domain)
        assert turn.holder_id is not None, "run() ends the form for an unverified holder"
        refs = (await turn.services.connector.list_policies(turn.holder_id)).value
        if not any(same_policy(str(value), ref.policy_number) for ref in refs):
            dispatcher.utter_message(text=not_on_your_account_text("policy"))
            return {"policy_number": None, **NOT_A_MISS}
        eligible = eligible_for(str(turn.slot("pending_task") or ""))
        chosen = next(
            (r for r in refs if eligible(r) and same_policy(str(value), r.policy_number)), None
        )
        if chosen is None:
            # the holder's, but not one this task can be for (a cancelled policy's autopay)
            dispatcher.utter_message(text=CHOICE_NOT_UNDERSTOOD)
            return {"policy_number": None}
        return {"policy_number": chosen.policy_number, "choosing": None}


class ValidateClaimChoiceForm(_ChoiceForm):
    """Reads the answer to "Which claim would you like the status of?"."""

    def name(self) -> str:
        return f"validate_{CLAIM_FORM}"

    async def extract_claim_number(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        turn = await _turn(dispatcher, tracker, domain)
        text = _typed_reply(turn, CLAIM_FORM, "claim_number", _whole_claim_number)
        if text is None or _something_else(turn, text):
            return {}
        refs, claims = await holder_claims(turn)
        lines = {ref.policy_number: ref.line for ref in refs}
        claim = resolve_claim(text, claims, lines, turn.now().date())
        return {"claim_number": claim.claim_number if claim else None}

    async def validate_claim_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if not value:
            dispatcher.utter_message(text=CHOICE_NOT_UNDERSTOOD)
            return {"claim_number": None}
        turn = await _turn(dispatcher, tracker, domain)
        _, claims = await holder_claims(turn)
        wanted = parse_claim_number(str(value))
        chosen = next((c for c in claims if c.claim_number == wanted), None)
        if chosen is None:
            dispatcher.utter_message(text=not_on_your_account_text("claim"))
            return {"claim_number": None, **NOT_A_MISS}
        return {
            "claim_number": chosen.claim_number,
            "policy_number": chosen.policy_number,
            "choosing": None,
        }


def _whole_policy_number(value: str) -> bool:
    """ "AUT-1000003", "aut 1000003", "1000003"; not "0003" or "002" (last digits)."""
    return bool(parse_policy_number(value))


def _whole_claim_number(value: str) -> bool:
    return parse_claim_number(value) is not None


async def _offered_policies(turn: Turn) -> list[PolicyRef]:
    """The holder's policies the pending task can be for (the buttons offered)."""
    assert turn.holder_id is not None
    task = str(turn.slot("pending_task") or "")
    refs = (await turn.services.connector.list_policies(turn.holder_id)).value
    return [ref for ref in refs if eligible_for(task)(ref)]


class ActionAskPolicyChoice(PolicylineAction):
    """Asks which policy the pending task is for, with one button per policy."""

    def name(self) -> str:
        return f"action_ask_{POLICY_FORM}_policy_number"

    async def act(self, turn: Turn) -> list[EventType]:
        if not turn.verified:
            return [ActiveLoop(None), FollowupAction("action_start_task")]
        ask_policy_choice(turn, str(turn.slot("pending_task") or ""), await _offered_policies(turn))
        return []


class ActionAskClaimChoice(PolicylineAction):
    """Asks which claim the status is wanted for, with one button per claim."""

    def name(self) -> str:
        return f"action_ask_{CLAIM_FORM}_claim_number"

    async def act(self, turn: Turn) -> list[EventType]:
        if not turn.verified:
            return [ActiveLoop(None), FollowupAction("action_start_task")]
        _, claims = await holder_claims(turn)
        ask_claim_choice(turn, claim_candidates(claims))
        return []
