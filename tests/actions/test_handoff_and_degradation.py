"""Handoffs, reporting a claim, misunderstandings, and behaviour when the PAS is down or slow."""

from __future__ import annotations

from datetime import datetime, timezone

from actions.billing import ActionCheckBalance
from actions.handoff import ActionHandoff, ActionReportClaim, ActionUnderstandingFallback
from bot.bootstrap import build_services, set_services
from bot.conversation.outcomes import Outcome
from tests.actions.conftest import MARIA, Conversation, run, settings_for


async def test_coverage_question_goes_to_the_coverage_queue(services, domain):
    talk = Conversation(phone=MARIA.phone).user("am I covered for hail?", "coverage_question")
    result = await run(ActionHandoff(), talk, domain)
    handoff = result.payloads[0]["handoff"]
    assert handoff["queue"] == "coverage" and handoff["urgent"] is False
    assert handoff["ticket"] in result.text
    [outcome] = services.outcomes.for_conversation(talk.sender_id)
    assert (outcome.outcome, outcome.reason) == (Outcome.HANDOFF, "coverage_question")


async def test_report_claim_gives_the_claims_line_first_and_files_an_urgent_handoff(
    services, domain
):
    talk = Conversation(channel="voice", phone=MARIA.phone).user(
        "I was in an accident", "report_claim"
    )
    result = await run(ActionReportClaim(), talk, domain)
    assert "(800) 555-0199" in result.messages[0]["text"]
    handoff = result.payloads[0]["handoff"]
    assert (handoff["queue"], handoff["urgent"], handoff["intent"]) == (
        "claims",
        True,
        "report_claim",
    )
    [outcome] = services.outcomes.for_conversation(talk.sender_id)
    assert outcome.outcome is Outcome.HANDOFF


async def test_second_misunderstanding_in_a_row_hands_off(services, domain):
    talk = Conversation(phone=MARIA.phone).user("blorp", "nlu_fallback")
    first = await run(ActionUnderstandingFallback(), talk, domain)
    assert first.followup is None and "another way" in first.text
    assert first.slot("fallback_count") == 1.0
    talk.user("zzzz", "nlu_fallback")
    second = await run(ActionUnderstandingFallback(), talk, domain)
    assert second.followup == "action_handoff"
    assert second.slot("fallback_count") == 2.0
    handoff = await run(ActionHandoff(), talk, domain)
    assert handoff.payloads[0]["handoff"]["reason"] == "repeated_misunderstanding"


async def test_understood_message_resets_the_misunderstanding_count(services, domain):
    talk = Conversation(phone=MARIA.phone).user("blorp", "nlu_fallback")
    await run(ActionUnderstandingFallback(), talk, domain)
    talk.user("hello", "greet").user("zzzz", "nlu_fallback")
    result = await run(ActionUnderstandingFallback(), talk, domain)
    assert result.followup is None
    assert result.slot("fallback_count") == 1.0


async def test_outage_without_cache_apologises_offers_a_person_and_records_failed(
    services, sandbox, domain
):
    sandbox.set_faults(outage=True)
    talk = Conversation(phone=MARIA.phone).user("balance", "check_balance").verified("H0000001")
    result = await run(ActionCheckBalance(), talk, domain)
    assert "can't reach our policy system" in result.text
    assert "AGENT" in result.text and "(800) 555-0100" in result.text
    assert "$" not in result.text
    [outcome] = services.outcomes.for_conversation(talk.sender_id)
    assert (outcome.outcome, outcome.intent) == (Outcome.FAILED, "check_balance")


async def test_outage_with_cached_billing_answers_as_of_its_time(sandbox, tmp_var, domain):
    # A zero TTL sends every read to the PAS, so the outage read falls back to the stale entry.
    built = build_services(settings_for(sandbox, tmp_var, billing_ttl_s=0.0, policy_ttl_s=0.0))
    set_services(built)
    try:
        talk = Conversation(phone=MARIA.phone).user("balance", "check_balance").verified("H0000001")
        fresh = await run(ActionCheckBalance(), talk, domain)
        assert "As of" not in fresh.text
        sandbox.set_faults(outage=True)
        stale = await run(ActionCheckBalance(), talk.user("balance", "check_balance"), domain)
        assert stale.text.startswith("As of ")
        assert "$412.50" in stale.text
    finally:
        set_services(None)
        await built.aclose()


async def test_slow_pas_gets_an_apology_within_the_action_deadline(services, sandbox, domain):
    sandbox.set_faults(latency={"distribution": "fixed", "median_ms": 3000})
    action = ActionCheckBalance()
    action.deadline_s = 0.5  # the production deadline is 8 s; the rule is the same
    talk = Conversation(phone=MARIA.phone).user("balance", "check_balance").verified("H0000001")
    result = await run(action, talk, domain)
    assert "taking longer than it should" in result.text
    [outcome] = services.outcomes.for_conversation(talk.sender_id)
    assert (outcome.outcome, outcome.reason) == (Outcome.FAILED, "deadline")


async def test_asking_for_a_person_outside_staffed_hours_offers_a_callback_and_keeps_the_place(
    sandbox, tmp_var, domain
):
    from dataclasses import replace

    sunday_night = datetime(2026, 12, 7, 4, 0, tzinfo=timezone.utc)  # Sunday 22:00 in Chicago
    settings = replace(settings_for(sandbox, tmp_var), contact_centre_hours="mon-fri 08:00-20:00")
    built = build_services(settings, clock=lambda: sunday_night)
    set_services(built)
    try:
        talk = Conversation(phone=MARIA.phone).user("id card", "request_id_card")
        talk.slots["pending_task"] = "request_id_card"
        talk.user("can I talk to someone", "human_handoff")
        result = await run(ActionHandoff(), talk, domain)
        handoff = result.payloads[0]["handoff"]
        assert handoff["callback"] is True
        assert "tomorrow at 8:00 AM" in result.text and handoff["ticket"] in result.text
        # the place is kept: the pending task is not cleared
        assert not any(e.get("name") == "pending_task" for e in result.events)
        assert built.handoffs.get(handoff["ticket"]).callback is True
    finally:
        set_services(None)
        await built.aclose()
