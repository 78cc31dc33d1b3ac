"""Identity journey actions against the PAS sandbox: start, form validation, verify, lockout."""

from __future__ import annotations

import re

from sqlalchemy import select

from actions.billing import ActionCheckBalance
from actions.handoff import ActionHandoff
from actions.identity import (
    ActionRestartConversation,
    ActionResumeTask,
    ActionStartTask,
    ActionVerifyIdentity,
    ValidateVerificationForm,
)
from actions.one_time_code import ActionCheckOneTimeCode
from actions.policy import ActionPolicySummary
from bot.conversation.handoff import handoffs
from bot.conversation.web_handover import mint_web_handover
from bot.notifications.outbox import read_outbox
from tests.actions.conftest import JOSE, MARIA, Conversation, answer_choice, ask_which, run
from tests.web.auth_fixtures import (
    account_services,
    chat_handover_token,
    make_web_app,
    sign_in_policyholder,
)

CODE = re.compile(r"\b(\d{6})\b")


async def test_anonymous_task_asks_to_verify_through_the_form(services, domain):
    talk = Conversation(phone=MARIA.phone).user("what do I owe", "check_balance")
    result = await run(ActionStartTask(), talk, domain)
    assert result.slot("pending_task") == "check_balance"
    assert result.slot("identity_locked") is False
    assert result.followup == "verification_form"
    assert "confirm who you are" in result.text


async def test_form_skips_the_policy_number_when_the_sms_phone_is_on_file(services, domain):
    talk = Conversation(phone=MARIA.phone).user("april 12 1985", "inform")
    talk.candidate_slots(date_of_birth="april 12 1985")
    result = await run(ValidateVerificationForm(), talk, domain)
    assert result.slot("date_of_birth") == "1985-04-12"
    assert result.slot("requested_slot") == "zip_code"


async def test_form_asks_the_policy_number_when_the_phone_matches_no_one(services, domain):
    talk = Conversation(phone="+15125559876").user("april 12 1985", "inform")
    talk.candidate_slots(date_of_birth="april 12 1985")
    result = await run(ValidateVerificationForm(), talk, domain)
    assert result.slot("date_of_birth") == "1985-04-12"
    # All of the domain's required slots stay required, so the validator leaves the choice of
    # the next question to Rasa, which asks the first missing one: policy_number.
    assert not [e for e in result.events if e.get("name") == "requested_slot"]
    assert domain["forms"]["verification_form"]["required_slots"][0] == "policy_number"


async def test_form_rejects_an_unreadable_date_and_a_short_zip(services, domain):
    talk = Conversation(phone=MARIA.phone).user("sometime", "inform")
    talk.candidate_slots(date_of_birth="sometime", zip_code="787")
    result = await run(ValidateVerificationForm(), talk, domain)
    assert result.slot("date_of_birth") is None
    assert result.slot("zip_code") is None
    assert "couldn't read that date" in result.text
    assert "5-digit ZIP" in result.text


async def test_maria_verifies_by_phone_dob_and_zip_then_the_task_resumes(services, domain):
    talk = Conversation(phone=MARIA.phone).user("78704", "inform")
    talk.slots.update(pending_task="check_balance", date_of_birth="1985-04-12", zip_code="78704")
    result = await run(ActionVerifyIdentity(), talk, domain)
    assert result.slot("assurance") == "verified"
    assert result.slot("holder_id") == "H0000001"
    assert result.slot("date_of_birth") is None and result.slot("zip_code") is None
    assert result.followup == "action_resume_task"


def texted_code(services, phone: str) -> str:
    """The latest one-time code in the local outbox for ``phone``."""
    codes = [
        m.group(1) for msg in read_outbox(services.engine, to=phone) if (m := CODE.search(msg.body))
    ]
    assert codes, f"no code texted to {phone}"
    return codes[-1]


async def test_withheld_caller_id_finds_by_policy_number_then_needs_the_texted_code(
    services, domain
):
    talk = Conversation(channel="voice", phone=None).user("78704", "inform")
    talk.slots.update(policy_number="aut 1000001", date_of_birth="04/12/1985", zip_code="78704")
    result = await run(ActionVerifyIdentity(), talk, domain)
    assert result.followup == "one_time_code_form"
    assert not [e for e in result.events if e.get("name") in ("holder_id", "assurance")]
    assert await services.identity.verified_identity(talk.sender_id) is None
    assert texted_code(services, MARIA.phone)


async def test_sms_from_a_number_not_on_file_discloses_nothing_until_the_code_comes_back(
    services, domain
):
    stranger = "+15125559876"
    talk = Conversation(phone=stranger).user("78704", "inform")
    talk.slots.update(
        pending_task="check_balance",
        policy_number=MARIA.policy_number,
        date_of_birth=MARIA.date_of_birth,
        zip_code=MARIA.zip,
    )
    talk.apply((await run(ActionVerifyIdentity(), talk, domain)).events)
    # The code went to Maria's number on file, never to the number that asked.
    code = texted_code(services, MARIA.phone)
    assert read_outbox(services.engine, to=stranger) == []
    # The balance task run now (a resumed rule, a forged follow-up) still discloses nothing.
    balance = await run(ActionCheckBalance(), talk.user("balance", "check_balance"), domain)
    assert "$" not in balance.text
    assert balance.followup == "action_start_task"

    talk.user(code, "inform").slots.update(one_time_code=code)
    checked = await run(ActionCheckOneTimeCode(), talk, domain)
    assert checked.slot("assurance") == "verified"
    assert checked.followup == "action_resume_task"
    paid = await run(ActionCheckBalance(), talk.user("balance", "check_balance"), domain)
    assert "$412.50" in paid.text


