"""Details given with the request fill the forms' answers, and go through the same checks."""

from __future__ import annotations

from typing import Any

from actions.documents import ValidateCertificateForm
from actions.identity import ActionStartTask, ActionVerifyIdentity, ValidateVerificationForm
from bot.notifications.outbox import read_outbox
from tests.actions.conftest import MARIA, Conversation, Result, run
from tests.actions.test_identity_actions import texted_code

STRANGER = "+15125559876"


def set_values(result: Result) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in result.events if e["event"] == "slot"}


async def prefilled(talk: Conversation, domain: dict[str, Any]) -> Result:
    """``action_start_task``, then the form's validation of what it prefilled (at activation)."""
    started = await run(ActionStartTask(), talk, domain)
    given = {
        name: value
        for name, value in set_values(started).items()
        if name in ("policy_number", "date_of_birth", "zip_code") and value is not None
    }
    talk.candidate_slots(**given)
    return await run(ValidateVerificationForm(), talk, domain)


async def test_a_date_of_birth_in_the_request_is_not_asked_again(services, domain):
    talk = Conversation(phone=MARIA.phone).user("balance pls, dob 04/12/1985", "inform")
    result = await prefilled(talk, domain)
    assert result.slot("date_of_birth") == "1985-04-12"
    assert result.slot("requested_slot") == "zip_code"


async def test_date_of_birth_and_zip_in_the_request_verify_at_once(services, domain):
    talk = Conversation(phone=MARIA.phone).user(
        "need my insurance card, birthday is april 12 1985 and zip code 78704", "request_id_card"
    )
    await prefilled(talk, domain)
    assert talk.slots["requested_slot"] is None  # nothing left to ask
    result = await run(ActionVerifyIdentity(), talk, domain)
    assert result.slot("assurance") == "verified"


async def test_volunteered_details_that_do_not_match_count_as_a_failed_try(services, domain):
    talk = Conversation(phone=MARIA.phone).user("balance? dob 1/1/1970, zip 78704", "check_balance")
    await prefilled(talk, domain)
    result = await run(ActionVerifyIdentity(), talk, domain)
    assert "doesn't match our records. You have 2 more tries" in result.text
    assert result.slot("date_of_birth") is None and result.slot("zip_code") is None


async def test_everything_volunteered_from_a_number_not_on_file_still_needs_the_code(
    services, domain
):
    talk = Conversation(phone=STRANGER).user(
        f"hey its maria, my policy is {MARIA.policy_number}, born 4/12/85 and i live in "
        f"{MARIA.zip}. how much do i owe?",
        "check_balance",
    )
    validated = await prefilled(talk, domain)
    # Every answer the form needs (the number finds no one: the policy number too) is there.
    assert validated.slot("policy_number") == MARIA.policy_number
    assert validated.slot("date_of_birth") == "1985-04-12"
    assert validated.slot("zip_code") == MARIA.zip
    result = await run(ActionVerifyIdentity(), talk, domain)
    assert result.followup == "one_time_code_form"
    assert "holder_id" not in set_values(result) and "$" not in result.text
    assert await services.identity.verified_identity(talk.sender_id) is None
    assert texted_code(services, MARIA.phone)
    assert read_outbox(services.engine, to=STRANGER) == []


async def test_an_answer_to_the_form_is_not_read_as_volunteered(services, domain):
    talk = Conversation(phone=MARIA.phone).user("04/12/1985 78704", "check_balance")
    talk.events.append({"event": "action", "name": "verification_form"})
    result = await run(ActionStartTask(), talk, domain)
    assert "date_of_birth" not in set_values(result)


async def test_a_verified_conversation_keeps_no_volunteered_details(services, domain):
    talk = Conversation(phone=MARIA.phone).user("balance, dob 04/12/1985", "check_balance")
    result = await run(ActionStartTask(), talk.verified("H0000001"), domain)
    assert result.slot("date_of_birth") is None
    assert result.followup == "action_resume_task"


async def test_the_certificate_holder_in_the_request_fills_the_certificate_form(services, domain):
    talk = Conversation(phone=MARIA.phone).user(
        "could you issue a certificate to Cedar Park Storage, 1200 W Whitestone Blvd, "
        "Cedar Park TX 78613",
        "request_certificate",
    )
    started = await run(ActionStartTask(), talk.verified("H0000001"), domain)
    assert started.slot("org_name") == "Cedar Park Storage"
    assert started.slot("org_address") == "1200 W Whitestone Blvd, Cedar Park TX 78613"
    talk.candidate_slots(org_name=talk.slots["org_name"], org_address=talk.slots["org_address"])
    validated = await run(ValidateCertificateForm(), talk, domain)
    assert validated.slot("org_name") == "Cedar Park Storage"
    assert validated.slot("org_address") == "1200 W Whitestone Blvd, Cedar Park TX 78613"


async def test_a_holder_named_without_an_address_leaves_only_the_address_to_ask(services, domain):
    talk = Conversation(phone=MARIA.phone).user(
        "coi made out to Cedar Park Storage please", "request_certificate"
    )
    started = await run(ActionStartTask(), talk, domain)
    assert started.slot("org_name") == "Cedar Park Storage"
    assert "org_address" not in set_values(started)
    assert started.followup == "verification_form"


async def test_no_holder_is_prefilled_for_other_tasks_or_vague_requests(services, domain):
    card = Conversation(phone=MARIA.phone).user("send it to Cedar Park Storage", "request_id_card")
    vague = Conversation(phone=MARIA.phone).user("coi for my car", "request_certificate")
    for talk in (card, vague):
        result = await run(ActionStartTask(), talk.verified("H0000001"), domain)
        assert "org_name" not in set_values(result)


async def test_an_answer_to_the_date_of_birth_question_that_adds_the_zip_asks_nothing_more(
    services, domain
):
    talk = Conversation(phone=MARIA.phone).user("04/12/1985 78704", "inform")
    talk.slots["requested_slot"] = "date_of_birth"
    talk.candidate_slots(date_of_birth="04/12/1985 78704")
    result = await run(ValidateVerificationForm(), talk, domain)
    assert result.slot("date_of_birth") == "1985-04-12"
    assert result.slot("zip_code") == MARIA.zip
    assert result.slot("requested_slot") is None


async def test_an_answer_to_the_policy_number_question_that_adds_everything_fills_the_form(
    services, domain
):
    answer = f"{MARIA.policy_number} dob april 12 1985 zip {MARIA.zip}"
    talk = Conversation(phone=STRANGER).user(answer, "inform")
    talk.slots["requested_slot"] = "policy_number"
    talk.candidate_slots(policy_number=answer)
    result = await run(ValidateVerificationForm(), talk, domain)
    assert result.slot("policy_number") == MARIA.policy_number
    assert result.slot("date_of_birth") == "1985-04-12"
    assert result.slot("zip_code") == MARIA.zip


async def test_an_answer_adds_nothing_the_form_already_has(services, domain):
    talk = Conversation(phone=MARIA.phone).user("dob 4/12/85 zip 78701", "inform")
    talk.slots.update(requested_slot="date_of_birth", zip_code="78704")
    talk.candidate_slots(date_of_birth="dob 4/12/85 zip 78701")
    result = await run(ValidateVerificationForm(), talk, domain)
    assert result.slot("date_of_birth") == "1985-04-12"
    assert "zip_code" not in set_values(result)
