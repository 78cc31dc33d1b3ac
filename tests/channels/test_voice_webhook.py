"""The voice webhook: signed requests get TwiML; forged or tampered ones get 403 and no turn."""

from __future__ import annotations

from bot.twilio_signatures import SIGNATURE_HEADER
from channels.resources import ChannelResources
from channels.twilio_requests import new_call_sid, voice_webhook_params
from channels.twilio_voice import TwilioVoiceInput
from tests.channels.support import (
    CALLER,
    INTERNAL_BASE,
    PUBLIC_BASE,
    ChannelApp,
    ScriptedAgent,
    make_settings,
)
from tests.channels.voice_support import Facts, next_request, parse, says

WEBHOOK = "/webhooks/twilio_voice/webhook"


def voice_channel(tmp_path, **overrides) -> TwilioVoiceInput:
    settings = make_settings(tmp_path, **overrides)
    return TwilioVoiceInput(settings, ChannelResources.build(settings), conversation_reader=Facts())


async def test_a_call_is_answered_and_its_turns_reach_the_agent_under_the_call_sid(tmp_path):
    channel = voice_channel(tmp_path)
    agent = ScriptedAgent(lambda m: [{"text": "Your balance is $85.00."}])
    call_sid = new_call_sid()
    async with ChannelApp([channel], agent) as app:
        opening = await app.post(
            WEBHOOK,
            voice_webhook_params(call_sid=call_sid, from_number=CALLER, call_status="ringing"),
        )
        assert opening.status_code == 200
        assert opening.headers["content-type"].startswith("text/xml")
        action = parse(opening.text).find("Gather").get("action")
        answer = await app.post(
            action, voice_webhook_params(call_sid=call_sid, from_number=CALLER, digits="2")
        )
    assert answer.status_code == 200
    assert says(answer.text) == ["Your balance is 85 dollars."]
    assert next_request(answer.text) == {"seq": 2}
    [message] = agent.received
    assert message.sender_id == call_sid
    assert message.input_channel == "twilio_voice"
    assert message.text == "/check_balance"
    assert message.metadata["phone"] == CALLER


async def test_forged_voice_requests_are_refused_and_never_reach_the_agent(tmp_path):
    channel, agent = voice_channel(tmp_path), ScriptedAgent()
    params = voice_webhook_params(call_sid=new_call_sid(), from_number=CALLER, speech="hi")
    async with ChannelApp([channel], agent) as app:
        missing = await app.post(WEBHOOK + "?seq=1", params, headers={SIGNATURE_HEADER: None})
        wrong = await app.post(WEBHOOK + "?seq=1", params, auth_token="wrong-token")
        # Signed for seq=1, sent to seq=7: the query is part of the signature.
        tampered = await app.post(
            WEBHOOK + "?seq=7", params, signed_url=INTERNAL_BASE + WEBHOOK + "?seq=1"
        )
    assert [r.status_code for r in (missing, wrong, tampered)] == [403, 403, 403]
    assert agent.received == []


async def test_a_signed_request_without_a_call_sid_is_a_bad_request(tmp_path):
    channel, agent = voice_channel(tmp_path), ScriptedAgent()
    params = [("From", CALLER), ("SpeechResult", "hi")]
    async with ChannelApp([channel], agent) as app:
        response = await app.post(WEBHOOK + "?seq=1", params)
    assert response.status_code == 400
    assert agent.received == []


async def test_behind_a_proxy_gather_actions_point_at_the_public_url(tmp_path):
    channel = voice_channel(tmp_path, public_webhook_base_url=PUBLIC_BASE)
    agent = ScriptedAgent()
    params = voice_webhook_params(call_sid=new_call_sid(), from_number=CALLER)
    async with ChannelApp([channel], agent) as app:
        response = await app.post(WEBHOOK, params, signed_url=PUBLIC_BASE + WEBHOOK)
    assert response.status_code == 200
    assert parse(response.text).find("Gather").get("action") == (f"{PUBLIC_BASE}{WEBHOOK}?seq=1")
