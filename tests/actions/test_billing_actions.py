"""Billing and autopay actions for the personas, against the PAS sandbox."""

from __future__ import annotations

from sqlalchemy import select

from actions.autopay import ActionAutopayCancel, ActionAutopayEnroll, ActionAutopayStatus
from actions.billing import (
    ActionCheckBalance,
    ActionMakePayment,
    ActionPaymentHistory,
    ValidatePaymentForm,
)
from actions.identity import ActionResumeTask
from bot.conversation.outcomes import Category, Outcome
from bot.payments.links import payment_links
from tests.actions.conftest import JAMES, MARIA, PRIYA, PUBLIC_BASE_URL, Conversation, run


def verified(persona, holder_id: str, intent: str = "check_balance") -> Conversation:
    return Conversation(phone=persona.phone).user("hi", intent).verified(holder_id)


async def test_maria_balance_is_412_50_and_the_task_is_contained(services, domain):
    talk = verified(MARIA, "H0000001")
    result = await run(ActionCheckBalance(), talk, domain)
    assert "$412.50" in result.text
    assert "past due" not in result.text
    assert result.slot("policy_number") == "AUT-1000001"
    assert result.slot("pending_task") is None
    [outcome] = services.outcomes.for_conversation(talk.sender_id)
    assert (outcome.intent, outcome.category, outcome.outcome) == (
        "check_balance",
        Category.PAYMENTS,
        Outcome.CONTAINED,
    )
    assert outcome.channel == "sms"
    assert outcome.holder_hash == services.outcomes.holder_hash("H0000001")


async def test_priya_is_told_96_dollars_are_past_due(services, domain):
    result = await run(ActionCheckBalance(), verified(PRIYA, "H0000003"), domain)
    assert "$144.00" in result.text
    assert "$96.00 past due" in result.text


async def test_unverified_request_goes_to_verification_first(services, domain):
    talk = Conversation(phone=MARIA.phone).user("balance", "check_balance")
    result = await run(ActionCheckBalance(), talk, domain)
    assert result.followup == "action_start_task"
    assert result.slot("pending_task") == "check_balance"
    assert "$" not in result.text


async def test_someone_elses_policy_number_gets_an_answer_that_discloses_nothing(services, domain):
    talk = verified(MARIA, "H0000001")
    talk.slots["policy_number"] = PRIYA.policy_number
    result = await run(ActionCheckBalance(), talk, domain)
    assert "isn't on your account" in result.text
    assert "$" not in result.text  # neither Priya's balance nor Maria's unasked one

    talk.slots["policy_number"] = "AUT-9999999"  # exists nowhere: the very same answer
    unknown = await run(ActionCheckBalance(), talk, domain)
    assert unknown.text == result.text
    assert "$144.00" not in result.text


async def test_maria_payment_history_lists_dates_and_amounts(services, domain):
    result = await run(
        ActionPaymentHistory(), verified(MARIA, "H0000001", "payment_history"), domain
    )
    lines = result.text.splitlines()
    assert lines[0].startswith("Your last") and "AUT-****001" in lines[0]
    assert all(line.startswith("- ") and "$" in line for line in lines[1:])
    assert 1 <= len(lines) - 1 <= 5


async def test_make_payment_resume_states_the_balance_then_opens_the_form(services, domain):
    talk = verified(MARIA, "H0000001", "make_payment")
    talk.slots["pending_task"] = "make_payment"
    result = await run(ActionResumeTask(), talk, domain)
    assert "$412.50" in result.text
    assert result.followup == "payment_form"


async def test_payment_form_refuses_more_than_the_balance(services, domain):
    talk = verified(MARIA, "H0000001", "inform")
    talk.slots["policy_number"] = "AUT-1000001"
    talk.candidate_slots(amount="$500")
    result = await run(ValidatePaymentForm(), talk, domain)
    assert result.slot("amount") is None
    assert "more than your balance of $412.50" in result.text

    talk.user("the full balance", "inform").candidate_slots(amount="the full balance")
    full = await run(ValidatePaymentForm(), talk, domain)
    assert full.slot("amount") == "full"


async def test_make_payment_sends_a_single_use_pay_link_without_pii(services, domain):
    talk = verified(MARIA, "H0000001", "make_payment")
    talk.slots.update(policy_number="AUT-1000001", amount="200")
    result = await run(ActionMakePayment(), talk, domain)
    [payload] = result.payloads
    link = payload["pay_link"]
    assert link["amount"] == "200.00"
    assert link["url"].startswith(f"{PUBLIC_BASE_URL}/pay/")
    assert "1000001" not in link["url"]
    assert link["url"] in result.text and "$200.00" in result.text
    assert result.slot("amount") is None
    with services.engine.connect() as conn:
        row = conn.execute(select(payment_links)).one()._mapping
    assert (row["policy_number"], row["amount_cents"], row["purpose"]) == (
        "AUT-1000001",
        20000,
        "one_time",
    )


async def test_make_payment_of_the_full_balance(services, domain):
    talk = verified(MARIA, "H0000001", "make_payment")
    talk.slots.update(policy_number="AUT-1000001", amount="full")
    result = await run(ActionMakePayment(), talk, domain)
    assert result.payloads[0]["pay_link"]["amount"] == "412.50"


