""" "Did you mean ...?" after an unsure parse, and the settled boundaries: a quote, a line the
carrier does not write, a generic "update my info"."""

from __future__ import annotations

from typing import Any

from actions.follow_up import ActionFollowUp
from actions.handoff import ActionHandoff, ActionUnderstandingFallback
from bot.conversation.answers.did_you_mean import DID_YOU_MEAN, candidates
from bot.conversation.outcomes import Outcome
from bot.conversation.tasks import task_for
from tests.actions.conftest import MARIA, Conversation, run


def unsure(talk: Conversation, text: str, ranking: list[tuple[str, float]]) -> Conversation:
    """The user says ``text``; the NLU falls back, ranking ``ranking`` below its fallback."""
    talk.user(text, "nlu_fallback")
    ranked: list[dict[str, Any]] = [{"name": "nlu_fallback", "confidence": 0.55}]
    ranked += [{"name": name, "confidence": confidence} for name, confidence in ranking]
    talk.latest["intent_ranking"] = ranked
    talk.events[-1]["parse_data"]["intent_ranking"] = ranked
    return talk


def test_only_tasks_among_the_two_best_are_candidates():
    ranking = [
        {"name": "nlu_fallback", "confidence": 0.55},
        {"name": "greet", "confidence": 0.41},
        {"name": "check_balance", "confidence": 0.38},
        {"name": "payment_history", "confidence": 0.2},
    ]
    assert [t.intent for t in candidates(ranking)] == ["check_balance"]
    assert (
        candidates([{"name": "thank", "confidence": 0.5}, {"name": "greet", "confidence": 0.4}])
        == []
    )


def test_a_task_far_below_is_no_candidate():
    ranking = [
        {"name": "claim_status", "confidence": 0.45},
        {"name": "report_claim", "confidence": 0.04},
    ]
    assert [t.intent for t in candidates(ranking)] == ["claim_status"]


async def test_unsure_parse_offers_the_two_best_tasks_named_by_the_registry(services, domain):
    talk = unsure(
        Conversation(phone=MARIA.phone),
        "my bill thing from before",
        [("check_balance", 0.41), ("payment_history", 0.37), ("greet", 0.1)],
    )
    result = await run(ActionUnderstandingFallback(), talk, domain)
    assert result.messages[0]["text"] == DID_YOU_MEAN
    assert result.buttons == [
        {"title": task_for("check_balance").choice_title, "payload": "/check_balance"},
        {"title": task_for("payment_history").choice_title, "payload": "/payment_history"},
        {"title": "none of these", "payload": "/deny"},
    ]
    # the offer is the first miss of the human-exit rule
    assert result.slot("fallback_count") == 1.0 and result.followup is None


async def test_unsure_parse_without_a_task_among_the_best_asks_to_rephrase(services, domain):
    talk = unsure(Conversation(phone=MARIA.phone), "hmm", [("greet", 0.4), ("thank", 0.3)])
    result = await run(ActionUnderstandingFallback(), talk, domain)
    assert result.buttons == [] and "another way" in result.text


async def test_none_of_these_after_the_offer_reaches_a_person(services, domain):
    talk = unsure(
        Conversation(phone=MARIA.phone),
        "the thing with the car",
        [("request_id_card", 0.4), ("claim_status", 0.35)],
    )
    await run(ActionUnderstandingFallback(), talk, domain)
    talk.events.append({"event": "bot", "text": DID_YOU_MEAN, "data": {}})
    talk.user("/deny", "deny")
    follow = await run(ActionFollowUp(), talk, domain)
    assert follow.followup == "action_understanding_fallback"
    second = await run(ActionUnderstandingFallback(), talk, domain)
    assert second.followup == "action_handoff" and second.slot("fallback_count") == 2.0


async def test_plain_no_after_a_rephrase_request_is_still_a_decline(services, domain):
    talk = Conversation(phone=MARIA.phone).user("blorp", "nlu_fallback")
    await run(ActionUnderstandingFallback(), talk, domain)
    talk.events.append({"event": "bot", "text": "Sorry, I didn't understand that.", "data": {}})
    talk.user("no", "deny")
    follow = await run(ActionFollowUp(), talk, domain)
    assert follow.followup is None and follow.messages


