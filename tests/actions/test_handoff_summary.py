"""A handoff made by the real actions stores its summary with the record (issue 16, item 2)."""

from __future__ import annotations

from actions.billing import ActionCheckBalance
from actions.handoff import ActionHandoff, ActionReportClaim, ActionUnderstandingFallback
from tests.actions.conftest import MARIA, Conversation, run


async def test_asking_for_a_person_after_a_balance_stores_who_asked_done_left_and_flags(
    services, domain
):
    talk = (
        Conversation(phone=MARIA.phone)
        .user("what do I owe", "check_balance")
        .verified(MARIA.holder_id)
    )
    await run(ActionCheckBalance(), talk, domain)
    talk.user(f"my dob is {MARIA.date_of_birth}", "inform")
    talk.user("this is useless, I need a real person", "human_handoff")
    result = await run(ActionHandoff(), talk, domain)
    ticket = result.payloads[0]["handoff"]["ticket"]

    stored = services.handoffs.get(ticket).structured_summary
    assert stored is not None
    assert (stored.assurance, stored.policy, stored.channel) == ("verified", "AUT-****001", "sms")
    assert stored.asked == ("what do I owe", "this is useless, I need a real person")
    assert [d.text for d in stored.done] == ["your balance: done"]
    assert stored.left == "They asked for a person."
    assert stored.frustrated and stored.frustration_words == ("useless",)
    assert not stored.urgent
    assert MARIA.policy_number not in str(stored.as_json())


async def test_a_claim_report_with_an_injury_is_urgent_and_says_why(services, domain):
    talk = Conversation(channel="voice", phone=MARIA.phone).user(
        "I crashed and my passenger is bleeding", "report_claim"
    )
    result = await run(ActionReportClaim(), talk, domain)
    record = services.handoffs.get(result.payloads[0]["handoff"]["ticket"])
    stored = record.structured_summary
    assert record.urgent and stored.urgent
    assert stored.urgent_words == ("bleeding",)
    assert (stored.assurance, stored.policy, stored.channel) == ("anonymous", None, "voice")
    assert stored.left == "Take the report of a new claim."


async def test_a_person_asked_for_with_an_injury_word_makes_the_handoff_urgent(services, domain):
    talk = Conversation(phone=MARIA.phone).user("I'm injured, get me a person", "human_handoff")
    result = await run(ActionHandoff(), talk, domain)
    assert result.payloads[0]["handoff"]["urgent"] is True
    assert result.payloads[0]["handoff"]["queue"] == "service"


async def test_two_misses_in_a_row_hand_off_with_the_words_not_understood(services, domain):
    talk = Conversation(phone=MARIA.phone).user(
        "my gutter fell on the neighbours car", "nlu_fallback"
    )
    await run(ActionUnderstandingFallback(), talk, domain)
    talk.user("the gutter thing from the storm", "nlu_fallback")
    await run(ActionUnderstandingFallback(), talk, domain)
    result = await run(ActionHandoff(), talk, domain)
    stored = services.handoffs.get(result.payloads[0]["handoff"]["ticket"]).structured_summary
    assert stored.reason == "repeated_misunderstanding"
    assert stored.asked == (
        "my gutter fell on the neighbours car",
        "the gutter thing from the storm",
    )
    assert stored.left == "The assistant did not understand them twice in a row."
