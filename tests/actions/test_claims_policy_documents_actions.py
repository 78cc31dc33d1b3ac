"""Claim status, policy summary and document links for the personas, against the sandbox."""

from __future__ import annotations

from actions.claims import ActionClaimStatus
from actions.documents import ActionSendCertificate, ActionSendDeclarations, ActionSendIdCard
from actions.identity import ActionResumeTask
from actions.policy import ActionPolicySummary
from tests.actions.conftest import (
    JAMES,
    JOSE,
    MARIA,
    PUBLIC_BASE_URL,
    ROBERT,
    Conversation,
    answer_choice,
    ask_which,
    run,
)


def verified(persona, holder_id: str, intent: str) -> Conversation:
    return Conversation(phone=persona.phone).user("hi", intent).verified(holder_id)


async def test_maria_claim_status_names_the_adjuster(services, domain):
    result = await run(ActionClaimStatus(), verified(MARIA, "H0000001", "claim_status"), domain)
    assert "CLM-50000001" in result.text
    assert "Dana Brooks" in result.text
    assert "Recent updates:" in result.text
    assert result.slot("claim_number") == "CLM-50000001"


async def test_jose_two_open_claims_are_offered_as_buttons(services, domain):
    talk = verified(JOSE, "H0000005", "claim_status")
    result = await ask_which(talk, "claim_status", domain)
    assert sorted(b["payload"] for b in result.buttons) == [
        '/inform{"claim_number":"CLM-50000003"}',
        '/inform{"claim_number":"CLM-50000004"}',
    ]

    tapped = '/inform{"claim_number":"CLM-50000004"}'
    await answer_choice(talk, tapped, "inform", domain, claim_number="CLM-50000004")
    talk.active_loop = {}
    chosen = await run(ActionResumeTask(), talk, domain)
    assert chosen.slot("policy_number") == "HOM-2000002"
    assert chosen.followup == "action_claim_status"
    status = await run(ActionClaimStatus(), talk, domain)
    assert "CLM-50000004" in status.text and "Kevin Osei" in status.text


async def test_james_closed_claim_is_reported_closed(services, domain):
    result = await run(ActionClaimStatus(), verified(JAMES, "H0000002", "claim_status"), domain)
    assert "CLM-50000002" in result.text
    assert "is closed" in result.text


async def test_maria_policy_summary(services, domain):
    result = await run(ActionPolicySummary(), verified(MARIA, "H0000001", "policy_summary"), domain)
    assert result.text.startswith("Auto policy AUT-****001 (TX): active")
    assert "Maria Alvarez" in result.text
    assert "Vehicles:" in result.text and "Key coverages:" in result.text


async def test_maria_gets_an_id_card_link(services, domain):
    result = await run(ActionSendIdCard(), verified(MARIA, "H0000001", "request_id_card"), domain)
    [payload] = result.payloads
    document = payload["document"]
    assert document["kind"] == "id_card"
    assert document["url"].startswith(PUBLIC_BASE_URL)
    assert "1000001" not in document["url"]
    assert document["bytes"] > 0
    assert document["url"] in result.text


async def test_robert_cancelled_policy_gets_no_id_card(services, domain):
    result = await run(ActionSendIdCard(), verified(ROBERT, "H0000004", "request_id_card"), domain)
    assert result.payloads == []
    assert "no longer in force" in result.text


async def test_james_home_policy_has_no_id_card_to_offer(services, domain):
    result = await run(ActionSendIdCard(), verified(JAMES, "H0000002", "request_id_card"), domain)
    assert result.payloads == []
    assert "only issued for auto policies" in result.text


async def test_jose_id_card_needs_no_choice_because_only_one_policy_is_auto(services, domain):
    talk = verified(JOSE, "H0000005", "request_id_card")
    talk.slots["pending_task"] = "request_id_card"
    result = await run(ActionResumeTask(), talk, domain)
    assert result.slot("policy_number") == "AUT-1000003"
    assert result.followup == "action_send_id_card"


async def test_declarations_page_link(services, domain):
    talk = verified(JAMES, "H0000002", "request_declarations")
    result = await run(ActionSendDeclarations(), talk, domain)
    assert result.payloads[0]["document"]["kind"] == "declarations"


async def test_certificate_names_the_holder_from_the_form(services, domain):
    talk = verified(MARIA, "H0000001", "request_certificate")
    talk.slots.update(
        org_name="Acme Property Management", org_address="12 Main St, Austin, TX 78701"
    )
    result = await run(ActionSendCertificate(), talk, domain)
    assert result.payloads[0]["document"]["kind"] == "certificate"
    assert result.slot("org_name") is None
