"""Follow-ups to an answer: a change of mind redoes the task just done for the new choice.

"No, the other one", "actually the home policy", "I meant the hail claim" or another of the
holder's numbers right after an answer redo that task for the policy or claim now meant, without
verifying again. ``action_follow_up`` also answers a bare "no" or an answer to nothing.
"""

from __future__ import annotations

import re

from rasa_sdk.events import EventType, FollowupAction, SlotSet

from actions.base import PolicylineAction, Turn, earlier_misses_in_a_row
from actions.tasks import (
    eligible_for,
    holder_claims,
    pending_choice_answer,
    policy_facts,
    resolve_claim,
    resolve_policy,
)
from bot.conversation.answers.did_you_mean import offered_choices
from bot.conversation.corrections import (
    AfterAnswer,
    amount_correction,
    is_change_of_mind,
    is_decline,
    is_plain_yes,
    read_after_answer,
)
from bot.conversation.intents import SELF_SERVICE_INTENTS
from bot.conversation.pending_choice import asks_something_else
from bot.conversation.tasks import Chooses, task_for
from bot.conversation.user_input import amount_request_text, parse_policy_number

# A correction the NLU read as another request is short: "oops I meant auto".
CORRECTION_MAX_WORDS = 6


def _entity(turn: Turn, name: str) -> str | None:
    for entity in turn.tracker.latest_message.get("entities") or []:
        if entity.get("entity") == name and entity.get("value"):
            return str(entity["value"])
    return None


async def change_of_mind(turn: Turn) -> list[EventType] | None:
    """Events that redo the last task for the choice this message makes, or None.

    Only for a verified holder right after a task, when the message names another of its
    policies or claims (or clearly takes the last answer back); a new, different request is
    not a change of mind.
    """
    last = task_for(turn.slot("last_task"))
    if last is None or not last.self_service or not turn.verified:
        return None
    amount = amount_correction(turn.text) if last.intent == "make_payment" else None
    if turn.intent in SELF_SERVICE_INTENTS and turn.intent != last.intent and amount is None:
        # Another request, unless it is a short "oops, I meant auto" the NLU read as one.
        reply = read_after_answer(turn.text)
        short = len(turn.text.split()) <= CORRECTION_MAX_WORDS
        if not (short and reply.kind is AfterAnswer.CHANGE_OF_MIND and reply.names_a_choice):
            return None
    assert turn.holder_id is not None
    if amount is not None:
        # "wait, make it 75": the same payment (same policy) for the new amount
        return [
            SlotSet("pending_task", last.intent),
            SlotSet("amount", amount_request_text(amount)),
            FollowupAction("action_resume_task"),
        ]
    if last.chooses is Chooses.CLAIM:
        given = _entity(turn, "claim_number")
        if given is None:
            if not is_change_of_mind(turn.text):
                return None
            refs, claims = await holder_claims(turn)
            claim = resolve_claim(
                turn.text,
                claims,
                {ref.policy_number: ref.line for ref in refs},
                turn.now().date(),
                previous=turn.slot("claim_number"),
            )
            given = claim.claim_number if claim is not None else None
        return [
            SlotSet("pending_task", last.intent),
            SlotSet("claim_number", given),
            FollowupAction("action_resume_task"),
        ]
    given = _entity(turn, "policy_number")
    if given is not None and not parse_policy_number(given):
        given = None  # "75" tagged as a policy number is none
    if given is None:
        if not is_change_of_mind(turn.text):
            return None
        policies = (await turn.services.connector.list_policies(turn.holder_id)).value
        offered = [ref for ref in policies if eligible_for(last.intent)(ref)]
        chosen = resolve_policy(
            turn.text,
            offered,
            await policy_facts(turn, offered),
            previous=turn.slot("policy_number"),
        )
        given = chosen.policy_number if chosen is not None else None
    turn.tracker.slots["policy_number"] = given
    return [
        SlotSet("pending_task", last.intent),
        SlotSet("policy_number", given),
        FollowupAction("action_resume_task"),
    ]


