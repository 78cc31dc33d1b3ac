"""The IVR call flow: disclosure, keypad menus, retries, deadline, texted links, transfers."""

from __future__ import annotations

import asyncio
import json

import pytest
from twilio.twiml.voice_response import Pay

from bot.notifications.outbox import read_outbox
from channels.config import VoiceSettings
from channels.rasa_turns import ConversationFacts
from channels.voice_calls import VoiceRequest
from tests.channels.support import CALLER
from tests.channels.voice_support import (
    CALL_SID,
    REPLIES,
    Facts,
    VoiceBot,
    build_calls,
    gather,
    next_request,
    parse,
    request,
    says,
)


@pytest.fixture
def bot() -> VoiceBot:
    return VoiceBot()


@pytest.fixture
def facts() -> Facts:
    return Facts()


@pytest.fixture
def calls(resources, bot, facts):
    return build_calls(resources, bot, facts)


async def test_the_call_opens_with_the_ai_disclosure_then_the_keypad_menu(calls, bot):
    twiml = await calls.respond(request(call_status="ringing"))
    root = parse(twiml)
    assert root[0].tag == "Say" and root[0].text == REPLIES.disclosure
    assert "automated assistant, not a person" in REPLIES.disclosure
    spoken = " ".join(s.text for s in root.find("Gather").findall("Say"))
    assert "press 1 for ID cards" in spoken and "0 for a person" in spoken
    assert next_request(twiml) == {"seq": 1}
    assert bot.requests == []


async def test_a_menu_key_starts_that_journey_in_the_conversation_named_by_the_call_sid(calls, bot):
    await calls.respond(request())
    await calls.respond(request(seq=1, digits="1"))
    [turn] = bot.requests
    assert turn.text == "/request_id_card"
    assert turn.sender_id == CALL_SID
    assert turn.metadata == {"channel": "voice", "phone": CALLER, "input": "dtmf"}


async def test_a_withheld_caller_id_is_sent_as_no_phone(calls, bot):
    await calls.respond(
        VoiceRequest(call_sid=CALL_SID, caller="anonymous", seq=1, speech="my balance")
    )
    assert bot.requests[0].metadata["phone"] is None


async def test_numbers_keyed_in_are_passed_on_as_text(calls, bot):
    await calls.respond(request(seq=3, digits="04121985#"))
    assert bot.requests[0].text == "04121985"


async def test_speech_is_passed_on_and_the_answer_is_spoken_for_the_ear(calls, bot):
    bot.answer = [{"text": "Your balance is $412.50, due Dec 5, 2026. Pay at https://x.example/p"}]
    twiml = await calls.respond(request(seq=1, speech="what's my balance"))
    assert bot.requests[0].text == "what's my balance"
    assert bot.requests[0].metadata["input"] == "speech"
    [spoken] = says(twiml)
    assert spoken == "Your balance is 412 dollars and 50 cents, due December 5th, 2026. Pay."
    assert next_request(twiml) == {"seq": 2}


async def test_bot_choices_get_keypad_equivalents_and_a_key_sends_the_choice(calls, bot):
    bot.answer = [
        {
            "text": "Which policy?",
            "buttons": [
                {"title": "your auto policy", "payload": '/choose_policy{"policy_number":"A1"}'},
                {"title": "your home policy", "payload": '/choose_policy{"policy_number":"H2"}'},
            ],
        }
    ]
    twiml = await calls.respond(request(seq=1, digits="1"))
    assert says(twiml) == [
        "Which policy?",
        "Press 1 for your auto policy, or 2 for your home policy. Or just say it.",
    ]
    assert gather(twiml).get("numDigits") == "1"
    bot.answer = [{"text": "Done."}]
    await calls.respond(request(seq=2, digits="2"))
    assert bot.requests[-1].text == '/choose_policy{"policy_number":"H2"}'


async def test_a_spoken_choice_matching_a_button_title_sends_the_choice(calls, bot):
    bot.answer = [{"text": "Which one?", "buttons": [{"title": "Home policy", "payload": "/h"}]}]
    await calls.respond(request(seq=1, speech="ID card"))
    await calls.respond(request(seq=2, speech="home policy."))
    assert bot.requests[-1].text == "/h"


async def test_zero_always_reaches_a_person_even_while_choices_are_offered(calls, bot):
    bot.answer = [{"text": "Which one?", "buttons": [{"title": "Auto", "payload": "/a"}]}]
    await calls.respond(request(seq=1, speech="ID card"))
    await calls.respond(request(seq=2, digits="0"))
    assert bot.requests[-1].text == "/human_handoff"


