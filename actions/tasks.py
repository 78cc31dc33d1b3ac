"""Self-service tasks: the verification gate, choosing a policy, and finishing a task.

A ``TaskAction`` serves one self-service intent. Unverified, it hands over to
``action_start_task`` (which verifies, then resumes the task). Verified, it picks the policy the
task is for: the one in the ``policy_number`` slot if the policyholder owns it, the only eligible
one, or else it asks with one button per policy and waits (``pending_task`` remembers the task).
"""

from __future__ import annotations

import asyncio
import json
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from rasa_sdk.events import EventType, FollowupAction, SlotSet

from actions.base import PolicylineAction, Turn
from actions.wire import Button
from bot.conversation.answers.claims import claim_choice_prompt, claim_choice_title
from bot.conversation.answers.policy import policy_choice_prompt, policy_choice_title
from bot.conversation.outcomes import Outcome
from bot.conversation.policy_choice import pick_policy
from bot.conversation.user_input import parse_claim_number
from pas_connector.models import Claim, PolicyRef

# The action that performs each self-service intent (docs/dialogue-contract.md).
TASK_ACTIONS = {
    "request_id_card": "action_send_id_card",
    "request_declarations": "action_send_declarations",
    "request_certificate": "action_send_certificate",
    "check_balance": "action_check_balance",
    "payment_history": "action_payment_history",
    "make_payment": "action_make_payment",
    "autopay_enroll": "action_autopay_enroll",
    "autopay_cancel": "action_autopay_cancel",
    "autopay_status": "action_autopay_status",
    "update_payment_method": "action_update_payment_method",
    "claim_status": "action_claim_status",
    "policy_summary": "action_policy_summary",
}
# What comes after the policy is chosen, when it is not the task action itself (forms first).
TASK_NEXT = {
    **TASK_ACTIONS,
    "request_certificate": "certificate_form",
    "make_payment": "payment_form",
}


def _in_force(ref: PolicyRef) -> bool:
    return ref.status in ("active", "pending_cancel")


# Which of a holder's policies a task can be for; the others are not offered.
TASK_ELIGIBLE: dict[str, Callable[[PolicyRef], bool]] = {
    "request_id_card": lambda ref: ref.line == "auto",
    "autopay_enroll": _in_force,
    "update_payment_method": _in_force,
}
# What to say when none of the holder's policies fits the task.
NO_ELIGIBLE_POLICY = {
    "request_id_card": "ID cards are only issued for auto policies, and I don't see an auto "
    "policy for you. I can send your declarations page instead.",
    "autopay_enroll": "Autopay can only be set up on a policy that is in force.",
    "update_payment_method": "There is no policy in force to update a payment method on.",
}
# How each task is named in "Which one is this ... for?"
TASK_WORDS = {
    "request_id_card": "ID card",
    "request_declarations": "declarations page",
    "request_certificate": "certificate",
    "check_balance": "balance",
    "payment_history": "payment history",
    "make_payment": "payment",
    "autopay_enroll": "autopay set-up",
    "autopay_cancel": "autopay change",
    "autopay_status": "autopay question",
    "update_payment_method": "payment method change",
    "claim_status": "claim",
    "policy_summary": "summary",
}


# A reply this short right after "Which policy?" is read as the answer to it.
SHORT_REPLY_WORDS = 4


def inform_payload(entity: str, value: str) -> str:
    """A button payload that sends ``inform`` with one entity, e.g. the chosen policy."""
    return f"/inform{json.dumps({entity: value}, separators=(',', ':'))}"


def same_policy(slot_value: str, policy_number: str) -> bool:
    """Whether what the user gave (``AUT-1000001``, ``aut 1000001``, ``1000001``) names it."""
    given = re.sub(r"[\s-]", "", slot_value).upper()
    canonical = policy_number.replace("-", "").upper()
    return given == canonical or (given.isdigit() and canonical.endswith(given) and len(given) >= 7)


@dataclass
class PolicyChoice:
    """The policy a task is for, or the events of asking which one (``policy`` is then None)."""

    policy: PolicyRef | None
    events: list[EventType] = field(default_factory=list)
    eligible: tuple[PolicyRef, ...] = ()


def eligible_for(task: str) -> Callable[[PolicyRef], bool]:
    """Which policies ``task`` can be for."""
    return TASK_ELIGIBLE.get(task, lambda ref: True)