async def choice_or_correction(turn: Turn) -> list[EventType] | None:
    """The events for a reply that answers the waiting "Which one?" or corrects the answer just
    given, whatever intent the NLU guessed; None for anything else.

    One rule for every action that is first to read a message (a quote, a policy change, a
    handoff the NLU guessed for "homeowners" or "oh sorry, change that to 90"): the choice or
    the correction wins unless the reply clearly asks for something else (a person, start over,
    stop, another task in its own words).
    """
    chosen = await pending_choice_answer(turn)
    if chosen is not None:
        return chosen
    last = turn.slot("last_task")
    if not last or turn.slot("pending_task"):
        return None
    if asks_something_else(turn.text, turn.intent, str(last)):
        return None
    return await change_of_mind(turn)


# Details that only come with a request (identity answers, a certificate holder, an amount to
# pay): a message of them that the NLU reads as ``inform`` still carries the request it came
# with.
REQUEST_DETAILS = frozenset({"date_of_birth", "zip_code", "org_name", "org_address", "amount"})


# An amount comes with a request only in a message of a few words ("throw $120 at the car").
MIN_WORDS_WITH_AMOUNT = 3


def _volunteered_task(turn: Turn) -> str | None:
    """The request in a message of details ("balance pls, dob 4/12/85"): the self-service intent
    the NLU ranks right after ``inform``. Its confidence says little (DIET ranks sharply); its
    place does, and only messages with details that come with a request are read this way."""
    entities = {e.get("entity") for e in turn.tracker.latest_message.get("entities") or []}
    details = entities & REQUEST_DETAILS
    if not details:
        return None
    if (
        details == {"amount"}
        and len(re.findall(r"[a-z]+", turn.text.lower())) < MIN_WORDS_WITH_AMOUNT
    ):
        return None  # "60" alone says no request ("put 60 on the car" does)
    ranking = [r.get("name") for r in turn.tracker.latest_message.get("intent_ranking") or []]
    if len(ranking) < 2 or ranking[0] != "inform":
        return None
    return str(ranking[1]) if ranking[1] in SELF_SERVICE_INTENTS else None


class ActionFollowUp(PolicylineAction):
    """A "yes", a "no" or an answer with nothing asked: a choice, a change of mind, a waiting
    task, or a prompt."""

    def name(self) -> str:
        return "action_follow_up"

    def task_intent(self, turn: Turn) -> str | None:
        return turn.slot("pending_task") or turn.slot("last_task")

    async def act(self, turn: Turn) -> list[EventType]:
        # "no, the home one" while "which one?" waits was taken as the answer before this runs
        # (PolicylineAction._read_then_act).
        if turn.slot("pending_task") and turn.intent == "inform":
            # An answer to "which one?", or after an interruption ended a form: the waiting
            # task goes on (verified: with this answer as its choice).
            return [FollowupAction("action_resume_task" if turn.verified else "action_start_task")]
        redo = await change_of_mind(turn)
        if redo is not None:
            return redo
        missed_before = earlier_misses_in_a_row(turn.tracker) > 0
        if turn.intent == "deny":
            if missed_before and (
                not is_decline(turn.text) or offered_choices(turn.tracker.events)
            ):
                # not a "no" after a miss ("xcvb nm,."), or "none of these" after "did you
                # mean ...?": one more message not understood
                return [FollowupAction("action_understanding_fallback")]
            turn.dispatcher.utter_message(response="utter_no_problem")
            return [SlotSet("pending_task", None)]
        if turn.intent == "affirm":
            if missed_before and not is_plain_yes(turn.text):
                # words the NLU read as "yes" right after a miss ("mmmm kkkk"): one more
                # message not understood, and the second in a row reaches a person
                return [FollowupAction("action_understanding_fallback")]
            # A "yes" to nothing asked: what can I do for you. (A word the NLU read as "yes"
            # that names an offered choice, "home", was taken as the choice above.)
            turn.dispatcher.utter_message(response="utter_ask_task")
            return []
        volunteered = _volunteered_task(turn)
        if volunteered is not None:
            # "balance pls, dob 4/12/85": read as details, but the request is in it too.
            return [SlotSet("pending_task", volunteered), FollowupAction("action_start_task")]
        if missed_before or not turn.tracker.latest_message.get("entities"):
            # An "answer" to nothing that names nothing: not understood after all.
            return [FollowupAction("action_understanding_fallback")]
        turn.dispatcher.utter_message(response="utter_ask_task")
        return []
