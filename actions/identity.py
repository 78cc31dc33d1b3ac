"""Identity journey: start a task, verify (form + PAS check), resume the task, restart.

The form only collects and checks formats; ``action_verify_identity`` asks the PAS. The date of
birth and ZIP slots are cleared right after each check, whatever the result, so they stay in the
tracker for as short a time as possible.
"""

from __future__ import annotations

import asyncio
from contextvars import ContextVar
from datetime import date, datetime
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, AllSlotsReset, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.base import (
    ACTION_DEADLINE_S,
    PolicylineAction,
    SafeFormValidation,
    Turn,
)
from actions.follow_up import change_of_mind
from actions.one_time_code import send_one_time_code
from actions.tasks import (
    NO_ELIGIBLE_POLICY,
    TASK_ACTIONS,
    TASK_NEXT,
    answer_to_policy_choice,
    answered_a_form,
    choose_claim,
    choose_policy,
    request_texts,
)
from bot.bootstrap import get_services
from bot.conversation.answers.billing import balance_text
from bot.conversation.answers.claims import no_claims_text
from bot.conversation.answers.common import OFFER_PERSON, pas_unavailable
from bot.conversation.certificate_holder import read_certificate_holder
from bot.conversation.formatting import time_of_day
from bot.conversation.identity import VerificationStatus
from bot.conversation.intents import SELF_SERVICE_INTENTS
from bot.conversation.outcomes import Outcome
from bot.conversation.user_input import (
    parse_amount,
    parse_date_of_birth,
    parse_policy_number,
    parse_zip,
)
from bot.conversation.volunteered import read_volunteered_identity
from pas_connector.errors import PasUnavailable

# Whether this turn's channel phone found a policyholder (set per run of the form validation).
_PHONE_FOUND: ContextVar[bool] = ContextVar("policyline_phone_found", default=False)
# A failed or finished check also ends any one-time code step (web chat).
_CLEAR_ANSWERS = [
    SlotSet("date_of_birth", None),
    SlotSet("zip_code", None),
    SlotSet("code_sent", False),
]


def locked_text(until: datetime | None) -> str:
    """What a locked-out person is told (never how close a guess was)."""
    when = f" until {time_of_day(until)}" if until else " for 15 minutes"
    return f"After too many tries, I can't check who you are{when}. This keeps your account safe."


class ActionStartTask(PolicylineAction):
    """Records the task; verified → resume it, otherwise verify first (or hand off if locked)."""

    def name(self) -> str:
        return "action_start_task"

    async def act(self, turn: Turn) -> list[EventType]:
        intent = turn.intent
        pending = turn.slot("pending_task")
        if not pending:
            redo = await change_of_mind(turn)
            if redo is not None:
                return redo
        if pending and turn.verified:
            chosen = await answer_to_policy_choice(turn, str(pending))
            if chosen is not None:
                return [
                    SlotSet("policy_number", chosen.policy_number),
                    FollowupAction("action_resume_task"),
                ]
        task = intent if intent in SELF_SERVICE_INTENTS else pending
        events: list[EventType] = [SlotSet("pending_task", task)]
        if (
            intent in SELF_SERVICE_INTENTS
            and turn.slot("policy_number")
            and not _names_a_policy(turn)
        ):
            # A new task is not silently for the previous task's policy: choose again.
            turn.tracker.slots["policy_number"] = None
            events.append(SlotSet("policy_number", None))

        token = turn.metadata.get("web_token")
        if not turn.verified and token:
            turn.identity = await turn.services.identity.adopt_handover(
                turn.conversation_id, str(token)
            )
        # The slots follow the server-side record: a tracker that claims more gets reset.
        events += turn.identity_events()
        events += certificate_holder_given(turn, task)
        if turn.verified:
            return [
                *events,
                SlotSet("identity_locked", False),
                # volunteered with the request but not needed: not kept in the tracker
                SlotSet("date_of_birth", None),
                SlotSet("zip_code", None),
                FollowupAction("action_resume_task"),
            ]

        locked = await turn.services.identity.locked_until(turn.conversation_id, turn.phone)
        if locked is not None:
            # Explain and offer a person, then listen (the rules predict no follow-up).
            turn.say(f"{locked_text(locked)} {OFFER_PERSON}")
            return [*events, SlotSet("identity_locked", True)]
        if turn.slot("code_sent"):
            # A code was texted and not used yet: the check goes on where it was (the form
            # asks for it).
            return [
                *events,
                SlotSet("identity_locked", False),
                FollowupAction("one_time_code_form"),
            ]
        turn.say("I can help with that. First I need to confirm who you are.")
        return [
            *events,
            *identity_given(turn),
            SlotSet("identity_locked", False),
            FollowupAction("verification_form"),
        ]


