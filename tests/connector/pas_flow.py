"""Drive one self-service request through verification, turn by turn, counting PAS requests.

The actions run as the action server runs them (``Action.run``, what a call from Rasa executes);
a ``FollowupAction`` the call hands back is run next, as Rasa would, and a form named there is
activated by running its validation action. PAS requests are counted where they arrive: the
sandbox's own request counter (``/_sandbox/stats``), after the reads started ahead of
verification have landed.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from rasa_sdk import Action
from rasa_sdk.executor import CollectingDispatcher

import actions  # noqa: F401  (registers every action class)
from bot.bootstrap import Services
from tests.actions.conftest import Conversation
from tests.support.personas import Persona

# The tasks issue 21 counts, with what a policyholder says to ask for them.
TASKS: dict[str, tuple[str, str]] = {
    "verification": ("what's my balance", "check_balance"),
    "balance": ("what's my balance", "check_balance"),
    "payment history": ("show my last payments", "payment_history"),
    "claim status": ("where is my claim", "claim_status"),
    "ID card": ("send my id card", "request_id_card"),
    "dec page": ("send my declarations page", "request_declarations"),
    "certificate": ("I need a certificate of insurance", "request_certificate"),
    "autopay status": ("am I on autopay", "autopay_status"),
}
TASK_ACTIONS = {
    "check_balance": "action_check_balance",
    "payment_history": "action_payment_history",
    "claim_status": "action_claim_status",
    "request_id_card": "action_send_id_card",
    "request_declarations": "action_send_declarations",
    "request_certificate": "action_send_certificate",
    "autopay_status": "action_autopay_status",
}


def _subclasses(cls: type) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def all_actions() -> dict[str, Action]:
    found: dict[str, Action] = {}
    for cls in _subclasses(Action):
        if inspect.isabstract(cls) or not cls.__module__.startswith("actions"):
            continue
        try:
            action = cls()
            found[action.name()] = action
        except Exception:
            continue
    return found


# The choice forms' questions (actions/choice_forms.py), asked as Rasa starts them.
ASKED_WHEN_STARTED = {
    "policy_choice_form": "action_ask_policy_choice_form_policy_number",
    "claim_choice_form": "action_ask_claim_choice_form_claim_number",
}


@dataclass
class Flow:
    """One conversation, with the PAS requests and messages of each turn."""

    services: Services
    sandbox: Any
    domain: dict[str, Any]
    talk: Conversation
    actions: dict[str, Action] = field(default_factory=all_actions)
    requests: list[int] = field(default_factory=list)
    messages: list[list[str]] = field(default_factory=list)
    events: list[list[dict[str, Any]]] = field(default_factory=list)

    async def call(self, name: str) -> None:
        """One call from Rasa, then whatever it hands over to (as Rasa would run it)."""
        hops = 0
        while name and hops < 8:
            hops += 1
            if name in ASKED_WHEN_STARTED:
                # Rasa starts the choice form: nothing to validate yet, it asks its question
                name = ASKED_WHEN_STARTED[name]
            elif name.endswith("_form"):
                name = f"validate_{name}"
            dispatcher = CollectingDispatcher()
            events = await self.actions[name].run(dispatcher, self.talk.tracker(), self.domain)
            self.talk.apply(events)
            self.messages[-1] += [str(m.get("text") or "") for m in dispatcher.messages]
            self.events[-1] += list(events)
            follow = [e for e in events if e.get("event") == "followup"]
            if name == "validate_verification_form":
                done = self.talk.slots.get("date_of_birth") and self.talk.slots.get("zip_code")
                name = "action_verify_identity" if done else ""
            else:
                name = str(follow[-1]["name"]) if follow else ""

    async def turn(self, text: str, intent: str, first: str, **slots: Any) -> int:
        """The user says ``text``; ``first`` is the action Rasa predicts. PAS requests made."""
        before = self.sandbox.stats()["total"]
        self.messages.append([])
        self.events.append([])
        self.talk.user(text, intent)
        if slots:
            self.talk.candidate_slots(**slots)
        await self.call(first)
        settle = getattr(self.services.identity, "settle_read_ahead", None)
        if settle is not None:  # reads started ahead of verification land before counting
            await settle()
        made = int(self.sandbox.stats()["total"]) - int(before)
        self.requests.append(made)
        return made

    async def verified_request(self, persona: Persona, task: str) -> list[int]:
        """Ask for ``task`` (a key of ``TASKS``), verify by phone, date of birth and ZIP."""
        text, intent = TASKS[task]
        await self.turn(text, intent, TASK_ACTIONS[intent])
        self.talk.slots["requested_slot"] = "date_of_birth"
        await self.turn(
            persona.date_of_birth_typed,
            "inform",
            "verification_form",
            date_of_birth=persona.date_of_birth_typed,
        )
        self.talk.slots["requested_slot"] = "zip_code"
        await self.turn(persona.zip, "inform", "verification_form", zip_code=persona.zip)
        if self.talk.slots.get("org_name") is None and intent == "request_certificate":
            await self.certificate_holder()
        return self.requests

    async def certificate_holder(self) -> None:
        """The certificate form's answers, then the certificate (its PAS reads count too)."""
        self.talk.slots.update(org_name="Austin Credit Union", org_address="PO Box 1, Austin TX")
        answer = "Austin Credit Union, PO Box 1, Austin TX"
        await self.turn(answer, "inform", "action_send_certificate")

    async def task(self, task: str) -> int:
        """A further request in the same (verified) conversation."""
        text, intent = TASKS[task]
        return await self.turn(text, intent, TASK_ACTIONS[intent])