async def test_second_unsure_parse_in_a_row_reaches_a_person_not_another_offer(services, domain):
    talk = unsure(Conversation(phone=MARIA.phone), "uh the", [("check_balance", 0.4)])
    await run(ActionUnderstandingFallback(), talk, domain)
    unsure(talk, "the other", [("check_balance", 0.4), ("make_payment", 0.3)])
    second = await run(ActionUnderstandingFallback(), talk, domain)
    assert second.followup == "action_handoff" and second.buttons == []


async def test_quote_goes_to_sales_with_what_was_asked(services, domain):
    talk = Conversation(phone="+15125550999").user("how much to insure my new truck", "get_quote")
    result = await run(ActionHandoff(), talk, domain)
    handoff = result.payloads[0]["handoff"]
    assert handoff["reason"] == "sales_quote" and handoff["intent"] == "get_quote"
    assert "quote for auto insurance" in result.text
    [outcome] = services.outcomes.for_conversation(talk.sender_id)
    assert (outcome.outcome, outcome.reason) == (Outcome.HANDOFF, "sales_quote")


async def test_a_line_the_carrier_does_not_write_is_named_and_not_handed_off(services, domain):
    talk = Conversation(phone="+15125550999").user("do you guys do pet insurance", "get_quote")
    result = await run(ActionHandoff(), talk, domain)
    assert "we don't offer pet insurance" in result.text
    assert "cars, homes" in result.text and result.payloads == []
    [outcome] = services.outcomes.for_conversation(talk.sender_id)
    assert (outcome.outcome, outcome.reason) == (Outcome.CONTAINED, "line_not_written")


async def test_generic_update_my_info_asks_which_detail(services, domain):
    talk = Conversation(phone=MARIA.phone).user("i need to update my info", "change_policy")
    result = await run(ActionHandoff(), talk, domain)
    assert result.payloads == []  # no handoff yet
    titles = [b["title"] for b in result.buttons]
    assert titles == ["address", "phone number", "email", "vehicle", "payment method"]
    assert result.buttons[-1]["payload"] == "/update_payment_method"


async def test_chosen_detail_is_routed_to_the_service_team(services, domain):
    talk = Conversation(phone=MARIA.phone).user(
        '/change_policy{"detail": "address"}', "change_policy"
    )
    talk.latest["entities"] = [{"entity": "detail", "value": "address"}]
    result = await run(ActionHandoff(), talk, domain)
    assert result.payloads[0]["handoff"]["reason"] == "change_policy"
    assert "update your address" in result.text


async def test_a_new_card_named_in_a_change_request_starts_the_payment_method_task(
    services, domain
):
    talk = Conversation(phone=MARIA.phone).user(
        "change my info, i have a new card", "change_policy"
    )
    result = await run(ActionHandoff(), talk, domain)
    assert result.slot("pending_task") == "update_payment_method"
    assert result.followup == "action_start_task" and result.payloads == []


async def test_a_specific_policy_change_is_routed_without_a_question(services, domain):
    talk = Conversation(phone=MARIA.phone).user("raise my deductible to 1000", "change_policy")
    result = await run(ActionHandoff(), talk, domain)
    assert result.buttons == [] and result.payloads[0]["handoff"]["reason"] == "change_policy"


async def test_a_quote_chosen_from_the_offer_reads_the_line_from_the_message_before(
    services, domain
):
    talk = unsure(
        Conversation(phone="+15125550999"),
        "i need car insurance",
        [("request_id_card", 0.48), ("get_quote", 0.45)],
    )
    talk.user("/get_quote", "get_quote")
    result = await run(ActionHandoff(), talk, domain)
    assert "quote for auto insurance" in result.text


async def test_a_line_not_written_chosen_from_the_offer_is_named(services, domain):
    talk = unsure(Conversation(), "pet cover?", [("get_quote", 0.4), ("coverage_question", 0.3)])
    talk.user("/get_quote", "get_quote")
    result = await run(ActionHandoff(), talk, domain)
    assert "we don't offer pet insurance" in result.text and result.payloads == []
