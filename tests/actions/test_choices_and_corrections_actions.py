"""A waiting choice is answered whatever the NLU guessed; corrections redo the task; a change
of policy inside the payment form switches the policy; an amount in words is read whole."""

from __future__ import annotations

from actions.billing import ValidatePaymentForm
from actions.follow_up import ActionFollowUp
from actions.handoff import ActionHandoff, ActionUnderstandingFallback
from actions.identity import ActionResumeTask
from tests.actions.conftest import (
    JOSE,
    MARIA,
    Conversation,
    Result,
    answer_choice,
    ask_which,
    run,
)


def _jose() -> Conversation:
    return Conversation(phone=JOSE.phone).user("11215", "inform").verified("H0000005")


def _filled(result: Result) -> list[str]:
    return [e["name"] for e in result.events if e["event"] == "slot"]


async def test_a_line_word_read_as_a_quote_request_answers_the_waiting_policy_question(
    services, domain
):
    talk = _jose()
    await ask_which(talk, "request_declarations", domain)
    result = await answer_choice(talk, "homeowners", "get_quote", domain)
    assert result.slot("policy_number") == "HOM-2000002"
    assert not result.payloads, "no handoff record"


async def test_a_quote_asked_in_words_while_a_choice_waits_is_still_a_quote(services, domain):
    talk = _jose()
    await ask_which(talk, "request_declarations", domain)
    text = "actually can I get a quote for homeowners on a new place"
    result = await answer_choice(talk, text, "get_quote", domain)
    assert _filled(result) == [], "the form is rejected: the quote rule routes it"


async def test_asking_for_a_person_while_a_choice_waits_reaches_a_person(services, domain):
    talk = _jose()
    await ask_which(talk, "check_balance", domain)
    text = "the house one, actually just get me an agent"
    result = await answer_choice(talk, text, "human_handoff", domain)
    assert _filled(result) == [], "the form is rejected: the handoff rule routes it"


async def test_a_claim_named_by_its_place_answers_the_waiting_claim_question(services, domain):
    talk = _jose()
    await ask_which(talk, "claim_status", domain)
    result = await answer_choice(talk, "nope the house one", "deny", domain)
    assert result.slot("claim_number") == "CLM-50000004"
    assert result.slot("policy_number") == "HOM-2000002"


async def test_an_ordinal_not_understood_answers_the_waiting_policy_question(services, domain):
    talk = _jose()
    asked = await ask_which(talk, "check_balance", domain)
    result = await answer_choice(talk, "2nd pls", "nlu_fallback", domain)
    second = asked.buttons[1]["payload"]
    assert result.slot("policy_number") in second


async def test_a_plain_no_to_the_choice_fills_nothing_so_the_form_ends(services, domain):
    talk = _jose()
    await ask_which(talk, "check_balance", domain)
    result = await answer_choice(talk, "no thanks", "deny", domain)
    assert _filled(result) == []


async def test_a_choice_answered_after_the_form_was_interrupted_still_counts(services, domain):
    talk = _jose()
    await ask_which(talk, "check_balance", domain)
    talk.active_loop = {}  # "help" ended the form; the question was not asked again
    talk.user("2nd pls", "nlu_fallback")
    result = await run(ActionUnderstandingFallback(), talk, domain)
    assert result.slot("policy_number") == "HOM-2000002"
    assert result.followup == "action_resume_task"


async def test_an_answered_choice_is_no_longer_waiting(services, domain):
    talk = _jose()
    await ask_which(talk, "check_balance", domain)
    talk.active_loop = {}
    talk.slots["policy_number"] = "AUT-1000003"  # answered
    talk.user("homeowners", "get_quote")
    result = await run(ActionHandoff(), talk, domain)
    assert result.followup is None, "a quote request now, not an answer"


async def test_a_new_amount_right_after_the_pay_link_redoes_the_payment(services, domain):
    talk = Conversation(phone=MARIA.phone).user("50", "inform").verified("H0000001")
    talk.slots.update(last_task="make_payment", policy_number="AUT-1000001", pending_task=None)
    talk.user("hold on, change it to ninety five", "inform")
    result = await run(ActionFollowUp(), talk, domain)
    assert result.slot("amount") == "95.00"
    assert result.slot("pending_task") == "make_payment"
    assert result.followup == "action_resume_task"
    assert "policy_number" not in [e.get("name") for e in result.events if e["event"] == "slot"]