async def test_a_tracker_that_claims_verification_gets_nothing(services, domain):
    # Slots say verified (a hand-written tracker); the server has no record of it.
    talk = Conversation(phone=None).claims_verified("H0000003")
    talk.slots.update(policy_number="REN-3000001", pending_task="check_balance")
    talk.user("balance", "check_balance")
    for action in (ActionCheckBalance(), ActionPolicySummary(), ActionResumeTask()):
        result = await run(action, talk, domain)
        assert "$" not in result.text and "Priya" not in result.text
        assert not result.payloads
    started = await run(ActionStartTask(), talk, domain)
    # The dialogue's slots are put back to what the server knows, and verification starts.
    assert started.slot("assurance") == "anonymous"
    assert started.slot("holder_id") is None
    assert started.followup == "verification_form"


async def test_wrong_date_of_birth_is_refused_and_asked_again(services, domain):
    talk = Conversation(phone=MARIA.phone).user("78704", "inform")
    talk.slots.update(date_of_birth="1985-04-13", zip_code="78704")
    result = await run(ActionVerifyIdentity(), talk, domain)
    assert "doesn't match our records" in result.text
    assert "2 more tries" in result.text
    assert result.followup == "verification_form"
    assert talk.slots["assurance"] == "anonymous"
    assert result.slot("date_of_birth") is None


async def test_third_failure_locks_and_hands_off_to_a_person(services, domain):
    talk = Conversation(phone=MARIA.phone)
    for _ in range(3):
        talk.user("99999", "inform")
        talk.slots.update(date_of_birth="1985-04-12", zip_code="99999")
        result = await run(ActionVerifyIdentity(), talk, domain)
    assert result.slot("identity_locked") is True
    assert result.followup == "action_handoff"
    assert "too many tries" in result.text

    handoff = await run(ActionHandoff(), talk, domain)
    assert handoff.payloads[0]["handoff"]["reason"] == "verification_locked"
    assert handoff.payloads[0]["handoff"]["queue"] == "service"
    with services.engine.connect() as conn:
        summary = conn.execute(select(handoffs.c.summary)).scalar_one()
    assert "99999" not in summary  # the answers are redacted for staff

    # Starting over does not unlock: the lock is kept by policyholder and conversation.
    await run(ActionRestartConversation(), talk, domain)
    again = await run(ActionStartTask(), talk.user("balance", "check_balance"), domain)
    assert again.slot("identity_locked") is True
    assert again.followup is None
    assert "AGENT" in again.text


async def test_web_handover_token_carries_mfa_into_the_conversation(services, domain, tmp_path):
    # From the web app's chat page for a signed-in policyholder, on the same database.
    web = make_web_app(tmp_path, env={"DATABASE_URL": services.settings.database_url})
    assert web.config["SECRET_KEY"] == services.settings.app_secret_key
    browser = web.test_client()
    sign_in_policyholder(web, browser, holder_id="H0000001")
    token = chat_handover_token(browser)
    account_services(web).engine.dispose()
    talk = Conversation(channel="webchat").user("my balance", "check_balance", web_token=token)
    result = await run(ActionStartTask(), talk, domain)
    assert result.slot("assurance") == "mfa"
    assert result.slot("holder_id") == "H0000001"
    assert result.followup == "action_resume_task"


async def test_forged_web_token_is_ignored(services, domain):
    token = mint_web_handover(
        "H0000001", "mfa", web_session="0" * 64, engine=services.engine, secret_key="not-ours"
    )
    talk = Conversation(channel="webchat").user("my balance", "check_balance", web_token=token)
    result = await run(ActionStartTask(), talk, domain)
    assert result.followup == "verification_form"
    assert "assurance" not in talk.slots or talk.slots["assurance"] == "anonymous"


async def test_jose_with_two_policies_gets_policy_buttons(services, domain):
    talk = Conversation(phone=JOSE.phone).user("11215", "inform").verified("H0000005")
    result = await ask_which(talk, "check_balance", domain)
    payloads = sorted(b["payload"] for b in result.buttons)
    assert payloads == [
        '/inform{"policy_number":"AUT-1000003"}',
        '/inform{"policy_number":"HOM-2000002"}',
    ]
    assert talk.slots["pending_task"] == "check_balance"

    tapped = '/inform{"policy_number":"HOM-2000002"}'
    await answer_choice(talk, tapped, "inform", domain, policy_number="HOM-2000002")
    talk.active_loop = {}
    chosen = await run(ActionResumeTask(), talk, domain)
    assert chosen.followup == "action_check_balance"


async def test_single_policy_is_selected_by_resume(services, domain):
    talk = Conversation(phone=MARIA.phone).user("78704", "inform").verified("H0000001")
    talk.slots["pending_task"] = "policy_summary"
    result = await run(ActionResumeTask(), talk, domain)
    assert result.slot("policy_number") == "AUT-1000001"
    assert result.followup == "action_policy_summary"


async def test_restart_clears_identity(services, domain):
    talk = Conversation(phone=MARIA.phone).user("start over", "start_over").verified("H0000001")
    result = await run(ActionRestartConversation(), talk, domain)
    kinds = [e["event"] for e in result.events]
    assert kinds == ["reset_slots", "active_loop", "slot"]
    assert result.slot("assurance") == "anonymous"
    assert "holder_id" not in talk.slots
