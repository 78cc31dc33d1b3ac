"""Choosing among several policies: words in SMS/voice replies, and a fresh choice per task."""

from __future__ import annotations

from actions.identity import ActionResumeTask, ActionStartTask
from tests.actions.conftest import JOSE, Conversation, run


async def test_jose_answering_the_home_one_gets_his_home_policy(services, domain):
    talk = Conversation(phone=JOSE.phone).user("11215", "inform").verified("H0000005")
    talk.slots["pending_task"] = "request_declarations"
    asked = await run(ActionResumeTask(), talk, domain)
    assert asked.followup is None and len(asked.buttons) == 2

    talk.user("the home one", "inform")
    chosen = await run(ActionResumeTask(), talk, domain)
    assert chosen.slot("policy_number") == "HOM-2000002"
    assert chosen.followup == "action_send_declarations"


async def test_a_request_that_names_the_line_skips_the_question(services, domain):
    talk = Conversation(phone=JOSE.phone).user("balance on my car insurance", "check_balance")
    talk.verified("H0000005")
    talk.slots["pending_task"] = "check_balance"
    result = await run(ActionResumeTask(), talk, domain)
    assert result.slot("policy_number") == "AUT-1000003"
    assert result.followup == "action_check_balance"


async def test_an_unclear_answer_asks_again_with_the_buttons(services, domain):
    talk = Conversation(phone=JOSE.phone).user("whichever", "inform").verified("H0000005")
    talk.slots["pending_task"] = "check_balance"
    result = await run(ActionResumeTask(), talk, domain)
    assert result.followup is None
    assert len(result.buttons) == 2


async def test_a_new_task_does_not_reuse_the_last_tasks_policy(services, domain):
    talk = Conversation(phone=JOSE.phone).user("and my balance?", "check_balance")
    talk.verified("H0000005")
    talk.slots.update(policy_number="HOM-2000002", pending_task=None)
    started = await run(ActionStartTask(), talk, domain)
    assert started.slot("policy_number") is None
    assert started.followup == "action_resume_task"

    resumed = await run(ActionResumeTask(), talk, domain)
    assert resumed.followup is None, "José is asked which policy again"
    assert len(resumed.buttons) == 2


async def test_auto_right_after_the_policy_question_is_the_answer_not_autopay(services, domain):
    talk = Conversation(phone=JOSE.phone).user("11215", "inform").verified("H0000005")
    talk.slots["pending_task"] = "check_balance"
    asked = await run(ActionResumeTask(), talk, domain)
    talk.events.append({"event": "bot", "text": "Which one?", "data": {"buttons": asked.buttons}})

    talk.user("auto", "autopay_enroll")  # what the NLU makes of a one-word reply
    started = await run(ActionStartTask(), talk, domain)
    assert started.slot("policy_number") == "AUT-1000003"
    assert started.followup == "action_resume_task"
    assert "pending_task" not in [e.get("name") for e in started.events if e["event"] == "slot"]


async def test_a_full_request_after_the_policy_question_starts_that_task(services, domain):
    talk = Conversation(phone=JOSE.phone).user("11215", "inform").verified("H0000005")
    talk.slots["pending_task"] = "check_balance"
    asked = await run(ActionResumeTask(), talk, domain)
    talk.events.append({"event": "bot", "text": "Which one?", "data": {"buttons": asked.buttons}})

    talk.user("actually I want to set up autopay on my car insurance", "autopay_enroll")
    started = await run(ActionStartTask(), talk, domain)
    assert started.slot("pending_task") == "autopay_enroll"


async def test_an_anonymous_first_request_does_not_touch_the_policy_slot(services, domain):
    talk = Conversation(channel="webchat").user("what's my balance", "check_balance")
    started = await run(ActionStartTask(), talk, domain)
    assert "policy_number" not in [e.get("name") for e in started.events if e["event"] == "slot"]


async def test_a_cleared_policy_number_is_not_reported_as_malformed(services, domain):
    from actions.identity import ValidateVerificationForm

    talk = Conversation(channel="webchat").user("what's my balance", "check_balance")
    talk.candidate_slots(policy_number=None)
    result = await run(ValidateVerificationForm(), talk, domain)
    assert "doesn't look like a policy number" not in result.text