async def test_james_autopay_is_on(services, domain):
    result = await run(ActionAutopayStatus(), verified(JAMES, "H0000002", "autopay_status"), domain)
    assert "Autopay is on" in result.text


async def test_maria_autopay_enrolment_sends_a_set_up_link(services, domain):
    result = await run(ActionAutopayEnroll(), verified(MARIA, "H0000001", "autopay_enroll"), domain)
    assert result.payloads[0]["pay_link"]["url"].startswith(f"{PUBLIC_BASE_URL}/pay/")
    assert "turn on autopay" in result.text


async def test_james_autopay_cancel_asks_first_then_turns_it_off(services, domain):
    talk = verified(JAMES, "H0000002", "autopay_cancel")
    asked = await run(ActionAutopayCancel(), talk, domain)
    assert "Reply YES" in asked.text
    assert {b["payload"] for b in asked.buttons} == {"/affirm", "/deny"}
    assert asked.slot("pending_task") == "autopay_cancel"

    talk.user("yes", "affirm")
    done = await run(ActionAutopayCancel(), talk, domain)
    assert "autopay is now off" in done.text
    status = await run(ActionAutopayStatus(), talk.user("autopay?", "autopay_status"), domain)
    assert "Autopay is off" in status.text


async def test_declining_the_autopay_cancel_keeps_it_on(services, domain):
    talk = verified(JAMES, "H0000002", "autopay_cancel")
    await run(ActionAutopayCancel(), talk, domain)
    kept = await run(ActionAutopayCancel(), talk.user("no", "deny"), domain)
    assert "stays on" in kept.text


async def test_a_malformed_amount_is_asked_again_and_no_pay_link_is_created(services, domain):
    talk = verified(MARIA, "H0000001", "inform")
    talk.slots["policy_number"] = "AUT-1000001"
    for answer, reason in [
        ("-5", "more than $0.00"),
        ("$-1", "more than $0.00"),
        ("1e2", "couldn't read that as an amount"),
        ("12.345", "two digits after the decimal point"),
        ("50.5.5", "couldn't read that as an amount"),
        ("144.004", "two digits after the decimal point"),
        ("$50 or $60", "which amount you mean"),
    ]:
        talk.user(answer, "inform").candidate_slots(amount=answer)
        refused = await run(ValidatePaymentForm(), talk, domain)
        assert refused.slot("amount") is None, answer
        assert reason in refused.text and "Please reply with one amount" in refused.text

    # An amount that reached the payment action unvalidated is refused there too.
    talk.slots["amount"] = "1e2"
    made = await run(ActionMakePayment(), talk, domain)
    assert made.payloads == []
    assert made.followup == "payment_form"
    assert made.slot("amount") is None
    assert "couldn't read that as an amount" in made.text
    with services.engine.connect() as conn:
        assert conn.execute(select(payment_links)).all() == []

    # The answer to the question asked again is kept, and paid.
    talk.user("$96", "inform").candidate_slots(amount="$96")
    retry = await run(ValidatePaymentForm(), talk, domain)
    assert retry.slot("amount") == "96.00"
    paid = await run(ActionMakePayment(), talk, domain)
    assert paid.payloads[0]["pay_link"]["amount"] == "96.00"


async def test_the_form_reads_the_whole_answer_not_only_the_last_amount_entity(services, domain):
    talk = verified(MARIA, "H0000001", "inform")
    talk.slots["policy_number"] = "AUT-1000001"
    # Rasa fills a text slot with the last of several amount entities.
    talk.user("$50 or $60", "inform")
    talk.latest["entities"] = [
        {"entity": "amount", "value": "$50", "start": 0, "end": 3},
        {"entity": "amount", "value": "$60", "start": 7, "end": 10},
    ]
    talk.candidate_slots(amount="$60")
    assert (await run(ValidatePaymentForm(), talk, domain)).slot("amount") is None
    # Rasa's tokenizer splits the dash off "- 5": the entity is "5".
    talk.user("- 5", "inform")
    talk.latest["entities"] = [{"entity": "amount", "value": "5", "start": 2, "end": 3}]
    talk.candidate_slots(amount="5")
    negative = await run(ValidatePaymentForm(), talk, domain)
    assert negative.slot("amount") is None
    assert "more than $0.00" in negative.text
    # Other entities in the same message are not amounts.
    talk.user("$96 on policy 1000001", "inform")
    talk.latest["entities"] = [
        {"entity": "amount", "value": "$96", "start": 0, "end": 3},
        {"entity": "policy_number", "value": "1000001", "start": 14, "end": 21},
    ]
    talk.candidate_slots(amount="$96")
    assert (await run(ValidatePaymentForm(), talk, domain)).slot("amount") == "96.00"


async def test_priya_pays_the_past_due_part(services, domain):
    talk = verified(PRIYA, "H0000003", "inform")
    talk.slots["policy_number"] = "REN-3000001"
    talk.user("the past-due part", "inform").candidate_slots(amount="the past-due part")
    assert (await run(ValidatePaymentForm(), talk, domain)).slot("amount") == "past_due"
    paid = await run(ActionMakePayment(), talk, domain)
    assert paid.payloads[0]["pay_link"]["amount"] == "96.00"
    assert "$96.00" in paid.text
