"""Billing journeys: balance, payment history, making a payment (pay link) and its form."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.base import ACTION_DEADLINE_S, SafeFormValidation, Turn
from actions.tasks import (
    TaskAction,
    choose_policy,
    eligible_for,
    policy_facts,
    resolve_policy,
    same_policy,
)
from bot.bootstrap import get_services
from bot.conversation.answers.billing import (
    amount_problem_text,
    balance_text,
    nothing_to_pay_text,
    payment_history_text,
)
from bot.conversation.answers.common import with_staleness
from bot.conversation.formatting import day
from bot.conversation.pending_choice import asks_something_else
from bot.conversation.user_input import AmountProblem, amount_request_text, read_amount
from bot.money import money
from bot.payments.amounts import check_amount
from pas_connector.errors import PasUnavailable
from pas_connector.models import Billing, PolicyRef

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

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """A change of policy while asked the amount ("no, the home one") switches the payment
        to that policy and asks again with its balance: no verification, no miss counted."""
        try:
            switched = await asyncio.wait_for(_switched_policy(tracker), timeout=ACTION_DEADLINE_S)
        except (PasUnavailable, asyncio.TimeoutError):
            switched = None
        if switched is None:
            return await super().run(dispatcher, tracker, domain)
        ref, billing = switched
        dispatcher.utter_message(text=balance_text(billing))
        return [
            SlotSet("policy_number", ref.policy_number),
            SlotSet("amount", None),
            SlotSet("form_misses", 0.0),
        ]

    async def validate_amount(
        self,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        requested = read_amount(amount_answer(value, tracker.latest_message, tracker.events))
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


def amount_answer(
    value: Any, latest_message: dict[str, Any], events: Sequence[dict[str, Any]] = ()
) -> str:
    """The text to read the amount from.

    When ``value`` came from a message (the whole text, or one of its ``amount`` entities), that
    whole message is read, with other entities' spans (policy numbers, dates) blanked: Rasa
    fills the slot with the *last* amount entity only, an entity can leave out a minus sign the
    tokenizer split off ("- 5"), and it can be only part of an amount in words ("fifty" of "a
    hundred and fifty"), so reading just the entity could accept "$60" from "$50 or $60" or $50
    for $150. The message is the latest one, or else the latest earlier one with that entity
    (an amount given with the request, before verification). A value the assistant wrote itself
    ("150.00", "full") is read on its own.
    """
    said = str(value or "")
    message = _message_with_amount(said, latest_message, events)
    if not said or message is None:
        return said
    text = str(message.get("text") or "")
    entities = [e for e in message.get("entities") or [] if isinstance(e, dict)]
    kept = list(text)
    for entity in entities:
        start, end = entity.get("start"), entity.get("end")
        if entity.get("entity") == "amount" or not isinstance(start, int):
            continue
        if not isinstance(end, int) or PLAIN_AMOUNT.fullmatch(text[start:end].strip()):
            continue  # "125" read as some other entity is still the amount asked for
        kept[start:end] = " " * (end - start)
    return "".join(kept)


def _has_amount_entity(message: dict[str, Any], said: str) -> bool:
    entities = message.get("entities") or []
    return any(
        isinstance(e, dict) and e.get("entity") == "amount" and str(e.get("value")) == said
        for e in entities
    )


def _message_with_amount(
    said: str, latest_message: dict[str, Any], events: Sequence[dict[str, Any]]
) -> dict[str, Any] | None:
    """The user message ``said`` came from: the latest (its whole text or an amount entity of
    it), or the latest earlier message with that amount entity; None when none gave it."""
    if said and (said == str(latest_message.get("text") or "")):
        return latest_message
    if said and _has_amount_entity(latest_message, said):
        return latest_message
    if not said or said == amount_request_text_of(said):
        return None  # written by the assistant: already one amount
    for event in reversed(events):
        if event.get("event") != "user":
            continue
        parsed = dict(event.get("parse_data") or {})
        if _has_amount_entity(parsed, said):
            parsed["text"] = event.get("text") or parsed.get("text")
            return parsed
    return None


def amount_request_text_of(said: str) -> str | None:
    """``said`` as the assistant keeps an amount (``150.00``, ``full``), or None."""
    read = read_amount(said)
    return None if isinstance(read, AmountProblem) else amount_request_text(read)


async def _switched_policy(tracker: Tracker) -> tuple[PolicyRef, Billing] | None:
    """Another of the holder's policies that the answer to "How much?" names instead of an
    amount, with its billing; None when the answer is (or tries to be) an amount, names the
    same policy or none, or asks for something else."""
    text = str(tracker.latest_message.get("text") or "")
    if tracker.get_slot("requested_slot") != "amount" or not text or text.startswith("/"):
        return None
    if read_amount(text) is not AmountProblem.MISSING:
        return None
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    if asks_something_else(text, intent, "make_payment"):
        return None
    services = get_services()
    identity = await services.identity.verified_identity(str(tracker.sender_id))
    if identity is None or identity.holder_id is None:
        return None
    refs = (await services.connector.list_policies(identity.holder_id)).value
    offered = [ref for ref in refs if eligible_for("make_payment")(ref)]
    turn = Turn(CollectingDispatcher(), tracker, {}, services, identity)
    current = str(tracker.get_slot("policy_number") or "")
    chosen = resolve_policy(text, offered, await policy_facts(turn, offered), previous=current)
    if chosen is None or (current and same_policy(current, chosen.policy_number)):
        return None
    return chosen, (await services.connector.get_billing(chosen.policy_number)).value


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
