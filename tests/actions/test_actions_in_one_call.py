"""One call from Rasa runs an action and the Policyline actions it hands over to.

Verify → resume the task → the task used to be three calls from Rasa (each a tracker sent, a
prediction and a reply checked). Now the action server runs them in one call and tells Rasa what
ran (``ActionExecuted``), so Rasa's tracker reads as it did with separate calls.
"""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions import base
from actions.base import tracker_after
from actions.identity import ActionResumeTask, ActionVerifyIdentity
from pas_connector.errors import PasUnavailable
from tests.actions.conftest import JOSE, MARIA, Conversation, Result, run, run_call


def executed(result: Result) -> list[str]:
    return [e["name"] for e in result.events if e["event"] == "action"]


def verifying(persona: Any, task: str) -> Conversation:
    talk = Conversation(phone=persona.phone).user(persona.zip, "inform")
    talk.slots.update(pending_task=task, date_of_birth=persona.date_of_birth, zip_code=persona.zip)
    return talk


async def test_a_verified_answer_is_one_call_with_the_task_run_in_it(services, domain):
    result = await run_call(ActionVerifyIdentity(), verifying(MARIA, "request_id_card"), domain)
    assert executed(result) == ["action_resume_task", "action_send_id_card"]
    assert result.followup is None  # nothing is left for Rasa to call
    assert "verified" in result.text
    assert result.payloads, "the ID card link is in the same reply"
    assert result.slot("pending_task") is None


async def test_one_call_ends_as_separate_calls_do(services, domain):
    chained = verifying(MARIA, "check_balance")
    one_call = await run_call(ActionVerifyIdentity(), chained, domain)

    stepwise = verifying(MARIA, "check_balance")
    stepwise.sender_id = chained.sender_id + "-stepwise"
    steps = [await run(ActionVerifyIdentity(), stepwise, domain)]
    while steps[-1].followup in ("action_resume_task", "action_check_balance"):
        steps.append(await run(base.actions_by_name()[str(steps[-1].followup)], stepwise, domain))

    assert [m.get("text") for m in one_call.messages] == [
        m.get("text") for s in steps for m in s.messages
    ]
    assert chained.slots == stepwise.slots
    assert "$" in one_call.text


async def test_a_form_after_the_task_is_left_to_rasa(services, domain):
    result = await run_call(ActionVerifyIdentity(), verifying(MARIA, "make_payment"), domain)
    assert executed(result) == ["action_resume_task"]
    assert result.followup == "payment_form"


async def test_a_choice_to_make_waits_for_the_answer(services, domain):
    result = await run_call(ActionVerifyIdentity(), verifying(JOSE, "request_declarations"), domain)
    assert executed(result) == ["action_resume_task"]
    # which policy: a form, so Rasa runs it (it asks with the buttons and waits)
    assert result.followup == "policy_choice_form"


async def test_too_little_time_left_leaves_the_next_action_to_rasa(
    services, domain, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(base, "CHAIN_MIN_BUDGET_S", ActionVerifyIdentity.deadline_s + 1)
    result = await run_call(ActionVerifyIdentity(), verifying(MARIA, "request_id_card"), domain)
    assert executed(result) == []
    assert result.followup == "action_resume_task"


async def test_a_failure_in_a_later_action_keeps_what_the_earlier_ones_did(
    services, domain, monkeypatch: pytest.MonkeyPatch
):
    async def outage(self: Any, turn: Any) -> list[dict[str, Any]]:
        raise PasUnavailable("get_policy")

    monkeypatch.setattr(ActionResumeTask, "act", outage)
    talk = verifying(MARIA, "request_id_card")
    result = await run_call(ActionVerifyIdentity(), talk, domain)
    assert executed(result) == ["action_resume_task"]
    assert talk.slots["assurance"] == "verified"  # the verification still stands
    assert talk.slots["pending_task"] is None
    assert "verified" in result.text and "try again" in result.text.lower()


def test_the_next_action_sees_the_tracker_rasa_would_give_it() -> None:
    talk = Conversation(phone=MARIA.phone).user("home", "inform")
    talk.slots.update(pending_task="request_id_card", policy_number=None)
    dispatcher = CollectingDispatcher()
    dispatcher.utter_message(text="Which policy?", buttons=[{"title": "Home", "payload": "/x"}])
    events = [
        {"event": "slot", "name": "policy_number", "value": "HOM-2000002"},
        {"event": "active_loop", "name": "payment_form"},
    ]
    after = tracker_after(talk.tracker(), dispatcher.messages, events, "action_resume_task")
    assert after.get_slot("policy_number") == "HOM-2000002"
    assert after.get_slot("pending_task") == "request_id_card"
    assert after.active_loop == {"name": "payment_form"}
    assert after.latest_action_name == "action_resume_task"
    assert after.events[-1]["event"] == "action"
    bot = [e for e in after.events if e["event"] == "bot"]
    assert bot[0]["data"]["buttons"] == [{"title": "Home", "payload": "/x"}]
    reset = tracker_after(after, [], [{"event": "reset_slots"}], "action_handoff")
    assert all(value is None for value in reset.slots.values())