async def test_silence_is_retried_twice_then_the_call_goes_to_a_person(calls, bot, facts):
    facts.facts = ConversationFacts(verified=True)
    await calls.respond(request())
    first = await calls.respond(request(seq=1))
    assert says(first)[0] == REPLIES.no_input
    assert next_request(first) == {"seq": 2, "miss": 1}
    second = await calls.respond(request(seq=2, misses=1))
    assert says(second)[0] == REPLIES.no_input
    assert next_request(second) == {"seq": 3, "miss": 2}
    third = await calls.respond(request(seq=3, misses=2))
    root = parse(third)
    assert root.find("Gather") is None
    assert root.find("Dial").text == "+18005550100"
    assert says(third)[0] == REPLIES.transfer_after_retries
    assert bot.requests == []


async def test_a_key_that_is_no_choice_is_retried_and_an_answer_resets_the_count(calls, bot):
    await calls.respond(request())
    wrong = await calls.respond(request(seq=1, digits="9"))
    assert says(wrong)[0] == REPLIES.no_match
    assert next_request(wrong) == {"seq": 2, "miss": 1}
    answered = await calls.respond(request(seq=2, misses=1, digits="2"))
    assert next_request(answered) == {"seq": 3}
    assert [r.text for r in bot.requests] == ["/check_balance"]


async def test_the_retry_repeats_what_the_caller_last_heard(calls, bot):
    bot.answer = [{"text": "What's your ZIP code?"}]
    await calls.respond(request(seq=1, speech="ID card"))
    retry = await calls.respond(request(seq=2))
    assert says(retry) == [
        REPLIES.no_input,
        "What's your ZIP code?",
        "You can also key in the 5 digits.",
    ]


async def test_after_a_statement_silence_asks_what_else_rather_than_repeating_it(calls, bot):
    bot.answer = [{"text": "Your balance is $85.00."}, {"text": "It's due Dec 5, 2026."}]
    await calls.respond(request(seq=1, digits="2"))
    retry = await calls.respond(request(seq=2))
    assert says(retry) == [REPLIES.no_input, REPLIES.anything_else]


async def test_star_repeats_the_prompt_without_counting_a_miss(calls):
    await calls.respond(request())
    repeated = await calls.respond(request(seq=1, digits="*"))
    assert next_request(repeated) == {"seq": 2}
    assert REPLIES.welcome in says(repeated)


@pytest.mark.parametrize(
    "said", [{"digits": "4111111111111111"}, {"speech": "my card is 4111 1111 1111 1111"}]
)
async def test_card_numbers_said_or_keyed_never_reach_the_assistant(calls, bot, said):
    twiml = await calls.respond(request(seq=1, **said))
    assert bot.requests == []
    assert says(twiml)[0] == REPLIES.payment_data


async def test_a_document_is_texted_to_the_number_on_file_and_the_link_is_not_spoken(
    calls, bot, resources
):
    url = "https://app.policyline.example/d/tok789"
    bot.answer = [
        {"text": f"Here's your ID card: {url}"},
        {"custom": {"document": {"kind": "id_card", "url": url, "sms_to": "+15125550123"}}},
    ]
    twiml = await calls.respond(request(seq=1, digits="1"))
    assert says(twiml) == ["I've texted you a link to your ID card."]
    assert url not in twiml
    [text] = read_outbox(resources.engine, to="+15125550123")
    assert text.body == f"Your ID card: {url}"
    # Not to the caller ID: only the number on file receives documents.
    assert read_outbox(resources.engine, to=CALLER) == []


async def test_without_a_number_on_file_no_link_is_texted(calls, bot, resources):
    bot.answer = [{"custom": {"document": {"kind": "id_card", "url": "https://x/d/1"}}}]
    twiml = await calls.respond(request(seq=1, digits="1"))
    assert says(twiml)[0] == REPLIES.no_number_on_file
    assert read_outbox(resources.engine) == []


async def test_a_number_that_opted_out_of_texts_is_not_texted(calls, bot, resources):
    resources.suppression.opt_out("+15125550123", "keyword")
    bot.answer = [
        {
            "custom": {
                "document": {"kind": "id_card", "url": "https://x/d/1", "sms_to": "+15125550123"}
            }
        }
    ]
    twiml = await calls.respond(request(seq=1, digits="1"))
    assert says(twiml)[0] == REPLIES.texts_turned_off
    assert read_outbox(resources.engine) == []


