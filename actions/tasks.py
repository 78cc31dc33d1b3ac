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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from rasa_sdk.events import EventType, FollowupAction, SlotSet

from actions.base import PolicylineAction, Turn
from actions.wire import Button
from bot.conversation.answers.claims import claim_choice_prompt, claim_choice_title
from bot.conversation.answers.common import not_on_your_account_text
from bot.conversation.answers.policy import policy_choice_prompt, policy_choice_title
from bot.conversation.claim_choice import choose_claim as claim_named
from bot.conversation.intents import SELF_SERVICE_INTENTS
from bot.conversation.outcomes import Outcome
from bot.conversation.pending_choice import asks_something_else
from bot.conversation.policy_choice import Chosen, PolicyFacts
from bot.conversation.policy_choice import choose_policy as policy_named
from bot.conversation.tasks import SELF_SERVICE, Chooses
from bot.conversation.user_input import parse_claim_number, parse_policy_number
from pas_connector.models import Claim, Fresh, PolicyRef

# Derived from the task registry (bot/conversation/tasks/registry.py); nothing here lists tasks.
TASK_ACTIONS = {task.intent: task.action for task in SELF_SERVICE}
# What comes after the policy is chosen, when it is not the task action itself (forms first).
TASK_NEXT = {task.intent: task.form or task.action for task in SELF_SERVICE}
TASK_ELIGIBLE: dict[str, Callable[[PolicyRef], bool]] = {
    task.intent: task.eligible for task in SELF_SERVICE
}
NO_ELIGIBLE_POLICY = {task.intent: task.no_eligible_policy for task in SELF_SERVICE}
TASK_WORDS = {task.intent: task.words for task in SELF_SERVICE}


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