async def test_a_bare_number_after_the_pay_link_is_not_a_new_payment(services, domain):
    talk = Conversation(phone=MARIA.phone).user("50", "inform").verified("H0000001")
    talk.slots.update(last_task="make_payment", policy_number="AUT-1000001", pending_task=None)
    talk.user("75", "inform")
    result = await run(ActionFollowUp(), talk, domain)
    assert result.followup != "action_resume_task"


def _asked_the_amount(talk: Conversation, policy_number: str) -> Conversation:
    talk.slots.update(
        pending_task="make_payment", policy_number=policy_number, requested_slot="amount"
    )
    return talk


async def test_another_policy_named_while_asked_the_amount_switches_the_payment(services, domain):
    talk = _asked_the_amount(_jose(), "AUT-1000003")
    talk.user("oh wait it's the house i want to pay", "nlu_fallback")
    talk.candidate_slots(amount="oh wait it's the house i want to pay")
    result = await run(ValidatePaymentForm(), talk, domain)
    assert result.slot("policy_number") == "HOM-2000002"
    assert result.slot("amount") is None
    assert result.slot("form_misses") == 0.0, "not counted as a miss"
    assert "HOM-****002" in result.text or "HOM-2000002" in result.text


async def test_the_same_policy_named_while_asked_the_amount_is_asked_again(services, domain):
    talk = _asked_the_amount(_jose(), "AUT-1000003")
    talk.user("the car one", "inform")
    talk.candidate_slots(amount="the car one")
    result = await run(ValidatePaymentForm(), talk, domain)
    assert "policy_number" not in [e.get("name") for e in result.events if e["event"] == "slot"]
    assert result.slot("amount") is None


async def test_an_amount_in_words_given_with_the_request_is_read_whole(services, domain):
    talk = Conversation(phone=MARIA.phone)
    talk.user("can I pay a hundred and twenty on my car", "make_payment")
    text = "can I pay a hundred and twenty on my car"
    talk.events[-1]["parse_data"]["entities"] = [
        {"entity": "amount", "value": "a hundred", "start": 10, "end": 19},
        {"entity": "amount", "value": "twenty", "start": 24, "end": 30},
    ]
    assert text[24:30] == "twenty"
    talk.user("78704", "inform").verified("H0000001")
    talk.slots["policy_number"] = "AUT-1000001"
    talk.candidate_slots(amount="twenty")  # Rasa keeps the last amount entity
    result = await run(ValidatePaymentForm(), talk, domain)
    assert result.slot("amount") == "120.00"


async def test_a_new_amount_read_as_a_policy_change_still_redoes_the_payment(services, domain):
    talk = Conversation(phone=MARIA.phone).user("60", "inform").verified("H0000001")
    talk.slots.update(last_task="make_payment", policy_number="AUT-1000001", pending_task=None)
    talk.user("oh sorry, change that to 90", "change_policy")
    result = await run(ActionHandoff(), talk, domain)
    assert result.slot("amount") == "90.00"
    assert result.followup == "action_resume_task"
    assert not result.payloads, "no handoff record"


async def test_a_policy_change_right_after_an_answer_is_still_handed_off(services, domain):
    talk = Conversation(phone=MARIA.phone).user("balance", "check_balance").verified("H0000001")
    talk.slots.update(last_task="check_balance", policy_number="AUT-1000001", pending_task=None)
    talk.user("i meant to update the address on my car policy", "change_policy")
    result = await run(ActionHandoff(), talk, domain)
    assert result.followup is None
    assert [p for p in result.payloads if "handoff" in p]


