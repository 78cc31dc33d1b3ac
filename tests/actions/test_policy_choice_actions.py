"""Choosing among several policies: words in SMS/voice replies, and a fresh choice per task."""

from __future__ import annotations

from actions.choice_forms import ValidatePolicyChoiceForm
from actions.identity import ActionResumeTask, ActionStartTask
from tests.actions.conftest import JOSE, Conversation, answer_choice, ask_which, run


async def test_jose_answering_the_home_one_gets_his_home_policy(services, domain):
    talk = Conversation(phone=JOSE.phone).user("11215", "inform").verified("H0000005")
    asked = await ask_which(talk, "request_declarations", domain)
    assert len(asked.buttons) == 2

    answered = await answer_choice(talk, "the home one", "inform", domain)
    assert answered.slot("policy_number") == "HOM-2000002"
    assert answered.slot("choosing") is None
    talk.active_loop = {}  # the form is complete; the rule resumes the task
    resumed = await run(ActionResumeTask(), talk, domain)
    assert resumed.followup == "action_send_declarations"


async def test_a_tapped_policy_button_is_the_answer(services, domain):
    talk = Conversation(phone=JOSE.phone).user("11215", "inform").verified("H0000005")
    await ask_which(talk, "check_balance", domain)
    answered = await answer_choice(
        talk,
        '/inform{"policy_number":"HOM-2000002"}',
        "inform",
        domain,
        policy_number="HOM-2000002",
    )
    assert answered.slot("policy_number") == "HOM-2000002"


async def test_someone_elses_policy_number_is_refused_without_a_miss(services, domain):
    talk = Conversation(phone=JOSE.phone).user("11215", "inform").verified("H0000005")
    await ask_which(talk, "check_balance", domain)
    answered = await answer_choice(
        talk, "AUT-1000001", "inform", domain, policy_number="AUT-1000001"
    )
    assert answered.slot("policy_number") is None
    assert answered.slot("form_misses") == 0.0
    assert "isn't on your account" in answered.text


async def test_a_request_that_names_the_line_skips_the_question(services, domain):
    talk = Conversation(phone=JOSE.phone).user("balance on my car insurance", "check_balance")
    talk.verified("H0000005")
    talk.slots["pending_task"] = "check_balance"
    result = await run(ActionResumeTask(), talk, domain)
    assert result.slot("policy_number") == "AUT-1000003"
    assert result.followup == "action_check_balance"


async def test_an_unclear_answer_is_a_miss_and_the_second_reaches_a_person(services, domain):
    talk = Conversation(phone=JOSE.phone).user("11215", "inform").verified("H0000005")
    await ask_which(talk, "check_balance", domain)
    first = await answer_choice(talk, "whichever", "inform", domain)
    assert first.slot("policy_number") is None, "the form asks again"
    assert first.slot("form_misses") == 1.0
    second = await answer_choice(talk, "dunno really", "inform", domain)
    assert second.followup == "action_handoff"


async def test_a_new_task_does_not_reuse_the_last_tasks_policy(services, domain):
    talk = Conversation(phone=JOSE.phone).user("and my balance?", "check_balance")
    talk.verified("H0000005")
    talk.slots.update(policy_number="HOM-2000002", pending_task=None)
    started = await run(ActionStartTask(), talk, domain)
    assert started.slot("policy_number") is None
    assert started.followup == "action_resume_task"

    resumed = await run(ActionResumeTask(), talk, domain)
    assert resumed.followup == "policy_choice_form", "José is asked which policy again"


async def test_auto_right_after_the_policy_question_is_the_answer_not_autopay(services, domain):
    talk = Conversation(phone=JOSE.phone).user("11215", "inform").verified("H0000005")
    await ask_which(talk, "check_balance", domain)
    # what the NLU makes of a one-word reply
    answered = await answer_choice(talk, "auto", "autopay_enroll", domain)
    assert answered.slot("policy_number") == "AUT-1000003"


async def test_a_full_request_after_the_policy_question_starts_that_task(services, domain):
    talk = Conversation(phone=JOSE.phone).user("11215", "inform").verified("H0000005")
    await ask_which(talk, "check_balance", domain)
    text = "actually I want to set up autopay on my car insurance"
    answered = await answer_choice(talk, text, "autopay_enroll", domain)
    # nothing filled: Rasa rejects the form and the interruption rule starts the new task
    assert [e for e in answered.events if e["event"] == "slot"] == []

    talk.active_loop = {}
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


async def test_starting_the_choice_form_reads_no_answer_from_the_message_before(services, domain):
    # Rasa validates a form as it starts it, with the last message (here the ZIP code that
    # verified): that is no answer to "which one?", so no apology and no miss.
    talk = Conversation(phone=JOSE.phone).user("11215", "inform").verified("H0000005")
    talk.slots.update(pending_task="check_balance", requested_slot="policy_number")
    talk.active_loop = {"name": "policy_choice_form"}
    talk.events.append({"event": "action", "name": "action_resume_task"})
    talk.events.append({"event": "action", "name": "policy_choice_form"})
    started = await run(ValidatePolicyChoiceForm(), talk, domain)
    assert started.events == []
    assert started.text == ""


async def test_the_last_digits_of_a_policy_number_choose_it(services, domain):
    talk = Conversation(phone=JOSE.phone).user("11215", "inform").verified("H0000005")
    await ask_which(talk, "request_declarations", domain)
    answered = await answer_choice(talk, "0003", "inform", domain, policy_number="0003")
    assert answered.slot("policy_number") == "AUT-1000003"
    assert "isn't on your account" not in answered.text
