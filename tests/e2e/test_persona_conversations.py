"""The fixture personas get what they came for, through the trained assistant and the live PAS.

Messages go through the Rasa REST endpoint with the metadata the SMS channel attaches (channel
and sender number), so these are the same turns an SMS conversation has, minus Twilio. The SMS
and voice webhooks themselves are exercised in test_channels_end_to_end.py.
"""

from __future__ import annotations

import re

import pytest

from tests.support import personas

pytestmark = [pytest.mark.rasa, pytest.mark.slow]

MARIA = {"channel": "sms", "phone": personas.MARIA.phone}
JAMES = {"channel": "sms", "phone": personas.JAMES.phone}
PRIYA = {"channel": "sms", "phone": personas.PRIYA.phone}
ROBERT = {"channel": "sms", "phone": personas.ROBERT.phone}
JOSE = {"channel": "sms", "phone": personas.JOSE.phone}


def verify(chat, date_of_birth: str, zip_code: str) -> str:  # type: ignore[no-untyped-def]
    asked = chat.transcript[-1][1]
    assert "date of birth" in asked, chat
    assert "ZIP" in chat.say(date_of_birth), chat
    return chat.say(zip_code)


def test_maria_checks_her_balance_and_payment_history_by_text(chat) -> None:  # type: ignore[no-untyped-def]
    maria = chat(**MARIA)
    maria.say("hi whats my balance")
    answer = verify(maria, "04/12/1985", "78704")
    assert "you're verified" in answer
    assert "$412.50" in answer and "$206.25" in answer, maria
    assert "AUT-1000001" not in answer, "full policy numbers are never texted"
    history = maria.say("when did i last pay")
    assert "Your last 5 payments" in history and "$206.25" in history, maria


def test_maria_claim_status_names_adjuster_dana_brooks_and_the_next_step(chat) -> None:  # type: ignore[no-untyped-def]
    maria = chat(**MARIA)
    maria.say("any update on my claim?")
    answer = verify(maria, "1985-04-12", "78704")
    assert "CLM-50000001" in answer, maria
    assert "Dana Brooks" in answer and "(800) 555-0142" in answer
    assert "Next:" in answer


def test_jose_picks_his_home_policy_in_words_for_the_declarations_page(chat) -> None:  # type: ignore[no-untyped-def]
    jose = chat(**JOSE)
    jose.say("I need my declarations page")
    asked = verify(jose, "06/18/1979", "11215")
    assert "Which one is this declarations page for?" in asked, jose
    assert "[Auto AUT-****003]" in asked and "[Home HOM-****002]" in asked
    sent = jose.say("the home one")
    assert "declarations page for policy HOM-****002" in sent, jose
    link = re.search(r"http://\S+/d/\S+", sent)
    assert link is not None and "2000002" not in link.group(0)


def test_jose_is_asked_again_for_a_second_task_instead_of_reusing_the_policy(chat) -> None:  # type: ignore[no-untyped-def]
    jose = chat(**JOSE)
    jose.say("how much do I owe")
    asked = verify(jose, "06/18/1979", "11215")
    assert "Which one is this balance for?" in asked, jose
    first = jose.say("auto")
    assert "AUT-****003" in first and "$" in first, jose
    second = jose.say("whats the balance on my home policy")
    assert "HOM-****002" in second, jose


def test_robert_cancelled_policy_gets_no_id_card_but_is_offered_the_declarations(chat) -> None:  # type: ignore[no-untyped-def]
    robert = chat(**ROBERT)
    robert.say("id card")
    answer = verify(robert, "11/05/1968", "98109")
    assert "no longer in force" in answer, robert
    assert "/d/" not in answer, "no ID card link for a cancelled policy"


def test_priya_hears_her_past_due_amount(chat) -> None:  # type: ignore[no-untyped-def]
    priya = chat(**PRIYA)
    priya.say("how much do i owe")
    answer = verify(priya, "1/22/1996", "43215")
    assert "$96.00 past due" in answer, priya


def test_james_autopay_is_on(chat) -> None:  # type: ignore[no-untyped-def]
    james = chat(**JAMES)
    james.say("am i on autopay")
    answer = verify(james, "09/30/1972", "28203")
    assert "autopay" in answer.lower() and "on" in answer.lower(), james


def test_an_id_card_link_opens_a_pdf_once(chat, rasa_stack) -> None:  # type: ignore[no-untyped-def]
    from bot.settings import Settings
    from bot.web import create_app

    maria = chat(**MARIA)
    maria.say("send me my insurance card")
    answer = verify(maria, "04/12/1985", "78704")
    match = re.search(r"http://\S+(/d/\S+)", answer)
    assert match is not None, maria
    # The web app that serves links shares the stack's database.
    app = create_app(Settings.from_env(rasa_stack.env))
    client = app.test_client()
    first = client.get(match.group(1))
    assert first.status_code == 200
    assert first.data.startswith(b"%PDF") and "no-store" in first.headers["Cache-Control"]
    again = client.get(match.group(1))
    assert again.status_code == 410, "a document link works once"


def test_three_wrong_answers_lock_verification_and_offer_a_person(chat, generated_holders) -> None:  # type: ignore[no-untyped-def]
    holder = generated_holders[-2]  # one of the FRESH_HOLDERS
    someone = chat(channel="sms", phone=holder.phone)
    someone.say("balance")
    for _ in range(3):
        someone.say("01/01/1990")
        answer = someone.say("11111")
    assert "can't check who you are until" in answer, someone
    assert "reference is HO-" in answer
    # Locked means locked: even the right answers do not verify now.
    again = someone.say("what's my balance")
    assert "can't check who you are until" in again, someone
    assert "$" not in again


def test_coverage_questions_go_to_a_licensed_agent_with_a_reference(chat) -> None:  # type: ignore[no-untyped-def]
    maria = chat(**MARIA)
    payloads = maria.payloads("does my policy cover a rental car while mine is in the shop")
    [handoff] = [p["handoff"] for p in payloads if "handoff" in p]
    assert handoff["reason"] == "coverage_question" and handoff["queue"] == "coverage"


def test_an_accident_report_gets_the_claims_line_at_once(chat) -> None:  # type: ignore[no-untyped-def]
    maria = chat(**MARIA)
    answer = maria.say("i just got rear ended on the highway")
    assert "(800) 555-0199" in answer, maria
    assert "911" in answer


def test_the_pas_going_down_gets_an_apology_and_a_way_forward(
    chat, sandbox, generated_holders
) -> None:  # type: ignore[no-untyped-def]
    # A policyholder nobody asked about yet, and the PAS down from their first message: nothing
    # cached and nothing read ahead of verification (those reads fail too), so the answer needs
    # the PAS. (Down only after the questions, the reads made ahead would answer from the cache.)
    holder = generated_holders[-1]  # one of the FRESH_HOLDERS
    someone = chat(channel="sms", phone=holder.phone)
    sandbox.set_faults(outage=True)
    someone.say("what's my balance")
    someone.say(holder.date_of_birth)
    answer = someone.say(holder.zip_code)
    assert "(800) 555-0100" in answer, someone
    assert "$" not in answer, "no invented figures while the PAS is down"


def test_anonymous_web_chat_asks_for_the_policy_number_without_scolding(chat) -> None:  # type: ignore[no-untyped-def]
    visitor = chat(channel="webchat")
    answer = visitor.say("what's my balance")
    assert "What's your policy number?" in answer, visitor
    assert "doesn't look like" not in answer
    assert "date of birth" in visitor.say("AUT-1000001")