def answered_a_form(turn: Turn) -> bool:
    """Whether the latest message was an answer to a form (a ZIP, a code, a date of birth): it
    names no policy, claim or amount, whatever digits it has."""
    for event in reversed(turn.tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "action" and str(event.get("name", "")).endswith("_form"):
            return True
    return False


def request_texts(turn: Turn, task: str) -> list[str]:
    """Where a choice may be named, latest first: this message, then the one that asked for
    ``task`` ("my home dec page" names the policy before verification asked anything else):
    read as ``task``, or made the pending task by an action ("throw $120 at the car policy"
    read as details, the request found in it)."""
    texts = [turn.text] if turn.text and not answered_a_form(turn) else []
    made_pending = False
    for event in reversed(turn.tracker.events):
        if event.get("event") == "slot" and event.get("name") == "pending_task":
            made_pending = made_pending or event.get("value") == task
            continue
        if event.get("event") != "user":
            continue
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        text = str(event.get("text") or "")
        if (intent == task or made_pending) and text and not text.startswith("/"):
            if text not in texts:
                texts.append(text)
            break
        made_pending = False
    return texts


def resolve_claim(
    text: str,
    claims: Sequence[Claim],
    lines: Mapping[str, str],
    today: date,
    *,
    previous: str | None = None,
) -> Claim | None:
    """The one of ``claims`` that ``text`` names ("the hail claim", "the car one", "from May")."""
    if not text or len(claims) < 2:
        return None
    choice = claim_named(text, claims, lines=lines, today=today, previous=previous)
    return choice.item if isinstance(choice, Chosen) else None


async def policy_facts(turn: Turn, refs: Sequence[PolicyRef]) -> list[PolicyFacts]:
    """What each policy can be named by (vehicles, addresses), read in parallel (cached)."""
    if len(refs) < 2:
        return [PolicyFacts.from_ref(ref) for ref in refs]
    connector = turn.services.connector
    policies = await asyncio.gather(*(connector.get_policy(r.policy_number) for r in refs))
    return [PolicyFacts.from_policy(fresh.value) for fresh in policies]


def resolve_policy(
    text: str,
    refs: Sequence[PolicyRef],
    facts: Sequence[PolicyFacts],
    *,
    previous: str | None = None,
) -> PolicyRef | None:
    """The one of ``refs`` that ``text`` names, if exactly one."""
    if not text or len(refs) < 2:
        return None
    choice = policy_named(text, facts, previous=previous)
    if isinstance(choice, Chosen):
        for ref in refs:
            if ref.policy_number == choice.item.policy_number:
                return ref
    return None


def not_yours(turn: Turn, what: str) -> list[EventType]:
    """A number that is not the verified holder's: the same answer whether it exists or not."""
    turn.say(not_on_your_account_text(what))
    # The task stays pending: the next number or choice is for it.
    return [SlotSet("policy_number", None), SlotSet("claim_number", None)]


async def choose_policy(turn: Turn, task: str) -> PolicyChoice:
    """The policy for ``task``: slot (if owned), the only eligible one, the one the request or
    this message names ("the condo one", "my 2019 camry", "ending 002"), or ask (the events
    then activate ``policy_choice_form``).

    No eligible policy at all: ``policy`` is None and ``events`` empty (say why, end the task).
    A policy number that is not the holder's ends the task without saying whether it exists.
    """
    eligible = eligible_for(task)
    holder_id = turn.holder_id
    assert holder_id is not None, "choose_policy runs after verification"
    refs = (await turn.services.connector.list_policies(holder_id)).value
    candidates = tuple(ref for ref in refs if eligible(ref))
    wanted = turn.slot("policy_number")
    if wanted and not parse_policy_number(str(wanted)):
        wanted = None  # not shaped like a policy number ("75" read as one): no choice made
    if wanted:
        for ref in candidates:
            if same_policy(str(wanted), ref.policy_number):
                return PolicyChoice(ref, [SlotSet("policy_number", ref.policy_number)], candidates)
        if not any(same_policy(str(wanted), ref.policy_number) for ref in refs):
            return PolicyChoice(None, not_yours(turn, "policy"), candidates)
    if len(candidates) == 1:
        only = candidates[0]
        return PolicyChoice(only, [SlotSet("policy_number", only.policy_number)], candidates)
    if not candidates:
        return PolicyChoice(None, [], candidates)
    facts = await policy_facts(turn, candidates)
    for text in request_texts(turn, task):
        named = resolve_policy(text, candidates, facts)
        if named is not None:
            return PolicyChoice(named, [SlotSet("policy_number", named.policy_number)], candidates)
    return PolicyChoice(None, ask_which(task, Chooses.POLICY), candidates)


def ask_which(task: str, chooses: Chooses) -> list[EventType]:
    """Ask which policy (or claim) ``task`` is for: its choice form asks and reads the answer
    (``actions.choice_forms``), then the task resumes."""
    # No policy is selected while either question waits (a claim brings its own policy).
    cleared = ["policy_number", "claim_number"] if chooses is Chooses.CLAIM else ["policy_number"]
    return [
        SlotSet("pending_task", task),
        *(SlotSet(slot, None) for slot in cleared),
        SlotSet("choosing", chooses.value),
        FollowupAction(chooses.form),
    ]


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


def offered_policy_choice(turn: Turn, entity: str = "policy_number") -> bool:
    """Whether the assistant asked which policy (or claim: its buttons) since the request."""
    latest = True
    for event in reversed(turn.tracker.events):
        kind = event.get("event")
        if kind == "bot":
            buttons = (event.get("data") or {}).get("buttons") or []
            if any(
                str(button.get("payload", "")).startswith(f'/inform{{"{entity}"')
                for button in buttons
            ):
                return True
        elif kind == "user":
            if not latest:
                intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
                if intent in SELF_SERVICE_INTENTS:
                    return False  # back at the request: nothing was asked since
            latest = False
    return False


# An answer the assistant used: no miss (the human-exit count reads ``form_misses``).
ANSWER_USED = SlotSet("form_misses", 0.0)


async def pending_choice_answer(turn: Turn) -> list[EventType] | None:
    """The events that take this message as the answer to a "Which one?" whose form has ended,
    or None.

    While the question waits, its choice form reads every answer (``actions.choice_forms``).
    An interruption can end the form without the question being asked again ("help", then
    "the truck one"): a later reply that names exactly one of the offered items is still the
    choice, whatever intent the NLU guessed, unless it clearly asks for something else (the
    same reading as the form's: ``bot.conversation.pending_choice``).
    """
    task = turn.slot("pending_task")
    if not task or not turn.verified or not turn.text:
        return None
    if asks_something_else(turn.text, turn.intent, str(task)):
        return None
    if waits_for_choice(turn, "policy_number"):
        refs = (await turn.services.connector.list_policies(str(turn.holder_id))).value
        offered = [ref for ref in refs if eligible_for(str(task))(ref)]
        chosen = resolve_policy(turn.text, offered, await policy_facts(turn, offered))
        if chosen is None:
            return None
        return [
            SlotSet("policy_number", chosen.policy_number),
            ANSWER_USED,
            FollowupAction("action_resume_task"),
        ]
    if waits_for_choice(turn, "claim_number"):
        refs, claims = await holder_claims(turn)
        lines = {ref.policy_number: ref.line for ref in refs}
        claim = resolve_claim(turn.text, claims, lines, turn.now().date())
        if claim is None:
            return None
        return [
            SlotSet("claim_number", claim.claim_number),
            SlotSet("policy_number", claim.policy_number),
            ANSWER_USED,
            FollowupAction("action_resume_task"),
        ]
    return None


def claim_candidates(claims: Sequence[Claim]) -> list[Claim]:
    """The claims "which claim?" offers: the open ones, or every one when none is open."""
    return [c for c in claims if c.is_open] or list(claims)


def ask_claim_choice(turn: Turn, candidates: Sequence[Claim]) -> None:
    """Ask which claim with one button per claim."""
    buttons: list[Button] = [
        {"title": claim_choice_title(c), "payload": inform_payload("claim_number", c.claim_number)}
        for c in candidates
    ]
    turn.say(claim_choice_prompt(), buttons=buttons)


def first_after_the_message(turn: Turn) -> bool:
    """Whether this action is the first to handle the latest user message (not one an earlier
    action handed over to, which has read the message already)."""
    for event in reversed(turn.tracker.events):
        if event.get("event") == "user":
            return True
        if event.get("event") == "action" and event.get("name") != "action_listen":
            return False
    return True


def waits_for_choice(turn: Turn, entity: str) -> bool:
    """Whether "Which one?" (policy or claim buttons) was asked and is not answered yet."""
    return not turn.slot(entity) and offered_policy_choice(turn, entity)


async def answer_to_policy_choice(turn: Turn, task: str) -> PolicyRef | None:
    """The policy a reply names when the assistant waits for "Which policy?" for ``task``.

    NLU may read "auto" as autopay or "home" as something else; while the policy question waits,
    a reply that names one of the offered policies is the answer, whatever the intent, unless it
    clearly asks for something else (``pending_choice_answer``, the one rule).
    """
    if turn.holder_id is None or not waits_for_choice(turn, "policy_number"):
        return None
    if str(turn.slot("pending_task") or "") != task:
        return None
    events = await pending_choice_answer(turn)
    chosen = next((e.get("value") for e in events or [] if e.get("name") == "policy_number"), None)
    refs = (await turn.services.connector.list_policies(turn.holder_id)).value
    return next((ref for ref in refs if ref.policy_number == chosen), None)


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
        return [*extra, SlotSet("pending_task", None), SlotSet("last_task", self.task)]


@dataclass
class ClaimChoice:
    """The claim meant, or the events of asking which one; ``claims`` is every claim found.

    ``fresh`` is the chosen claim as its policy's claim list gave it (when it was read and
    whether it is a stale copy): the list carries every field of a claim, so nothing reads the
    claim again.
    """

    claim: Claim | None
    events: list[EventType] = field(default_factory=list)
    claims: tuple[Claim, ...] = ()
    fresh: Fresh[Claim] | None = None


async def holder_claim_lists(
    turn: Turn,
) -> tuple[tuple[PolicyRef, ...], tuple[Fresh[tuple[Claim, ...]], ...]]:
    """The verified holder's policies and each one's claim list (read in parallel, cached)."""
    holder_id = turn.holder_id
    assert holder_id is not None, "the holder's claims are read after verification"
    connector = turn.services.connector
    refs = (await connector.list_policies(holder_id)).value
    per_policy = await asyncio.gather(*(connector.list_claims(r.policy_number) for r in refs))
    return tuple(refs), tuple(per_policy)


async def holder_claims(turn: Turn) -> tuple[tuple[PolicyRef, ...], tuple[Claim, ...]]:
    """The verified holder's policies and every claim on them (read in parallel, cached)."""
    refs, lists = await holder_claim_lists(turn)
    return refs, tuple(claim for fresh in lists for claim in fresh.value)


def _as_listed(claim: Claim, lists: Sequence[Fresh[tuple[Claim, ...]]]) -> Fresh[Claim]:
    listed = next(fresh for fresh in lists if claim in fresh.value)
    return Fresh(claim, listed.fetched_at, from_cache=listed.from_cache, stale=listed.stale)


async def choose_claim(turn: Turn) -> ClaimChoice:
    """The claim for a status request: the slot's (if the holder's), the only open one (or only
    one), the one the request names, or ask (``claim_choice_form``). Choosing a claim also
    selects its policy.
    """
    refs, lists = await holder_claim_lists(turn)
    claims = tuple(claim for fresh in lists for claim in fresh.value)
    if not claims:
        return ClaimChoice(None, [], claims)
    wanted = parse_claim_number(str(turn.slot("claim_number") or ""))
    chosen = next((c for c in claims if c.claim_number == wanted), None)
    if wanted and chosen is None:
        return ClaimChoice(None, not_yours(turn, "claim"), claims)
    if chosen is None and len(claims) > 1:
        lines = {ref.policy_number: ref.line for ref in refs}
        for text in request_texts(turn, "claim_status"):
            chosen = resolve_claim(text, claims, lines, turn.now().date())
            if chosen is not None:
                break
    if chosen is None:
        candidates = claim_candidates(claims)
        if len(candidates) > 1:
            return ClaimChoice(None, ask_which("claim_status", Chooses.CLAIM), claims)
        chosen = candidates[0]
    return ClaimChoice(
        chosen,
        [
            SlotSet("claim_number", chosen.claim_number),
            SlotSet("policy_number", chosen.policy_number),
        ],
        claims,
        _as_listed(chosen, lists),
    )