async def test_an_amount_and_a_policy_read_as_details_still_make_the_payment(services, domain):
    talk = Conversation(phone=JOSE.phone).user("throw $120 at the car policy", "inform")
    talk.latest["entities"] = [{"entity": "amount", "value": "$120", "start": 6, "end": 10}]
    talk.latest["intent_ranking"] = [
        {"name": "inform", "confidence": 1.0},
        {"name": "make_payment", "confidence": 0.0},
    ]
    started = await run(ActionFollowUp(), talk, domain)
    assert started.slot("pending_task") == "make_payment"
    assert started.followup == "action_start_task"
    talk.events += [e for e in started.events if e["event"] == "slot"]

    talk.user("11215", "inform").verified("H0000005")
    talk.events.append({"event": "action", "name": "verification_form"})  # the ZIP answered it
    resumed = await run(ActionResumeTask(), talk, domain)
    assert resumed.slot("policy_number") == "AUT-1000003", "the car policy, not asked which"
    assert resumed.slot("amount") == "120.00"
    assert resumed.followup == "payment_form"


async def test_a_bare_amount_with_nothing_asked_starts_no_payment(services, domain):
    talk = Conversation(phone=MARIA.phone).user("60", "inform")
    talk.latest["entities"] = [{"entity": "amount", "value": "60", "start": 0, "end": 2}]
    talk.latest["intent_ranking"] = [
        {"name": "inform", "confidence": 1.0},
        {"name": "make_payment", "confidence": 0.0},
    ]
    result = await run(ActionFollowUp(), talk, domain)
    assert result.followup != "action_start_task"


async def test_a_claim_named_in_words_read_as_a_new_claim_report_answers_the_claim_question(
    services, domain
):
    talk = _jose()
    await ask_which(talk, "claim_status", domain)
    result = await answer_choice(talk, "the hail damage claim", "report_claim", domain)
    assert result.slot("claim_number") == "CLM-50000004"
    assert not result.payloads, "no claim report and no handoff record"


async def test_a_new_amount_read_as_asking_for_a_person_still_redoes_the_payment(services, domain):
    talk = Conversation(phone=MARIA.phone).user("40", "inform").verified("H0000001")
    talk.slots.update(last_task="make_payment", policy_number="AUT-1000001", pending_task=None)
    talk.user("actually can you do 60 instead", "human_handoff")
    result = await run(ActionHandoff(), talk, domain)
    assert result.slot("amount") == "60.00"
    assert result.followup == "action_resume_task"


async def test_asking_for_a_person_in_words_right_after_a_payment_is_handed_off(services, domain):
    talk = Conversation(phone=MARIA.phone).user("40", "inform").verified("H0000001")
    talk.slots.update(last_task="make_payment", policy_number="AUT-1000001", pending_task=None)
    talk.user("actually can I talk to someone about the 60", "human_handoff")
    result = await run(ActionHandoff(), talk, domain)
    assert result.followup != "action_resume_task"
    assert result.payloads, "a handoff record"


async def test_a_line_word_read_as_yes_answers_the_waiting_policy_question(services, domain):
    talk = _jose()
    await ask_which(talk, "request_declarations", domain)
    result = await answer_choice(talk, "home", "affirm", domain)
    assert result.slot("policy_number") == "HOM-2000002"


async def test_a_yes_with_nothing_asked_gets_what_can_i_do(services, domain):
    talk = Conversation(phone=MARIA.phone).user("yes", "affirm")
    result = await run(ActionFollowUp(), talk, domain)
    assert result.followup is None
    assert [m["response"] for m in result.messages] == ["utter_ask_task"]


async def test_a_yes_right_after_a_miss_counts_as_not_understood(services, domain):
    talk = Conversation(phone=MARIA.phone).user("blorp zzz", "out_of_scope")
    talk.user("mmmm kkkk", "affirm")
    result = await run(ActionFollowUp(), talk, domain)
    assert result.followup == "action_understanding_fallback"


async def test_an_ok_right_after_a_miss_is_still_a_plain_yes(services, domain):
    talk = Conversation(phone=MARIA.phone).user("tell me a joke", "out_of_scope")
    talk.user("ok", "affirm")
    result = await run(ActionFollowUp(), talk, domain)
    assert result.followup is None
    assert [m["response"] for m in result.messages] == ["utter_ask_task"]