def identity_given(turn: Turn) -> list[EventType]:
    """The date of birth, ZIP and policy number the request already gives, as the form's answers.

    The form validates them at activation like typed answers, and the PAS check, failure count
    and one-time code apply unchanged: only the questions are saved. Read from the message that
    starts the task (whatever intent it was read as: "balance pls, dob 4/12/85" reads as
    ``inform``), never from an answer to a form or an older message.
    """
    if answered_a_form(turn):
        return []
    given = read_volunteered_identity(turn.text, turn.services.clock().date())
    # What the NLU already filled stays (the form validates it the same way).
    return [
        SlotSet(name, value)
        for name, value in given.slot_values().items()
        if not turn.tracker.slots.get(name)
    ]


def certificate_holder_given(turn: Turn, task: str | None) -> list[EventType]:
    """The certificate holder the request names ("COI made out to Acme, 12 Main St ..."), so the
    certificate form asks nothing, or only the address."""
    if task != "request_certificate":
        return []
    name = turn.tracker.slots.get("org_name")
    address = turn.tracker.slots.get("org_address")
    if name and address:
        return []
    for text in request_texts(turn, task):
        holder = read_certificate_holder(text)
        if holder is None:
            continue
        if holder.address:
            return [SlotSet("org_name", holder.name), SlotSet("org_address", holder.address)]
        return [] if name else [SlotSet("org_name", holder.name)]
    return []


def _names_a_policy(turn: Turn) -> bool:
    entities = turn.tracker.latest_message.get("entities") or []
    return any(entity.get("entity") == "policy_number" for entity in entities)