async def test_a_pay_link_is_texted_unless_a_payment_hook_takes_the_payment(resources, bot, facts):
    link = {"pay_link": {"url": "https://x/pay/1", "amount": "412.50", "sms_to": CALLER}}
    bot.answer = [{"text": "You can pay $412.50 now."}, {"custom": link}]
    texted = await build_calls(resources, bot, facts).respond(request(seq=1, digits="3"))
    assert says(texted)[-1] == "I've texted you a secure link to make your payment."
    assert [m.body for m in read_outbox(resources.engine, to=CALLER)] == [
        "Pay securely here: https://x/pay/1"
    ]

    class PayByPhone:
        def pay_verb(self, link, call_sid):
            return Pay(charge_amount=link.amount, payment_connector="Stripe_Connector")

    pay_calls = build_calls(
        resources, VoiceBot(answer=bot.answer), facts, payment_hook=PayByPhone()
    )
    paid = await pay_calls.respond(request(seq=1, digits="3"))
    root = parse(paid)
    assert root.find("Pay").get("chargeAmount") == "412.50"
    assert root.find("Gather") is None
    assert len(read_outbox(resources.engine, to=CALLER)) == 1  # nothing more texted


async def test_a_handoff_payload_transfers_with_the_reasons_and_verification(resources, facts):
    facts.facts = ConversationFacts(verified=True)
    bot = VoiceBot(
        answer=[
            {"text": "I'll connect you with a licensed agent."},
            {
                "custom": {
                    "handoff": {
                        "ticket": "HO-77",
                        "reason": "coverage_question",
                        "intent": "coverage_question",
                        "urgent": False,
                        "queue": "coverage",
                    }
                }
            },
        ]
    )
    voice = VoiceSettings(taskrouter_workflow_sid="WW" + "1" * 32)
    twiml = await build_calls(resources, bot, facts, voice=voice).respond(
        request(seq=1, speech="am I covered for hail")
    )
    root = parse(twiml)
    assert root.find("Gather") is None
    assert says(twiml) == ["I'll connect you with a licensed agent."]
    task = json.loads(root.find("Enqueue/Task").text)
    assert {k: task[k] for k in ("reason", "intent", "ticket", "verified")} == {
        "reason": "coverage_question",
        "intent": "coverage_question",
        "ticket": "HO-77",
        "verified": True,
    }


async def test_goodbye_ends_the_call(calls, bot, facts):
    facts.facts = ConversationFacts(latest_intent="goodbye")
    bot.answer = [{"text": "Thanks for calling. Goodbye!"}]
    root = parse(await calls.respond(request(seq=4, speech="that's all, bye")))
    assert [child.tag for child in root] == ["Say", "Hangup"]


async def test_a_slow_turn_holds_the_caller_and_the_poll_collects_its_answer(resources, bot, facts):
    bot.gate = asyncio.Event()
    bot.answer = [{"text": "Your claim is with an adjuster."}]
    calls = build_calls(resources, bot, facts, voice=VoiceSettings(turn_deadline_s=0.05))
    held = await calls.respond(request(seq=5, speech="claim status"))
    assert says(held) == [REPLIES.still_working]
    assert next_request(held) == {"seq": 5, "poll": 1}
    bot.gate.set()
    await calls.drain()
    collected = await calls.respond(request(seq=5, poll=1))
    assert says(collected) == ["Your claim is with an adjuster."]
    assert next_request(collected) == {"seq": 6}
    assert len(bot.requests) == 1


async def test_a_turn_that_never_finishes_goes_to_a_person_after_the_last_poll(
    resources, bot, facts
):
    bot.gate = asyncio.Event()  # never set

    async def no_wait(_seconds: float) -> None:
        await asyncio.sleep(0)

    voice = VoiceSettings(turn_deadline_s=0.01, max_hold_polls=2)
    calls = build_calls(resources, bot, facts, voice=voice, sleep=no_wait)
    await calls.respond(request(seq=2, speech="claim status"))
    second_hold = await calls.respond(request(seq=2, poll=1))
    assert next_request(second_hold) == {"seq": 2, "poll": 2}
    gave_up = await calls.respond(request(seq=2, poll=2))
    assert says(gave_up)[0] == REPLIES.too_slow
    assert parse(gave_up).find("Dial") is not None
    bot.gate.set()
    await calls.drain()


async def test_a_retried_request_gets_the_same_answer_without_a_second_turn(calls, bot):
    first = await calls.respond(request(seq=1, speech="my balance"))
    again = await calls.respond(request(seq=1, speech="my balance"))
    assert first == again
    assert len(bot.requests) == 1


async def test_when_the_assistant_fails_the_caller_is_transferred_with_an_apology(calls, bot):
    bot.error = RuntimeError("action server timeout")
    twiml = await calls.respond(request(seq=1, speech="my balance"))
    assert says(twiml)[0] == REPLIES.system_error
    assert parse(twiml).find("Dial") is not None


async def test_a_status_callback_for_an_ended_call_does_nothing(calls, bot):
    twiml = await calls.respond(request(seq=3, call_status="completed", speech="hello"))
    assert list(parse(twiml)) == []
    assert bot.requests == []