async def choose_policy(turn: Turn, task: str) -> PolicyChoice:
    """The policy for ``task``: slot (if owned), the only eligible one, the one the latest message
    names ("the home one", "002"), or ask with buttons.

    No eligible policy at all: ``policy`` is None and ``events`` empty (say why, end the task).
    """
    eligible = eligible_for(task)
    holder_id = turn.holder_id
    assert holder_id is not None, "choose_policy runs after verification"
    refs = (await turn.services.connector.list_policies(holder_id)).value
    candidates = tuple(ref for ref in refs if eligible(ref))
    wanted = turn.slot("policy_number")
    if wanted:
        for ref in candidates:
            if same_policy(str(wanted), ref.policy_number):
                return PolicyChoice(ref, [SlotSet("policy_number", ref.policy_number)], candidates)
    if len(candidates) == 1:
        only = candidates[0]
        return PolicyChoice(only, [SlotSet("policy_number", only.policy_number)], candidates)
    named = pick_policy(turn.text, candidates)
    if named is not None:
        return PolicyChoice(named, [SlotSet("policy_number", named.policy_number)], candidates)
    if not candidates:
        return PolicyChoice(None, [], candidates)
    ask_policy_choice(turn, task, candidates)
    return PolicyChoice(
        None, [SlotSet("pending_task", task), SlotSet("policy_number", None)], candidates
    )


def ask_policy_choice(turn: Turn, task: str, refs: Sequence[PolicyRef]) -> None:
    """Ask which policy with one button per policy."""
    buttons: list[Button] = [
        {
            "title": policy_choice_title(ref),
            "payload": inform_payload("policy_number", ref.policy_number),
        }
        for ref in refs
    ]
    turn.say(policy_choice_prompt(TASK_WORDS.get(task, "request")), buttons=buttons)


def offered_policy_choice(turn: Turn) -> bool:
    """Whether the assistant's last message asked which policy (policy buttons)."""
    for event in reversed(turn.tracker.events):
        if event.get("event") == "bot":
            buttons = (event.get("data") or {}).get("buttons") or []
            return any(
                str(button.get("payload", "")).startswith('/inform{"policy_number"')
                for button in buttons
            )
    return False


async def answer_to_policy_choice(turn: Turn, task: str) -> PolicyRef | None:
    """The policy a short reply names when the last question was "Which policy?".

    NLU may read "auto" as autopay or "home" as something else; right after the policy question
    a short reply that names one of the offered policies is the answer, whatever the intent.
    """
    if len(turn.text.split()) > SHORT_REPLY_WORDS or not offered_policy_choice(turn):
        return None
    holder_id = turn.holder_id
    if holder_id is None:
        return None
    refs = (await turn.services.connector.list_policies(holder_id)).value
    return pick_policy(turn.text, [ref for ref in refs if eligible_for(task)(ref)])


def begin_verification(task: str) -> list[EventType]:
    """Hand an unverified request to ``action_start_task``, remembering the task."""
    return [SlotSet("pending_task", task), FollowupAction("action_start_task")]


class TaskAction(PolicylineAction, ABC):
    """An action that performs one self-service task for a verified policyholder."""

    task: str

    def task_intent(self, turn: Turn) -> str | None:
        return self.task

    async def act(self, turn: Turn) -> list[EventType]:
        if not turn.verified:
            return begin_verification(self.task)
        return await self.perform(turn)

    @abstractmethod
    async def perform(self, turn: Turn) -> list[EventType]:
        """The task itself; the policyholder is verified."""

    async def completed(self, turn: Turn, *extra: EventType) -> list[EventType]:
        """Record the task as contained and clear it."""
        await turn.record(self.task, Outcome.CONTAINED)
        return [*extra, SlotSet("pending_task", None)]


@dataclass
class ClaimChoice:
    """The claim meant, or the events of asking which one; ``claims`` is every claim found."""

    claim: Claim | None
    events: list[EventType] = field(default_factory=list)
    claims: tuple[Claim, ...] = ()


async def choose_claim(turn: Turn) -> ClaimChoice:
    """The claim for a status request: the slot's (if the holder's), the only open one (or only
    one), or ask with one button per claim. Choosing a claim also selects its policy.
    """
    holder_id = turn.holder_id
    assert holder_id is not None, "choose_claim runs after verification"
    connector = turn.services.connector
    refs = (await connector.list_policies(holder_id)).value
    per_policy = await asyncio.gather(*(connector.list_claims(r.policy_number) for r in refs))
    claims = tuple(claim for fresh in per_policy for claim in fresh.value)
    if not claims:
        return ClaimChoice(None, [], claims)
    wanted = parse_claim_number(str(turn.slot("claim_number") or ""))
    chosen = next((c for c in claims if c.claim_number == wanted), None)
    if chosen is None:
        candidates = [c for c in claims if c.is_open] or list(claims)
        if len(candidates) > 1:
            buttons: list[Button] = [
                {
                    "title": claim_choice_title(c),
                    "payload": inform_payload("claim_number", c.claim_number),
                }
                for c in candidates
            ]
            turn.say(claim_choice_prompt(), buttons=buttons)
            return ClaimChoice(
                None,
                [SlotSet("pending_task", "claim_status"), SlotSet("claim_number", None)],
                claims,
            )
        chosen = candidates[0]
    return ClaimChoice(
        chosen,
        [
            SlotSet("claim_number", chosen.claim_number),
            SlotSet("policy_number", chosen.policy_number),
        ],
        claims,
    )
