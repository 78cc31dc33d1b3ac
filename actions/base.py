"""Shared plumbing for every Policyline action: services, deadline, PAS errors, outcomes.

``PolicylineAction`` is an abstract base (rasa-sdk skips abstract classes when it registers
actions). Subclasses implement ``act(turn)``; ``run`` gives it an 8-second deadline, turns a PAS
outage into an apology with a way forward (and a ``failed`` outcome for the task), and handles
our own errors without ever logging or echoing the tracker (it holds slots such as the date of
birth).
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import traceback
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions.wire import Button, MessageMetadata
from bot.bootstrap import Services, get_services
from bot.conversation.answers.common import (
    STILL_NOT_UNDERSTOOD,
    pas_unavailable,
    something_went_wrong,
    took_too_long,
)
from bot.conversation.outcomes import Outcome
from bot.conversation.verified_conversations import VerifiedIdentity
from pas_connector.errors import PasUnavailable

logger = logging.getLogger(__name__)

# Every action answers within this many seconds, well inside Rasa's action timeout and Twilio's
# webhook window (docs/architecture.md, "Budgets and library facts").
ACTION_DEADLINE_S = 8.0


@dataclass
class Turn:
    """One run of one action: the Rasa objects, our services, and what they say about the user."""

    dispatcher: CollectingDispatcher
    tracker: Tracker
    domain: DomainDict
    services: Services
    # Who this conversation has proven to be: the server-side record (``verified_identity``),
    # never the tracker's ``assurance``/``holder_id`` slots, which any caller could write.
    identity: VerifiedIdentity | None = None

    @property
    def conversation_id(self) -> str:
        return str(self.tracker.sender_id)

    @property
    def metadata(self) -> MessageMetadata:
        """The channel's metadata on the latest user message (or the last one that had any)."""
        latest = self.tracker.latest_message.get("metadata") or {}
        if latest:
            return latest  # type: ignore[return-value]
        for event in reversed(self.tracker.events):
            if event.get("event") == "user" and event.get("metadata"):
                return event["metadata"]  # type: ignore[no-any-return]
        return {}

    @property
    def channel(self) -> str:
        return str(
            self.metadata.get("channel") or self.tracker.get_latest_input_channel() or "rest"
        )

    @property
    def phone(self) -> str | None:
        return self.metadata.get("phone") or None

    @property
    def text(self) -> str:
        """The latest user message's text ("" for a button payload or no message)."""
        text = str(self.tracker.latest_message.get("text") or "")
        return "" if text.startswith("/") else text

    @property
    def intent(self) -> str | None:
        return (self.tracker.latest_message.get("intent") or {}).get("name")

    @property
    def assurance(self) -> str:
        return self.identity.assurance if self.identity else "anonymous"

    @property
    def holder_id(self) -> str | None:
        return self.identity.holder_id if self.identity else None

    def identity_events(self) -> list[EventType]:
        """Slots that mirror the server-side identity for the dialogue's rules."""
        return [SlotSet("assurance", self.assurance), SlotSet("holder_id", self.holder_id)]

    @property
    def verified(self) -> bool:
        return self.holder_id is not None

    def slot(self, name: str) -> Any:
        return self.tracker.get_slot(name)

    def now(self) -> datetime:
        return self.services.clock()

    def user_messages(self) -> list[str]:
        """What the user said so far in this conversation, oldest first."""
        return [
            str(e.get("text"))
            for e in self.tracker.events
            if e.get("event") == "user" and e.get("text")
        ]

    def say(self, text: str, *, buttons: Sequence[Button] = ()) -> None:
        self.dispatcher.utter_message(text=text, buttons=[dict(b) for b in buttons])

    def send_payload(self, payload: dict[str, Any]) -> None:
        self.dispatcher.utter_message(json_message=payload)

    async def record(
        self, intent: str | None, outcome: Outcome, *, reason: str | None = None
    ) -> None:
        """Store the outcome of a task of this conversation (off the event loop)."""
        await asyncio.to_thread(
            self.services.outcomes.record,
            conversation_id=self.conversation_id,
            channel=self.channel,
            intent=intent or self.intent or "unknown",
            outcome=outcome,
            holder_id=self.holder_id,
            reason=reason,
        )


