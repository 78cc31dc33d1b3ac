"""Billing journeys: balance, payment history, making a payment (pay link) and its form."""

from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.base import ACTION_DEADLINE_S, VERIFIED_LEVELS, SafeFormValidation, Turn
from actions.tasks import TaskAction, choose_policy, same_policy
from bot.bootstrap import get_services
from bot.conversation.answers.billing import balance_text, payment_history_text
from bot.conversation.answers.common import with_staleness
from bot.conversation.formatting import day, money
from bot.conversation.user_input import parse_amount
from bot.payments.amounts import check_amount
from pas_connector.errors import PasUnavailable
from pas_connector.models import Billing

# Payments listed in a history answer (SMS-sized).
HISTORY_LIMIT = 5


class ActionCheckBalance(TaskAction):
    task = "check_balance"

    def name(self) -> str:
        return "action_check_balance"

    async def perform(self, turn: Turn) -> list[EventType]:
        choice = await choose_policy(turn, self.task)
        if choice.policy is None:
            return choice.events
        fresh = await turn.services.connector.get_billing(choice.policy.policy_number)
        turn.say(
            with_staleness(
                balance_text(fresh.value),
                stale=fresh.stale,
                fetched_at=fresh.fetched_at,
                now=turn.now(),
            )
        )
        return await self.completed(turn, *choice.events)


class ActionPaymentHistory(TaskAction):
    task = "payment_history"

    def name(self) -> str:
        return "action_payment_history"

    async def perform(self, turn: Turn) -> list[EventType]:
        choice = await choose_policy(turn, self.task)
        if choice.policy is None:
            return choice.events
        number = choice.policy.policy_number
        records = await turn.services.connector.payment_history(number, limit=HISTORY_LIMIT)
        turn.say(payment_history_text(records, number, HISTORY_LIMIT))
        return await self.completed(turn, *choice.events)


class ActionMakePayment(TaskAction):
    """After ``payment_form``: check the amount against the balance and send a pay link."""

    task = "make_payment"

    def name(self) -> str:
        return "action_make_payment"

    async def perform(self, turn: Turn) -> list[EventType]:
        choice = await choose_policy(turn, self.task)
        if choice.policy is None:
            return choice.events
        number = choice.policy.policy_number
        fresh = await turn.services.connector.get_billing(number)
        billing = fresh.value
        if billing.balance <= 0:
            turn.say(f"There is no balance due on this policy right now. {balance_text(billing)}")
            return await self.completed(turn, *choice.events, SlotSet("amount", None))
        requested = turn.slot("amount")
        if not requested:
            due = f" due {day(billing.due_date)}" if billing.due_date else ""
            turn.say(
                f"Your balance is {money(billing.balance)}{due}"
                + (
                    f" (minimum {money(billing.minimum_due)})."
                    if 0 < billing.minimum_due < billing.balance
                    else "."
                )
            )
            return [
                *choice.events,
                SlotSet("pending_task", self.task),
                FollowupAction("payment_form"),
            ]
        check = check_amount(parse_amount(str(requested)), billing.balance)
        if not check.ok or check.amount is None:
            turn.say(check.message or "Please tell me the amount again.")
            return [
                *choice.events,
                SlotSet("amount", None),
                SlotSet("pending_task", self.task),
                FollowupAction("payment_form"),
            ]
        link = await asyncio.to_thread(
            turn.services.payments.issue,
            number,
            check.amount,
            turn.conversation_id,
            turn.channel,
            "one_time",
        )
        turn.say(
            f"Here is your secure link to pay {money(check.amount)}: {link.url} "
            "It works once and expires in 30 minutes."
        )
        turn.send_payload({"pay_link": link.payload()})
        return await self.completed(turn, *choice.events, SlotSet("amount", None))


class ValidatePaymentForm(SafeFormValidation):
    """Checks the amount's format and that it is above zero and at most the balance."""

    def name(self) -> str:
        return "validate_payment_form"

    async def validate_amount(
        self,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        requested = parse_amount(str(value or ""))
        if requested is None:
            dispatcher.utter_message(
                text="Sorry, I didn't get the amount. Reply with an amount like $50, or 'full'."
            )
            return {"amount": None}
        normalized = "full" if requested == "full" else f"{requested:.2f}"
        try:
            billing = await asyncio.wait_for(_owned_billing(tracker), timeout=ACTION_DEADLINE_S)
        except (PasUnavailable, asyncio.TimeoutError):
            # Accept the format now; action_make_payment checks the balance again.
            return {"amount": normalized}
        if billing is None:
            return {"amount": normalized}
        check = check_amount(requested, billing.balance)
        if not check.ok:
            dispatcher.utter_message(text=check.message)
            return {"amount": None}
        return {"amount": normalized}


async def _owned_billing(tracker: Tracker) -> Billing | None:
    """The billing of the chosen policy, only when the verified holder owns it."""
    holder_id = tracker.get_slot("holder_id")
    policy_number = tracker.get_slot("policy_number")
    if not holder_id or not policy_number or tracker.get_slot("assurance") not in VERIFIED_LEVELS:
        return None
    connector = get_services().connector
    refs = (await connector.list_policies(str(holder_id))).value
    for ref in refs:
        if same_policy(str(policy_number), ref.policy_number):
            return (await connector.get_billing(ref.policy_number)).value
    return None
