"""The SMS webhook: signed requests are acknowledged at once and answered by text; others are
refused before any work and never reach the agent."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import select

from bot.notifications.delivery_status import delivery_history, sms_delivery_status
from bot.notifications.outbox import read_outbox
from bot.twilio_signatures import SIGNATURE_HEADER
from channels.first_reply import with_disclosure
from channels.resources import ChannelResources
from channels.twilio_requests import signed_form_request, sms_status_params, sms_webhook_params
from channels.twilio_sms import TwilioSmsInput
from tests.channels.support import (
    AUTH_TOKEN,
    CALLER,
    INTERNAL_BASE,
    PUBLIC_BASE,
    SMS_DISCLOSURE,
    ChannelApp,
    ScriptedAgent,
    make_settings,
)

WEBHOOK = "/webhooks/twilio_sms/webhook"
STATUS = "/webhooks/twilio_sms/status"
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response />'


def sms_channel(tmp_path: Path, **overrides) -> TwilioSmsInput:
    settings = make_settings(tmp_path, **overrides)
    return TwilioSmsInput(settings, ChannelResources.build(settings))


def texts_to(channel: TwilioSmsInput, number: str = CALLER) -> list[str]:
    return [m.body for m in read_outbox(channel.resources.engine, to=number)]


async def test_a_signed_text_is_acknowledged_with_empty_twiml_and_answered_by_sms(tmp_path):
    channel, agent = sms_channel(tmp_path), ScriptedAgent()
    async with ChannelApp([channel], agent) as app:
        response = await app.post(WEBHOOK, sms_webhook_params(from_number=CALLER, body="hi"))
        await app.drain()
    assert response.status_code == 200
    assert response.text == EMPTY_TWIML
    assert response.headers["content-type"].startswith("text/xml")
    [message] = agent.received
    assert message.text == "hi"
    assert message.input_channel == "twilio_sms"
    assert message.metadata == {"channel": "sms", "phone": CALLER}
    assert texts_to(channel) == [with_disclosure(SMS_DISCLOSURE, "You said: hi")]


async def test_the_conversation_id_is_stable_per_phone_and_holds_no_phone_number(tmp_path):
    channel, agent = sms_channel(tmp_path), ScriptedAgent()
    async with ChannelApp([channel], agent) as app:
        # Turns run after the webhook answers: drain each one so they arrive in order.
        for sender in (CALLER, CALLER, "+15125550102"):
            await app.post(WEBHOOK, sms_webhook_params(from_number=sender, body="hello"))
            await app.drain()
    first, again, other = (m.sender_id for m in agent.received)
    assert first == again != other
    assert re.fullmatch(r"sms-[0-9a-f]{32}", first)
    assert "5125550101" not in first


async def test_the_turn_runs_after_the_webhook_has_answered(tmp_path):
    release = asyncio.Event()

    async def slow_bot(message):
        await release.wait()
        return [{"text": "done"}]

    channel, agent = sms_channel(tmp_path), ScriptedAgent(slow_bot)
    async with ChannelApp([channel], agent) as app:
        response = await app.post(WEBHOOK, sms_webhook_params(from_number=CALLER, body="hi"))
        # The webhook answered although the bot has not finished (it is still waiting).
        assert response.status_code == 200
        assert texts_to(channel) == []
        release.set()
        await app.drain()
    assert texts_to(channel) == [with_disclosure(SMS_DISCLOSURE, "done")]


async def test_a_forged_signature_is_refused_and_nothing_reaches_the_agent(tmp_path):
    channel, agent = sms_channel(tmp_path), ScriptedAgent()
    params = sms_webhook_params(from_number=CALLER, body="hi")
    async with ChannelApp([channel], agent) as app:
        wrong_token = await app.post(WEBHOOK, params, auth_token="not-the-token")
        missing = await app.post(WEBHOOK, params, headers={SIGNATURE_HEADER: None})
        garbage = await app.post(WEBHOOK, params, headers={SIGNATURE_HEADER: "AAAA"})
        await app.drain()
    assert [r.status_code for r in (wrong_token, missing, garbage)] == [403, 403, 403]
    assert agent.received == []
    assert texts_to(channel) == []


async def test_a_signed_request_replayed_with_a_changed_body_is_refused(tmp_path):
    channel, agent = sms_channel(tmp_path), ScriptedAgent()
    params = sms_webhook_params(from_number=CALLER, body="what is my balance")
    changed = [(k, "STOP" if k == "Body" else v) for k, v in params]
    original = signed_form_request(AUTH_TOKEN, INTERNAL_BASE + WEBHOOK, params)
    async with ChannelApp([channel], agent) as app:
        response = await app.post(
            WEBHOOK,
            params,
            body=urlencode(changed).encode(),
            headers={SIGNATURE_HEADER: original.signature},
        )
        await app.drain()
    assert response.status_code == 403
    assert agent.received == []


async def test_behind_a_proxy_requests_signed_for_the_public_url_are_accepted(tmp_path):
    public = sms_channel(tmp_path / "a", public_webhook_base_url=PUBLIC_BASE)
    unconfigured = sms_channel(tmp_path / "b")
    params = sms_webhook_params(from_number=CALLER, body="hi")
    results = []
    for channel in (public, unconfigured):
        agent = ScriptedAgent()
        async with ChannelApp([channel], agent) as app:
            # Signed for the public URL Twilio called; arrives on the internal host.
            response = await app.post(WEBHOOK, params, signed_url=PUBLIC_BASE + WEBHOOK)
            await app.drain()
        results.append((response.status_code, len(agent.received)))
    assert results == [(200, 1), (403, 0)]


async def test_forwarded_headers_are_trusted_only_when_configured(tmp_path):
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "bot.policyline.example"}
    params = sms_webhook_params(from_number=CALLER, body="hi")
    results = []
    for trust in (True, False):
        channel = sms_channel(tmp_path / str(trust), trust_forwarded_headers=trust)
        agent = ScriptedAgent()
        async with ChannelApp([channel], agent) as app:
            response = await app.post(
                WEBHOOK, params, signed_url=PUBLIC_BASE + WEBHOOK, headers=forwarded
            )
            await app.drain()
        results.append((trust, response.status_code, len(agent.received)))
    assert results == [(True, 200, 1), (False, 403, 0)]


async def test_a_twilio_retry_with_the_same_message_sid_is_answered_once(tmp_path):
    channel, agent = sms_channel(tmp_path), ScriptedAgent()
    params = sms_webhook_params(from_number=CALLER, body="my balance", message_sid="SM" + "1" * 32)
    async with ChannelApp([channel], agent) as app:
        first = await app.post(WEBHOOK, params)
        retry = await app.post(WEBHOOK, params)
        await app.drain()
    assert (first.status_code, retry.status_code) == (200, 200)
    assert retry.text == EMPTY_TWIML
    assert len(agent.received) == 1
    assert texts_to(channel) == [with_disclosure(SMS_DISCLOSURE, "You said: my balance")]


async def test_a_message_without_body_gets_a_polite_reply_not_an_error(tmp_path):
    channel, agent = sms_channel(tmp_path), ScriptedAgent()
    async with ChannelApp([channel], agent) as app:
        response = await app.post(WEBHOOK, sms_webhook_params(from_number=CALLER, body=None))
        await app.drain()
    assert response.status_code == 200
    assert agent.received == []
    [reply] = texts_to(channel)
    assert "empty" in reply and "What can I help you with?" in reply


async def test_a_signed_request_without_from_is_a_bad_request(tmp_path):
    channel, agent = sms_channel(tmp_path), ScriptedAgent()
    params = [(k, v) for k, v in sms_webhook_params(from_number=CALLER, body="x") if k != "From"]
    async with ChannelApp([channel], agent) as app:
        response = await app.post(WEBHOOK, params)
    assert response.status_code == 400
    assert agent.received == []


async def test_a_long_answer_arrives_in_numbered_parts_of_at_most_320_characters(tmp_path):
    sentence = "Your auto policy covers two vehicles with full coverage and roadside help. "
    channel = sms_channel(tmp_path)
    agent = ScriptedAgent(lambda m: [{"text": sentence * 8}])
    async with ChannelApp([channel], agent) as app:
        await app.post(WEBHOOK, sms_webhook_params(from_number=CALLER, body="summary"))
        await app.drain()
    parts = texts_to(channel)
    # The conversation's first reply: the disclosure leads the first part.
    assert len(parts) == 3
    assert [p[:6] for p in parts] == ["(1/3) ", "(2/3) ", "(3/3) "]
    assert all(len(p) <= 320 for p in parts)
    said = " ".join(p[6:] for p in parts).split()
    assert said == with_disclosure(SMS_DISCLOSURE, sentence * 8).split()


async def test_status_callbacks_are_recorded_without_phone_numbers(tmp_path):
    channel, agent = sms_channel(tmp_path), ScriptedAgent()
    params = sms_status_params(message_sid="SM" + "b" * 32, status="undelivered", error_code=30003)
    params.append(("To", CALLER))
    async with ChannelApp([channel], agent) as app:
        response = await app.post(STATUS, params)
        forged = await app.post(STATUS, params, auth_token="wrong")
    assert (response.status_code, forged.status_code) == (204, 403)
    [entry] = delivery_history(channel.resources.engine, "SM" + "b" * 32)
    assert (entry.status, entry.error_code) == ("undelivered", 30003)
    with channel.resources.engine.connect() as conn:
        rows = conn.execute(select(sms_delivery_status)).all()
    assert len(rows) == 1
    assert not any("5125550101" in str(value) for value in rows[0])


async def test_a_text_over_1600_characters_gets_a_polite_answer_and_never_reaches_rasa(tmp_path):
    channel, agent = sms_channel(tmp_path), ScriptedAgent()
    async with ChannelApp([channel], agent) as app:
        # The signature is still checked first: a forged one gets 403 and no answer at all.
        forged = sms_webhook_params(from_number=CALLER, body="x" * 10_000)
        assert (await app.post(WEBHOOK, forged, auth_token="not-the-token")).status_code == 403
        for length in (1601, 10_000):
            body = "I need help with my claim. " * (length // 27) + "x" * (length % 27)
            assert len(body) == length
            response = await app.post(WEBHOOK, sms_webhook_params(from_number=CALLER, body=body))
            assert response.status_code == 200 and response.text == EMPTY_TWIML
        await app.drain()
    assert agent.received == []  # Rasa never saw any of them
    polite = (
        "Sorry, that message is too long for me. Please send it in shorter parts, or call us at "
        "(800) 555-0100."
    )
    assert texts_to(channel) == [polite, polite]


async def test_a_text_of_1600_characters_is_handed_over_whole_and_one_more_is_not(tmp_path):
    channel, agent = sms_channel(tmp_path), ScriptedAgent(lambda m: [{"text": "Got it."}])
    body = "My car was hit in a parking lot. " * 48 + "x" * 16
    assert len(body) == 1600
    async with ChannelApp([channel], agent) as app:
        await app.post(WEBHOOK, sms_webhook_params(from_number=CALLER, body=body))
        await app.post(WEBHOOK, sms_webhook_params(from_number=CALLER, body=body + "!"))
        await app.drain()
    [message] = agent.received
    assert message.text == body
    # The two turns run in the background: their replies may arrive in either order.
    got_it, too_long = sorted(texts_to(channel), key=lambda reply: "too long for me" in reply)
    assert got_it == with_disclosure(SMS_DISCLOSURE, "Got it.")
    assert too_long.startswith("Sorry, that message is too long for me.")