class ValidateVerificationForm(SafeFormValidation):
    """Formats only; asks for the policy number only when the channel's phone found no one."""

    def name(self) -> str:
        return "validate_verification_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        slots = list(domain_slots)
        if "policy_number" in slots and _PHONE_FOUND.get():
            slots.remove("policy_number")
        return slots

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        # required_slots runs several times per turn: look the phone up once.
        found = _PHONE_FOUND.set(await _phone_finds_holder(tracker))
        # The reads the verification and the pending task will make start now, in the
        # background, landing in the PAS cache only (gated: bot/conversation/read_ahead.py).
        get_services().identity.read_ahead(
            conversation_id=str(tracker.sender_id),
            phone=_channel_phone(tracker),
            policy_number=tracker.get_slot("policy_number"),
            task=tracker.get_slot("pending_task"),
        )
        try:
            return await super().run(dispatcher, tracker, domain)
        finally:
            _PHONE_FOUND.reset(found)

    def validate_policy_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value is None:
            return {"policy_number": None}  # cleared, not answered: nothing to complain about
        candidates = parse_policy_number(str(value))
        if not candidates:
            dispatcher.utter_message(
                text="That doesn't look like a policy number. It looks like AUT-1234567."
            )
            return {"policy_number": None}
        # One candidate is canonical; several mean bare digits (verification tries each line).
        number = candidates[0] if len(candidates) == 1 else _digits(value)
        return {**_also_answered(tracker, "policy_number"), "policy_number": number}

    def validate_date_of_birth(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        today = get_services().clock().date()
        also = _also_answered(tracker, "date_of_birth")
        parsed = parse_date_of_birth(str(value or ""), today)
        if parsed is None and also.get("date_of_birth"):
            # "04/12/1985 78704", "dob 4/12/85 zip 78704": the date is read beside the rest.
            parsed = date.fromisoformat(also["date_of_birth"])
        if parsed is None:
            dispatcher.utter_message(
                text="Sorry, I couldn't read that date. Please give your date of birth like "
                "07/04/1990 or July 4 1990."
            )
            return {**also, "date_of_birth": None}
        return {**also, "date_of_birth": parsed.isoformat()}

    def validate_zip_code(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        zip5 = parse_zip(str(value or ""))
        if zip5 is None:
            dispatcher.utter_message(text="Please give the 5-digit ZIP code of your address.")
            return {"zip_code": None}
        return {"zip_code": zip5}


def _also_answered(tracker: Tracker, asked: str) -> dict[str, Any]:
    """What the answer to ``asked`` also gives that the form has not got yet ("AUT-1000001, dob
    4/12/85 zip 78704" answers three questions): the same reader as a request's details, and
    only while the form is asking (an answer typed, not a button)."""
    text = str(tracker.latest_message.get("text") or "")
    if tracker.get_slot("requested_slot") != asked or text.startswith("/"):
        return {}
    given = read_volunteered_identity(text, get_services().clock().date())
    return {
        name: value
        for name, value in given.slot_values().items()
        if name == asked or tracker.get_slot(name) is None
    }


def _channel_phone(tracker: Tracker) -> str | None:
    """The channel's number (SMS sender, caller ID) on the latest message that had one."""
    metadata = tracker.latest_message.get("metadata") or {}
    phone = metadata.get("phone")
    if not phone:
        for event in reversed(tracker.events):
            if event.get("event") == "user" and (event.get("metadata") or {}).get("phone"):
                phone = event["metadata"]["phone"]
                break
    return str(phone) if phone else None


async def _phone_finds_holder(tracker: Tracker) -> bool:
    phone = _channel_phone(tracker)
    if not phone:
        return False
    try:
        identity = get_services().identity
        match = await asyncio.wait_for(identity.find_by_phone(phone), timeout=ACTION_DEADLINE_S)
    except (PasUnavailable, asyncio.TimeoutError):
        return False  # ask for the policy number instead: it works without the phone index
    return match is not None


def _digits(value: Any) -> str:
    return "".join(ch for ch in str(value) if ch.isdigit())


class ActionVerifyIdentity(PolicylineAction):
    """Checks the form's answers against the PAS; success resumes the task."""

    def name(self) -> str:
        return "action_verify_identity"

    async def act(self, turn: Turn) -> list[EventType]:
        try:
            result = await turn.services.identity.verify(
                conversation_id=turn.conversation_id,
                phone=turn.phone,
                policy_number=turn.slot("policy_number"),
                date_of_birth=turn.slot("date_of_birth"),
                zip_code=turn.slot("zip_code"),
            )
            if result.status is VerificationStatus.CODE_REQUIRED:
                # DOB and ZIP matched, but nothing proves possession of the number on file (web
                # chat, or a number not on file): the code texted to that number decides.
                sent = await send_one_time_code(turn, str(result.holder_id))
                texted = any(e.get("name") == "code_sent" and e.get("value") for e in sent)
                outcome = "code_sent" if texted else "unavailable"
                return [*_CLEAR_ANSWERS, *sent, SlotSet("verification_result", outcome)]
        except PasUnavailable:
            # Not the person's failure: nothing is counted, the answers are still cleared.
            turn.say(pas_unavailable(turn.services.settings.contact_centre_phone))
            await turn.record(turn.slot("pending_task"), Outcome.FAILED, reason="pas_unavailable")
            return [
                *_CLEAR_ANSWERS,
                SlotSet("pending_task", None),
                SlotSet("verification_result", "unavailable"),
            ]
        status = result.status
        if status is VerificationStatus.VERIFIED:
            turn.say("Thanks, you're verified.")
            return [
                *_CLEAR_ANSWERS,
                SlotSet("assurance", "verified"),
                SlotSet("holder_id", result.holder_id),
                SlotSet("fallback_count", 0.0),
                SlotSet("verification_result", "verified"),
                FollowupAction("action_resume_task"),
            ]
        if status is VerificationStatus.LOCKED:
            turn.say(locked_text(result.locked_until))
            return [
                *_CLEAR_ANSWERS,
                SlotSet("policy_number", None),
                SlotSet("identity_locked", True),
                SlotSet("verification_result", "locked"),
                FollowupAction("action_handoff"),
            ]
        retry = SlotSet("verification_result", "retry")
        if status is VerificationStatus.NEED_POLICY_NUMBER:
            turn.say("I couldn't find an account by this phone number. What is your policy number?")
            return [
                *_CLEAR_ANSWERS,
                SlotSet("policy_number", None),
                retry,
                FollowupAction("verification_form"),
            ]
        if status is VerificationStatus.UNREADABLE:
            turn.say("Sorry, I couldn't read those answers. Let's try again.")
            return [*_CLEAR_ANSWERS, retry, FollowupAction("verification_form")]
        tries = "1 more try" if result.attempts_left == 1 else f"{result.attempts_left} more tries"
        turn.say(f"Sorry, that doesn't match our records. You have {tries}.")
        clear_policy = [] if turn.phone else [SlotSet("policy_number", None)]
        return [*_CLEAR_ANSWERS, *clear_policy, retry, FollowupAction("verification_form")]


class ActionResumeTask(PolicylineAction):
    """Selects the policy (or claim) for the pending task, then runs the task or its form.

    It dispatches only with ``policy_number`` set (the rules rely on it); when it has to ask
    which policy or claim, it sends buttons and listens.
    """

    def name(self) -> str:
        return "action_resume_task"

    async def act(self, turn: Turn) -> list[EventType]:
        events = await self._dispatch(turn)
        if any(e.get("name") == "choosing" for e in events):
            return events
        # Not asking which one: no choice is waiting (the rules read this slot).
        return [SlotSet("choosing", None), *events]

    async def _dispatch(self, turn: Turn) -> list[EventType]:
        task = turn.slot("pending_task")
        if not task or task not in TASK_ACTIONS:
            turn.say(
                "How can I help? I can send ID cards, check balances, take payments, "
                "manage autopay and check claims."
            )
            return []
        if not turn.verified:
            return [FollowupAction("action_start_task")]
        if task == "claim_status":
            claim = await choose_claim(turn)
            if claim.claim is None:
                if claim.events:
                    return claim.events
                turn.say(no_claims_text())
                await turn.record(task, Outcome.CONTAINED)
                return [SlotSet("pending_task", None)]
            return [*claim.events, FollowupAction(TASK_NEXT[task])]

        choice = await choose_policy(turn, task)
        if choice.policy is None:
            if choice.events:
                return choice.events
            turn.say(NO_ELIGIBLE_POLICY.get(task, "I don't see a policy this applies to."))
            await turn.record(task, Outcome.CONTAINED)
            return [SlotSet("pending_task", None)]
        if task == "make_payment" and not turn.slot("amount"):
            said = next(
                (a for a in map(parse_amount, request_texts(turn, task)) if a is not None), None
            )
            if said is not None:
                # "put 80 bucks on my home bill": the amount is already given; the form has it.
                amount = said if isinstance(said, str) else f"{said:.2f}"
                return [*choice.events, SlotSet("amount", amount), FollowupAction(TASK_NEXT[task])]
            number = choice.policy.policy_number
            billing = (await turn.services.connector.get_billing(number)).value
            turn.say(balance_text(billing))
            if billing.balance <= 0:
                await turn.record(task, Outcome.CONTAINED)
                return [*choice.events, SlotSet("pending_task", None)]
        return [*choice.events, FollowupAction(TASK_NEXT[task])]


class ActionRestartConversation(PolicylineAction):
    """Clears identity and every slot; assurance goes back to anonymous."""

    def name(self) -> str:
        return "action_restart_conversation"

    async def act(self, turn: Turn) -> list[EventType]:
        await turn.services.identity.end_verification(turn.conversation_id)
        turn.say("Okay, let's start over. How can I help?")
        # Not Restarted: the transcript stays whole; the slots (identity included) go.
        return [AllSlotsReset(), ActiveLoop(None), SlotSet("assurance", "anonymous")]
