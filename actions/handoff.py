"""Routing to people: handoffs, reporting a claim (claims line at once), misunderstandings."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet

from actions.base import MISSES_BEFORE_PERSON, PolicylineAction, Turn, earlier_misses_in_a_row
from actions.follow_up import change_of_mind
from actions.wire import Button
from bot.conversation.answers.common import STILL_NOT_UNDERSTOOD
from bot.conversation.answers.details import (
    DETAIL_CHOICES,
    WHICH_DETAIL,
    asks_which_detail,
    detail_lead,
    detail_named,
)
from bot.conversation.answers.did_you_mean import DID_YOU_MEAN, candidates, choices
from bot.conversation.answers.lines import line_asked_about, not_offered_text, quote_lead
from bot.conversation.handoff import Handoff
from bot.conversation.handoff_summary import Said, TaskDone
from bot.conversation.outcomes import Outcome
from bot.conversation.staffed_hours import StaffedHours, opening_text
from bot.conversation.tasks import ROUTED
from bot.phone_numbers import display_phone

# Why a conversation is handed off, by the intent that asked for it.
REASON_BY_INTENT = {
    **{task.intent: task.handoff_reason for task in ROUTED if task.handoff_reason},
    "nlu_fallback": "repeated_misunderstanding",
    "out_of_scope": "repeated_misunderstanding",
}


async def open_handoff(
    turn: Turn, *, reason: str, intent: str | None, urgent: bool = False, callback: bool = False
) -> Handoff:
    """Record a handoff for this conversation, with its summary (what they asked, what the
    assistant already did: ``bot.conversation.handoff_summary``)."""
    services = turn.services

    def record() -> Handoff:
        done = [
            TaskDone(task=o.intent, outcome=o.outcome.value, reason=o.reason)
            for o in services.outcomes.for_conversation(turn.conversation_id)
        ]
        return services.handoffs.open(
            reason=reason,
            intent=intent,
            assurance=turn.assurance,
            policy_number=turn.slot("policy_number") if turn.verified else None,
            user_messages=turn.user_messages(),
            channel=turn.channel,
            conversation_id=turn.conversation_id,
            urgent=urgent,
            callback=callback,
            said=_said(turn),
            done=done,
        )

    return await asyncio.to_thread(record)


def _said(turn: Turn) -> list[Said]:
    """The user messages of the conversation with the intent the NLU read, oldest first."""
    return [
        Said(
            text=str(event["text"]),
            intent=((event.get("parse_data") or {}).get("intent") or {}).get("name"),
        )
        for event in turn.tracker.events
        if event.get("event") == "user" and event.get("text")
    ]


class ActionHandoff(PolicylineAction):
    """Coverage questions, policy changes, "agent", lockout, repeated misunderstanding."""

    def name(self) -> str:
        return "action_handoff"

    async def act(self, turn: Turn) -> list[EventType]:
        intent = turn.intent
        lead: str | None = None
        if intent == "get_quote":
            line = line_asked_about(_words_asked(turn))
            if line is not None and not line.written:
                # "do you do pet insurance": nobody in sales can help; say so, and what we do.
                turn.say(not_offered_text(line))
                await turn.record(intent, Outcome.CONTAINED, reason="line_not_written")
                return []
            lead = quote_lead(line)
        elif intent == "change_policy":
            detail = _detail_entity(turn) or detail_named(turn.text)
            if detail == "payment method":
                # A new card or bank account is self-service.
                return [
                    SlotSet("pending_task", "update_payment_method"),
                    FollowupAction("action_start_task"),
                ]
            if detail is None and asks_which_detail(turn.text):
                # "update my info": which one, rather than a guess.
                turn.say(
                    WHICH_DETAIL,
                    buttons=_buttons(DETAIL_CHOICES),
                )
                return []
            lead = detail_lead(detail)
        reason = REASON_BY_INTENT.get(intent or "")
        if reason is None:
            locked = await turn.services.identity.locked_until(turn.conversation_id)
            reason = "verification_locked" if locked is not None else "requested_person"
        task = turn.slot("pending_task") or intent
        settings = turn.services.settings
        hours = StaffedHours.parse(settings.contact_centre_hours, settings.contact_centre_timezone)
        now = turn.now()
        staffed = hours.is_staffed(now)
        record = await open_handoff(turn, reason=reason, intent=task, callback=not staffed)
        contact = display_phone(settings.contact_centre_phone)
        lead = lead or {
            "coverage_question": "A licensed agent needs to answer questions about what's covered.",
            "change_policy": "Our service team will make this change for you.",
            "verification_locked": "I've asked our service team to help you.",
        }.get(reason, "I'm connecting you with our service team.")
        turn.send_payload({"handoff": record.payload()})
        await turn.record(task, Outcome.HANDOFF, reason=reason)
        if staffed:
            turn.say(
                f"{lead} Your reference is {record.ticket}. A person will pick this up; you can "
                f"also call {contact} and quote the reference."
            )
            return [SlotSet("pending_task", None), SlotSet("fallback_count", 0.0)]
        opening = hours.next_opening(now)
        when = opening_text(opening, now) if opening is not None else "when they are back"
        turn.say(
            f"{lead} Our team is away now. Your reference is {record.ticket}; they'll reply "
            f"{when}. Or call {contact} then."
        )
        # The place is kept: the task stays pending for when the conversation goes on.
        return [SlotSet("fallback_count", 0.0)]


def _buttons(offered: Sequence[tuple[str, str]]) -> list[Button]:
    return [Button(title=title, payload=payload) for title, payload in offered]


def _words_asked(turn: Turn) -> str:
    """The latest words the user typed or said: this message, or for a chosen button (``2`` for
    "a quote for new insurance") the message the choice was offered for."""
    if turn.text:
        return turn.text
    said = [m for m in turn.user_messages() if not m.startswith("/")]
    return said[-1] if said else ""


def _detail_entity(turn: Turn) -> str | None:
    """The detail a "which one?" button chose (``/change_policy{"detail": "address"}``)."""
    for entity in turn.tracker.latest_message.get("entities") or []:
        if entity.get("entity") == "detail" and entity.get("value"):
            return str(entity["value"])
    return None


class ActionReportClaim(PolicylineAction):
    """First notice of loss is urgent: the claims line at once, then an urgent handoff record."""

    def name(self) -> str:
        return "action_report_claim"

    def task_intent(self, turn: Turn) -> str | None:
        return "report_claim"

    async def act(self, turn: Turn) -> list[EventType]:
        claims_line = display_phone(turn.services.settings.claims_phone)
        # Said first, before any database work, so the number arrives even if the rest fails.
        turn.say(
            f"I'm sorry this happened. If anyone is hurt, call 911 first. To report the claim, "
            f"call our claims line now: {claims_line}."
        )
        record = await open_handoff(
            turn, reason="first_notice_of_loss", intent="report_claim", urgent=True
        )
        turn.say(f"I've also passed this to our claims team; your reference is {record.ticket}.")
        turn.send_payload({"handoff": record.payload()})
        await turn.record("report_claim", Outcome.HANDOFF, reason="first_notice_of_loss")
        return [SlotSet("pending_task", None)]


class ActionUnderstandingFallback(PolicylineAction):
    """Offers the NLU's two best tasks ("did you mean ...?") or asks to rephrase; the second
    misunderstanding in a row (a "none of these" included) offers a person."""

    def name(self) -> str:
        return "action_understanding_fallback"

    async def act(self, turn: Turn) -> list[EventType]:
        # "my truck" after "which one?" was taken as the answer before this runs
        # (PolicylineAction._read_then_act): not a miss.
        redo = await change_of_mind(turn)
        if redo is not None:
            # "and what about HOM-2000001", "sorry no, the other claim" after an answer
            return redo
        # Misses in a row: misunderstood or out-of-scope messages, and answers to the
        # assistant's own questions that it could not use (a form's, or "which one?").
        misses = earlier_misses_in_a_row(turn.tracker) + 1
        if misses >= MISSES_BEFORE_PERSON:
            turn.say(STILL_NOT_UNDERSTOOD)
            # Inside a form, the form ends: the question is not asked again.
            return [
                SlotSet("fallback_count", 2.0),
                SlotSet("form_misses", 0.0),
                ActiveLoop(None),
                FollowupAction("action_handoff"),
            ]
        if turn.tracker.active_loop.get("name"):
            turn.say(
                "Sorry, I didn't understand that. You can answer the question, or reply AGENT "
                "to reach a person."
            )
            return [SlotSet("form_misses", 1.0)]
        offer = candidates(turn.tracker.latest_message.get("intent_ranking") or [])
        if turn.intent == "nlu_fallback" and offer:
            # Not sure, but the best guesses are tasks: offer them before asking to rephrase.
            turn.say(DID_YOU_MEAN, buttons=_buttons(choices(offer)))
        elif turn.intent == "out_of_scope":
            turn.dispatcher.utter_message(response="utter_out_of_scope")
        else:
            turn.say(
                "Sorry, I didn't understand that. Could you say it another way? For example: "
                "'send my ID card' or 'what do I owe'."
            )
        return [SlotSet("fallback_count", 1.0), SlotSet("form_misses", 1.0)]
