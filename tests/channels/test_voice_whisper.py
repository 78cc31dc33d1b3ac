"""The whisper of a warm transfer: the agent hears the handoff summary before the caller is
connected; the URL holds the ticket only, and only Twilio-signed requests get an answer."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

from bot.conversation.handoff import HandoffService
from bot.conversation.handoff_summary import whisper_text
from bot.twilio_signatures import SIGNATURE_HEADER
from channels.config import VoiceSettings
from channels.resources import ChannelResources
from channels.twilio_requests import new_call_sid, voice_webhook_params
from channels.twilio_voice import VOICE_WHISPER_PATH, TwilioVoiceInput
from channels.voice_twiml import Transfer, VoiceTwiml
from channels.voice_whisper import NO_SUMMARY
from tests.channels.support import (
    CALLER,
    INTERNAL_BASE,
    ChannelApp,
    ScriptedAgent,
    make_settings,
)
from tests.channels.voice_support import Facts, parse, says

WEBHOOK = "/webhooks/twilio_voice/webhook"
WHISPER = "https://bot.policyline.example" + VOICE_WHISPER_PATH
DATE_OF_BIRTH = "04/12/1980"
POLICY = "AUT-1234001"


def builder(**voice: object) -> VoiceTwiml:
    return VoiceTwiml(
        VoiceSettings(**voice),
        contact_centre_phone="+18005550100",
        claims_phone="+18005550199",
        whisper_url=WHISPER,
    )


def test_a_transfer_with_a_ticket_dials_the_agent_with_the_whisper_of_that_ticket_only():
    root = parse(
        builder().transfer(["One moment."], Transfer(reason="human_handoff", ticket="HO-AB"))
    )
    number = root.find("Dial/Number")
    assert number.text == "+18005550100"
    assert number.get("method") == "POST"
    url = urlsplit(number.get("url"))
    assert url.scheme + "://" + url.netloc + url.path == WHISPER
    assert parse_qs(url.query) == {"ticket": ["HO-AB"]}
    assert root.find("Dial").get("answerOnBridge") == "true"
    # Something is still said if nobody answers.
    assert [child.tag for child in root] == ["Say", "Dial", "Say"]


def test_a_claims_transfer_whispers_to_the_claims_line():
    root = parse(
        builder().transfer([], Transfer(reason="report_claim", ticket="HO-C", queue="claims"))
    )
    assert root.find("Dial/Number").text == "+18005550199"
    assert "ticket=HO-C" in root.find("Dial/Number").get("url")


def test_a_transfer_without_a_handoff_ticket_has_nothing_to_whisper():
    root = parse(builder().transfer([], Transfer(reason="no_input")))
    assert root.find("Dial").text == "+18005550100"
    assert root.find("Dial/Number") is None


def test_a_taskrouter_task_carries_the_whisper_url_for_the_agent_leg():
    twiml = builder(taskrouter_workflow_sid="WW" + "0" * 32).transfer(
        [], Transfer(reason="human_handoff", ticket="HO-TR")
    )
    attributes = json.loads(parse(twiml).find("Enqueue/Task").text)
    assert attributes["whisper_url"] == WHISPER + "?ticket=HO-TR"


def test_the_whisper_is_said_to_the_agent_and_the_document_ends_to_connect_the_caller():
    twiml = builder().whisper("Policyline handoff. Urgent.")
    assert says(twiml) == ["Policyline handoff. Urgent."]
    assert [child.tag for child in parse(twiml)] == ["Say"]


def _channel_with_handoff(tmp_path) -> tuple[TwilioVoiceInput, str, str]:
    """A voice channel whose database holds one handoff; its ticket and expected whisper."""
    settings = make_settings(tmp_path)
    resources = ChannelResources.build(settings)
    handoff = HandoffService(resources.engine).open(
        reason="human_handoff",
        intent="claim_status",
        assurance="verified",
        policy_number=POLICY,
        user_messages=[f"my birthday is {DATE_OF_BIRTH}, where is my claim? I was hurt"],
        channel="voice",
        conversation_id="CA-test",
    )
    assert handoff.structured_summary is not None
    channel = TwilioVoiceInput(settings, resources, conversation_reader=Facts())
    return channel, handoff.ticket, whisper_text(handoff.structured_summary)


def _agent_leg() -> list[tuple[str, str]]:
    """What Twilio posts for the dialled agent's leg."""
    return voice_webhook_params(
        call_sid=new_call_sid(), from_number=CALLER, to_number="+18005550100"
    )


async def test_a_handoff_on_a_call_transfers_and_its_whisper_url_returns_the_summary(tmp_path):
    channel, ticket, expected = _channel_with_handoff(tmp_path)
    agent = ScriptedAgent(
        lambda m: [
            {"text": "I'll connect you with a colleague."},
            {"custom": {"handoff": {"ticket": ticket, "reason": "human_handoff"}}},
        ]
    )
    call_sid = new_call_sid()
    async with ChannelApp([channel], agent) as app:
        opening = await app.post(
            WEBHOOK, voice_webhook_params(call_sid=call_sid, from_number=CALLER)
        )
        action = parse(opening.text).find("Gather").get("action")
        transfer = await app.post(
            action, voice_webhook_params(call_sid=call_sid, from_number=CALLER, speech="a person")
        )
        url = parse(transfer.text).find("Dial/Number").get("url")
        heard = await app.post(url, _agent_leg())
    assert parse_qs(urlsplit(url).query) == {"ticket": [ticket]}
    assert heard.status_code == 200
    assert heard.headers["content-type"].startswith("text/xml")
    assert says(heard.text) == [expected]
    assert "Urgent." in expected and "0 0 1" in expected
    assert DATE_OF_BIRTH not in heard.text and POLICY not in heard.text


async def test_an_unsigned_or_forged_whisper_request_is_refused(tmp_path, caplog):
    channel, ticket, expected = _channel_with_handoff(tmp_path)
    path = VOICE_WHISPER_PATH + f"?ticket={ticket}"
    async with ChannelApp([channel], ScriptedAgent()) as app:
        missing = await app.post(path, _agent_leg(), headers={SIGNATURE_HEADER: None})
        wrong = await app.post(path, _agent_leg(), auth_token="wrong-token")
        # Signed for another ticket: the query is part of the signature.
        tampered = await app.post(
            path, _agent_leg(), signed_url=INTERNAL_BASE + VOICE_WHISPER_PATH + "?ticket=HO-OTHER"
        )
    assert [r.status_code for r in (missing, wrong, tampered)] == [403, 403, 403]
    assert all(expected not in r.text for r in (missing, wrong, tampered))
    assert "hurt" not in caplog.text and "claim" not in caplog.text


async def test_a_whisper_for_an_unknown_or_missing_ticket_still_lets_the_agent_take_the_call(
    tmp_path,
):
    channel, _, _ = _channel_with_handoff(tmp_path)
    async with ChannelApp([channel], ScriptedAgent()) as app:
        unknown = await app.post(VOICE_WHISPER_PATH + "?ticket=HO-NOTHERE", _agent_leg())
        missing = await app.post(VOICE_WHISPER_PATH, _agent_leg())
        garbage = await app.post(VOICE_WHISPER_PATH + "?ticket=%27%3B--", _agent_leg())
    for response in (unknown, missing, garbage):
        assert response.status_code == 200
        assert says(response.text) == [NO_SUMMARY]
