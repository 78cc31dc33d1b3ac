"""Autopay journeys: status, enrol (set-up link), cancel, update the payment method (link)."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from rasa_sdk.events import EventType, SlotSet

from actions.base import Turn
from actions.tasks import NO_ELIGIBLE_POLICY, TaskAction, choose_policy
from bot.conversation.answers.billing import (
    autopay_cancelled_text,
    autopay_draft_sentence,
    autopay_status_text,
    method_words,
)
from bot.conversation.answers.common import with_staleness
from bot.conversation.formatting import mask_policy_number
from bot.payments.links import PayLink, Purpose


async def _send_link(turn: Turn, policy_number: str, purpose: Purpose, text: str) -> PayLink:
    link = await asyncio.to_thread(
        turn.services.payments.issue,
        policy_number,
        Decimal("0"),
        turn.conversation_id,
        turn.channel,
        purpose,
    )
    turn.say(f"{text} {link.url} It works once and expires in 30 minutes.")
    turn.send_payload({"pay_link": link.payload()})
    return link


class ActionAutopayStatus(TaskAction):
    task = "autopay_status"

    def name(self) -> str:
        return "action_autopay_status"

    async def perform(self, turn: Turn) -> list[EventType]:
        choice = await choose_policy(turn, self.task)
        if choice.policy is None:
            return choice.events
        fresh = await turn.services.connector.get_billing(choice.policy.policy_number)
        turn.say(
            with_staleness(
                autopay_status_text(fresh.value),
                stale=fresh.stale,
                fetched_at=fresh.fetched_at,
                now=turn.now(),
            )
        )
        return await self.completed(turn, *choice.events)


class ActionAutopayEnroll(TaskAction):
    """Sends a secure set-up link; the pay page saves the method and the PAS is updated then."""

    task = "autopay_enroll"

    def name(self) -> str:
        return "action_autopay_enroll"

    async def perform(self, turn: Turn) -> list[EventType]:
        if turn.intent in ("affirm", "deny"):
            turn.say("There's nothing to confirm: use the secure link I sent to turn on autopay.")
            return []
        choice = await choose_policy(turn, self.task)
        if choice.policy is None:
            if not choice.events:
                turn.say(NO_ELIGIBLE_POLICY[self.task])
                return await self.completed(turn)
            return choice.events
        number = choice.policy.policy_number
        billing = (await turn.services.connector.get_billing(number)).value
        if billing.autopay.enabled:
            turn.say(autopay_status_text(billing))
            return await self.completed(turn, *choice.events)
        await _send_link(
            turn,
            number,
            "autopay_setup",
            f"To turn on autopay for policy {mask_policy_number(number)}, add a card or bank "
            "account on this secure page:",
        )
        return await self.completed(turn, *choice.events)


class ActionAutopayCancel(TaskAction):
    task = "autopay_cancel"

    def name(self) -> str:
        return "action_autopay_cancel"

    async def perform(self, turn: Turn) -> list[EventType]:
        choice = await choose_policy(turn, self.task)
        if choice.policy is None:
            return choice.events
        number = choice.policy.policy_number
        connector = turn.services.connector
        billing = (await connector.get_billing(number)).value
        ref = mask_policy_number(number)
        if not billing.autopay.enabled:
            turn.say(f"Autopay is already off for policy {ref}. There's nothing to change.")
            return await self.completed(turn, *choice.events)
        if turn.intent == "deny":
            turn.say(f"Okay, autopay stays on for policy {ref}.")
            return await self.completed(turn, *choice.events)
        if turn.intent != "affirm":
            # Turning autopay off is a change to the account: ask first (rules send yes/no back).
            turn.say(
                f"{autopay_draft_sentence(billing)} Do you want to turn off autopay for policy "
                f"{ref}? Reply YES to turn it off or NO to keep it.",
                buttons=[
                    {"title": "Yes, turn it off", "payload": "/affirm"},
                    {"title": "No, keep it", "payload": "/deny"},
                ],
            )
            return [*choice.events, SlotSet("pending_task", self.task)]
        turn.say(autopay_cancelled_text(await connector.cancel_autopay(number)))
        return await self.completed(turn, *choice.events)


class ActionUpdatePaymentMethod(TaskAction):
    task = "update_payment_method"

    def name(self) -> str:
        return "action_update_payment_method"

    async def perform(self, turn: Turn) -> list[EventType]:
        choice = await choose_policy(turn, self.task)
        if choice.policy is None:
            if not choice.events:
                turn.say(NO_ELIGIBLE_POLICY[self.task])
                return await self.completed(turn)
            return choice.events
        number = choice.policy.policy_number
        billing = (await turn.services.connector.get_billing(number)).value
        if not billing.autopay.enabled:
            await _send_link(
                turn,
                number,
                "autopay_setup",
                f"Policy {mask_policy_number(number)} has no saved payment method because "
                "autopay is off. To save one and turn on autopay, use this secure page:",
            )
            return await self.completed(turn, *choice.events)
        await _send_link(
            turn,
            number,
            "update_method",
            f"Autopay on policy {mask_policy_number(number)} uses your "
            f"{method_words(billing.autopay.method)}. To change it, use this secure page:",
        )
        return await self.completed(turn, *choice.events)
