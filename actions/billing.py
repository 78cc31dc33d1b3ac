"""Billing journeys: balance, payment history, making a payment (pay link) and its form."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.base import ACTION_DEADLINE_S, SafeFormValidation, Turn
from actions.tasks import TaskAction, choose_policy, same_policy
from bot.bootstrap import get_services
from bot.conversation.answers.billing import (
    amount_problem_text,
    balance_text,
    nothing_to_pay_text,
    payment_history_text,
)
from bot.conversation.answers.common import with_staleness
from bot.conversation.formatting import day
from bot.conversation.user_input import AmountProblem, amount_request_text, read_amount
from bot.money import money
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
            turn.say(f"{nothing_to_pay_text()} {balance_text(billing)}")
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
        check = check_amount(read_amount(str(requested)), billing)
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
    """Checks that the answer is exactly one well-formed amount (or FULL, or the past-due part),
    above zero and at most the balance; anything else is refused and asked again."""

    def name(self) -> str:
        return "validate_payment_form"

    async def validate_amount(
        self,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        requested = read_amount(amount_answer(value, tracker.latest_message))
        if isinstance(requested, AmountProblem):
            dispatcher.utter_message(text=amount_problem_text(requested))
            return {"amount": None}
        normalized = amount_request_text(requested)
        try:
            billing = await asyncio.wait_for(_owned_billing(tracker), timeout=ACTION_DEADLINE_S)
        except (PasUnavailable, asyncio.TimeoutError):
            # Accept the format now; action_make_payment checks the balance again.
            return {"amount": normalized}
        if billing is None:
            return {"amount": normalized}
        check = check_amount(requested, billing)
        if not check.ok:
            dispatcher.utter_message(text=check.message)
            return {"amount": None}
        return {"amount": normalized}


# What can only be an amount (no policy number, ZIP or date has this shape): "125", "$80.50".
PLAIN_AMOUNT = re.compile(r"\$?\d{1,4}(?:\.\d{2})?")


def amount_answer(value: Any, latest_message: dict[str, Any]) -> str:
    """The text to read the amount from.

    When ``value`` came from the latest message (the whole text, or one of its ``amount``
    entities), that whole message is read, with other entities' spans (policy numbers, dates)
    blanked: Rasa fills the slot with the *last* amount entity only, and an entity can leave out
    a minus sign the tokenizer split off ("- 5"), so reading just the entity could accept "$60"
    from "$50 or $60". A value from an earlier turn is read on its own.
    """
    said = str(value or "")
    text = str(latest_message.get("text") or "")
    entities = [e for e in latest_message.get("entities") or [] if isinstance(e, dict)]
    from_entity = any(e.get("entity") == "amount" and str(e.get("value")) == said for e in entities)
    if not said or not (said == text or from_entity):
        return said
    kept = list(text)
    for entity in entities:
        start, end = entity.get("start"), entity.get("end")
        if entity.get("entity") == "amount" or not isinstance(start, int):
            continue
        if not isinstance(end, int) or PLAIN_AMOUNT.fullmatch(text[start:end].strip()):
            continue  # "125" read as some other entity is still the amount asked for
        kept[start:end] = " " * (end - start)
    return "".join(kept)


async def _owned_billing(tracker: Tracker) -> Billing | None:
    """The billing of the chosen policy, only when the verified holder owns it."""
    policy_number = tracker.get_slot("policy_number")
    if not policy_number:
        return None
    services = get_services()
    identity = await services.identity.verified_identity(str(tracker.sender_id))
    if identity is None:
        return None
    connector = services.connector
    refs = (await connector.list_policies(identity.holder_id)).value
    for ref in refs:
        if same_policy(str(policy_number), ref.policy_number):
            return (await connector.get_billing(ref.policy_number)).value
    return None