class PolicylineAction(Action, ABC):
    """Base of every custom action: a deadline, degradation on PAS outages, outcome on failure."""

    deadline_s: float = ACTION_DEADLINE_S

    @abstractmethod
    def name(self) -> str:
        """The action name used in domain.yml and the dialogue contract."""

    @abstractmethod
    async def act(self, turn: Turn) -> list[EventType]:
        """Do the action's work and return its events."""

    def task_intent(self, turn: Turn) -> str | None:
        """The self-service task this run serves (for outcomes); the pending task by default."""
        return turn.slot("pending_task") or turn.intent

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Runs this action, then, in the same call, the actions it hands over to.

        An action that ends with ``FollowupAction(name)`` of another Policyline action (verify →
        resume the task → the task) would cost Rasa one more remote call per hop: its tracker
        serialised, a prediction, a round trip and a reply check. Here the next action runs at
        once, on the tracker as Rasa would have it (``tracker_after``), and the reply carries an
        ``ActionExecuted`` for it, so Rasa's tracker, rules and transcript are what they were with
        separate calls. Forms and Rasa's own actions still go back to Rasa; so does the next action
        when less than ``CHAIN_MIN_BUDGET_S`` of this call's deadline is left.
        """
        services = get_services()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.deadline_s
        action: PolicylineAction = self
        events: list[dict[str, Any]] = []
        for _ in range(MAX_ACTIONS_PER_CALL):
            said_before = len(dispatcher.messages)
            turn = Turn(dispatcher, tracker, domain, services)
            produced = await action.run_once(turn, deadline - loop.time())
            events += produced
            following = next_in_this_call(produced)
            if following is None or deadline - loop.time() < CHAIN_MIN_BUDGET_S:
                break
            events.pop()  # the FollowupAction: the next action runs here instead
            events.append(ActionExecuted(following.name()))
            said = dispatcher.messages[said_before:]
            tracker = tracker_after(tracker, said, produced[:-1], following.name())
            action = following
        return events

    async def run_once(self, turn: Turn, budget_s: float) -> list[dict[str, Any]]:
        """``act`` within ``budget_s`` seconds, with the apology and outcome of a failure."""
        services = turn.services
        contact = services.settings.contact_centre_phone
        try:
            turn.identity = await services.identity.verified_identity(turn.conversation_id)
            return await asyncio.wait_for(self._read_then_act(turn), timeout=max(budget_s, 0.0))
        except PasUnavailable:
            logger.warning("action %s: PAS unavailable", self.name())
            turn.say(pas_unavailable(contact))
            apology = "pas_unavailable"
        except asyncio.TimeoutError:
            logger.warning(
                "action %s: its %.1f s of the call's deadline passed", self.name(), budget_s
            )
            turn.say(took_too_long(contact))
            apology = "deadline"
        except Exception as exc:
            # The exception text may quote user input; log its type and where it came from only.
            logger.error(
                "action %s failed with %s at:\n%s",
                self.name(),
                type(exc).__name__,
                "".join(traceback.format_tb(exc.__traceback__)),
            )
            turn.say(something_went_wrong(contact))
            apology = "error"
        await self._record_failure(turn, apology)
        return [SlotSet("pending_task", None)]

    async def _read_then_act(self, turn: Turn) -> list[EventType]:
        """``act``, unless this action is the first to read a message that answers the waiting
        "Which one?" or corrects the answer just given: then that, whatever intent the NLU
        guessed and so whichever action Rasa chose ("the hail damage claim" read as a claim
        report while a claim choice waits, "can you do 60 instead" read as a handoff right
        after a pay link). The one place this rule is applied (``choice_or_correction``)."""
        # Late imports: those modules build on this one.
        from actions.follow_up import choice_or_correction
        from actions.tasks import first_after_the_message

        if first_after_the_message(turn):
            redo = await choice_or_correction(turn)
            if redo is not None:
                return redo
        return await self.act(turn)

    async def _record_failure(self, turn: Turn, reason: str) -> None:
        try:
            await turn.record(self.task_intent(turn), Outcome.FAILED, reason=reason)
        except Exception as exc:  # the apology is already sent; never fail the turn twice
            logger.error("could not record the outcome of %s: %s", self.name(), type(exc).__name__)


# At most this many actions run in one call from Rasa (a chain is verify → resume → task → a
# hand-off at most); and the next one is left to Rasa when less than this is left of the deadline.
MAX_ACTIONS_PER_CALL = 5
CHAIN_MIN_BUDGET_S = 2.0


def _concrete_actions(base: type) -> dict[str, PolicylineAction]:
    found: dict[str, PolicylineAction] = {}
    for cls in base.__subclasses__():
        if not inspect.isabstract(cls):
            action = cls()
            if isinstance(action, PolicylineAction):
                found[action.name()] = action
        found.update(_concrete_actions(cls))
    return found


@cache
def actions_by_name() -> dict[str, PolicylineAction]:
    """Every Policyline action by name (the ``actions`` package imports them all)."""
    return _concrete_actions(PolicylineAction)


def next_in_this_call(events: Sequence[dict[str, Any]]) -> PolicylineAction | None:
    """The Policyline action ``events`` end by handing over to, if any (not a form, not Rasa's)."""
    if not events or events[-1].get("event") != "followup":
        return None
    return actions_by_name().get(str(events[-1].get("name")))


def tracker_after(
    tracker: Tracker,
    said: Sequence[dict[str, Any]],
    events: Sequence[dict[str, Any]],
    next_action: str,
) -> Tracker:
    """The tracker the next action would get from Rasa after ``events`` and what was ``said``:
    slots set (and reset), the active loop, the bot messages, and the next action executed."""
    slots = dict(tracker.slots)
    active_loop = dict(tracker.active_loop)
    for event in events:
        kind = event.get("event")
        if kind == "slot":
            slots[str(event.get("name"))] = event.get("value")
        elif kind == "reset_slots":
            slots = {name: None for name in slots}
        elif kind == "active_loop":
            active_loop = {"name": event["name"]} if event.get("name") else {}
    bot_events = [
        {
            "event": "bot",
            "text": message.get("text"),
            "data": {
                "buttons": message.get("buttons") or None,
                "custom": message.get("custom") or None,
            },
        }
        for message in said
    ]
    executed = ActionExecuted(next_action)
    return Tracker(
        tracker.sender_id,
        slots,
        tracker.latest_message,
        [*tracker.events, *bot_events, *events, executed],
        tracker.is_paused(),
        None,
        active_loop,
        next_action,
    )


# Misses in a row (messages not understood, answers the assistant could not use) after which a
# person is offered: the human-exit rule.
MISSES_BEFORE_PERSON = 2


# Messages that were not understood (the human-exit rule counts them, in a row, with answers the
# assistant could not use).
NOT_UNDERSTOOD = ("nlu_fallback", "out_of_scope")


def earlier_misses_in_a_row(tracker: Tracker) -> int:
    """How many user messages in a row before the latest one were misses: not understood, or
    answers the assistant could not use (marked by a ``form_misses`` count after them).

    A message after which ``form_misses`` went back to 0 was used (an answer a form or "which
    one?" took, or the one that already reached a person), whatever the NLU read: the count
    stops there, so "auto policy" read as not understood but taken as the choice is no miss."""
    misses = 0
    unusable = used = False
    seen_latest = False
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "slot" and event.get("name") == "form_misses":
            value = float(event.get("value") or 0)
            unusable = unusable or value >= 1
            used = used or value == 0
        elif kind == "user":
            if not seen_latest:
                seen_latest = True  # the message being handled now is counted by the caller
            else:
                intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
                if used or not (unusable or intent in NOT_UNDERSTOOD):
                    break
                misses += 1
            unusable = used = False
    return misses


def misses_events(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    events: list[dict[str, Any]],
    said_before: int = 0,
) -> list[dict[str, Any]]:
    """Counts answers the form rejected in a row; the second ends the form with a person."""
    requested = tracker.get_slot("requested_slot")
    if not requested or not tracker.latest_message.get("text"):
        return []
    answers = [e for e in events if e.get("event") == "slot" and e.get("name") == requested]
    if not answers or any(e.get("name") == "form_misses" for e in events):
        return []  # no answer, or the validator counted it itself
    if answers[-1].get("value") is not None:
        return [SlotSet("form_misses", 0.0)]
    misses = earlier_misses_in_a_row(tracker) + 1
    if misses < MISSES_BEFORE_PERSON:
        return [SlotSet("form_misses", float(misses))]
    # Not "please give the date like ..." again: the question ends here.
    del dispatcher.messages[said_before:]
    dispatcher.utter_message(text=STILL_NOT_UNDERSTOOD)
    return [SlotSet("form_misses", 0.0), ActiveLoop(None), FollowupAction("action_handoff")]


class SafeFormValidation(FormValidationAction, ABC):
    """Base of our form validators: the same deadline, and our own error handling.

    rasa-sdk's default error answer echoes the request (the tracker, with the answers being
    validated); here an unexpected error is logged by type only and the turn goes on with an
    apology, leaving the slots unvalidated so the form asks again.
    """

    @abstractmethod
    def name(self) -> str:
        """The validator's name: ``validate_<form name>``."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        try:
            said_before = len(dispatcher.messages)
            events = await asyncio.wait_for(
                super().run(dispatcher, tracker, domain), timeout=ACTION_DEADLINE_S
            )
            return events + misses_events(dispatcher, tracker, events, said_before)
        except Exception as exc:
            logger.error(
                "form validation %s failed with %s at:\n%s",
                self.name(),
                type(exc).__name__,
                "".join(traceback.format_tb(exc.__traceback__)),
            )
            contact = get_services().settings.contact_centre_phone
            dispatcher.utter_message(text=something_went_wrong(contact))
            return []
