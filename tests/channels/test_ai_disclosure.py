"""AI disclosure: the first reply on every channel says an automated assistant answers and how to
reach a person (voice: in the call's first words, with a recording notice only when calls are
recorded); later replies do not repeat it; the words are the deployment's (AI_DISCLOSURE)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.conversation.answers.small_talk import (
    RECORDING_NOTICE,
    ai_disclosure,
    call_opening,
)
from bot.notifications.outbox import read_outbox
from bot.settings import DisclosureSettings, Settings, WebChatSettings
from channels.ephemeral_store import InMemoryEphemeralStore
from channels.first_reply import FirstReplyDisclosure
from channels.resources import ChannelResources
from channels.twilio_requests import new_call_sid, sms_webhook_params, voice_webhook_params
from channels.twilio_sms import TwilioSmsInput
from channels.twilio_voice import TwilioVoiceInput
from channels.web_chat import BOT_MESSAGE_EVENT, WebChatInput, _Handlers
from tests.channels.support import CALLER, CARRIER, ChannelApp, ScriptedAgent, make_settings
from tests.channels.voice_support import Facts, parse, says

SMS_WEBHOOK = "/webhooks/twilio_sms/webhook"
VOICE_WEBHOOK = "/webhooks/twilio_voice/webhook"
UTAH = "You are interacting with generative AI for {carrier}, not a human."


@pytest.mark.parametrize(
    ("channel", "way_to_a_person"),
    [("sms", "Reply AGENT"), ("webchat", 'Type "agent"'), ("voice", "press 0")],
)
def test_the_disclosure_says_automated_and_how_to_reach_a_person_on_each_channel(
    channel: str, way_to_a_person: str
) -> None:
    said = ai_disclosure(CARRIER, channel)
    assert said.startswith(f"This is {CARRIER}'s automated assistant, not a person.")
    assert way_to_a_person in said and said.endswith("to reach a person.")


def test_a_deployment_sets_its_states_wording_and_the_way_to_a_person_stays() -> None:
    said = ai_disclosure(CARRIER, "sms", wording=UTAH)
    assert said == f"You are interacting with generative AI for {CARRIER}, not a human. " + (
        "Reply AGENT any time to reach a person."
    )


def test_a_call_mentions_recording_only_when_calls_are_recorded() -> None:
    assert "record" not in call_opening(CARRIER).lower()
    recorded = call_opening(CARRIER, recorded=True)
    assert RECORDING_NOTICE in recorded and "automated assistant" in recorded
    own = call_opening(CARRIER, recorded=True, recording_notice="Calls are monitored.")
    assert "Calls are monitored." in own and RECORDING_NOTICE not in own


def test_the_settings_come_from_the_environment_with_safe_defaults() -> None:
    assert Settings.from_env({}).disclosure == DisclosureSettings()
    read = Settings.from_env(
        {"AI_DISCLOSURE": UTAH, "CALLS_RECORDED": "true", "CALL_RECORDING_NOTICE": "Recorded."}
    ).disclosure
    assert read == DisclosureSettings(
        wording=UTAH, calls_recorded=True, recording_notice="Recorded."
    )


# -- SMS ---------------------------------------------------------------------------------------


async def test_the_first_text_reply_discloses_and_the_next_ones_do_not(tmp_path) -> None:
    settings = make_settings(tmp_path, disclosure=DisclosureSettings(wording=UTAH))
    channel = TwilioSmsInput(settings, ChannelResources.build(settings))
    agent = ScriptedAgent(lambda m: [{"text": f"You said: {m.text}"}])
    async with ChannelApp([channel], agent) as app:
        for body in ("what is my balance", "and my id card"):
            await app.post(SMS_WEBHOOK, sms_webhook_params(from_number=CALLER, body=body))
            await app.drain()
    first, second = [m.body for m in read_outbox(channel.resources.engine, to=CALLER)]
    assert first == ai_disclosure(CARRIER, "sms", wording=UTAH) + "\n\nYou said: what is my balance"
    assert second == "You said: and my id card"


async def test_another_number_is_a_new_conversation_and_hears_it_too(tmp_path) -> None:
    settings = make_settings(tmp_path)
    channel = TwilioSmsInput(settings, ChannelResources.build(settings))
    other = "+15125550177"
    async with ChannelApp([channel], ScriptedAgent()) as app:
        for number in (CALLER, other):
            await app.post(SMS_WEBHOOK, sms_webhook_params(from_number=number, body="hi"))
            await app.drain()
    for number in (CALLER, other):
        [reply] = read_outbox(channel.resources.engine, to=number)
        assert reply.body.startswith(ai_disclosure(CARRIER, "sms"))


class BrokenStore(InMemoryEphemeralStore):
    async def get(self, key: str) -> str | None:
        raise OSError("store down")


async def test_when_the_memory_of_disclosures_is_down_the_reply_discloses_again() -> None:
    disclosure = FirstReplyDisclosure("automated", BrokenStore(), "sms")
    assert await disclosure.for_reply("sms-abc") == "automated"
    assert await disclosure.for_reply("sms-abc") == "automated"


async def test_the_disclosure_is_said_again_after_a_day_without_replies() -> None:
    store = InMemoryEphemeralStore()
    disclosure = FirstReplyDisclosure("automated", store, "sms", idle_s=3600)
    assert await disclosure.for_reply("sms-abc") == "automated"
    assert await disclosure.for_reply("sms-abc") is None
    await store.delete("sms:disclosed:sms-abc")  # what the idle TTL does
    assert await disclosure.for_reply("sms-abc") == "automated"


# -- voice -------------------------------------------------------------------------------------


async def _call(tmp_path, disclosure: DisclosureSettings) -> tuple[str, str]:
    settings = make_settings(tmp_path, disclosure=disclosure)
    channel = TwilioVoiceInput(
        settings, ChannelResources.build(settings), conversation_reader=Facts()
    )
    agent = ScriptedAgent(lambda m: [{"text": "Your balance is $85.00."}])
    call_sid = new_call_sid()
    async with ChannelApp([channel], agent) as app:
        opening = await app.post(
            VOICE_WEBHOOK,
            voice_webhook_params(call_sid=call_sid, from_number=CALLER, call_status="ringing"),
        )
        action = parse(opening.text).find("Gather").get("action")
        answer = await app.post(
            action, voice_webhook_params(call_sid=call_sid, from_number=CALLER, digits="2")
        )
    return opening.text, answer.text


async def test_a_call_opens_with_the_disclosure_and_later_answers_do_not_repeat_it(tmp_path):
    opening, answer = await _call(tmp_path, DisclosureSettings(wording=UTAH))
    first = says(opening)[0]
    assert first == call_opening(CARRIER, wording=UTAH)
    assert "generative AI" in first and "press 0" in first
    assert "record" not in first.lower()
    assert says(answer) == ["Your balance is 85 dollars."]


async def test_a_recorded_call_says_so_in_its_first_words(tmp_path):
    opening, answer = await _call(tmp_path, DisclosureSettings(calls_recorded=True))
    assert RECORDING_NOTICE in says(opening)[0]
    assert not any(RECORDING_NOTICE in said for said in says(answer))


# -- web chat ----------------------------------------------------------------------------------


class RecordingSocketServer:
    def __init__(self) -> None:
        self.emitted: list[tuple[str, Any, str]] = []
        self.sessions: dict[str, dict[str, Any]] = {}

    async def emit(self, event: str, data: Any = None, room: str | None = None) -> None:
        self.emitted.append((event, data, str(room)))

    async def save_session(self, sid: str, session: dict[str, Any]) -> None:
        self.sessions[sid] = dict(session)

    async def get_session(self, sid: str) -> dict[str, Any]:
        return self.sessions.setdefault(sid, {})

    async def enter_room(self, sid: str, room: str) -> None:
        return None

    def events(self, name: str) -> list[Any]:
        return [data for event, data, _ in self.emitted if event == name]


async def test_a_new_web_chat_conversation_opens_with_the_disclosure_and_a_resumed_one_does_not():
    async def answer(message: Any) -> None:
        await message.output_channel.send_text_message(message.sender_id, "Sure.")

    channel = WebChatInput(
        WebChatSettings(),
        secret_key="web-chat-test-secret",
        disclosure=ai_disclosure(CARRIER, "webchat"),
    )
    sio = RecordingSocketServer()
    handlers = _Handlers(channel, sio, answer)  # type: ignore[arg-type]
    await handlers.session_request("sid-1", None)
    await handlers.user_uttered("sid-1", {"message": "my balance"})
    [new] = sio.events("session_confirm")
    await handlers.session_request("sid-2", {"session_token": new["session_token"]})
    resumed = sio.events("session_confirm")[1]
    assert new["disclosure"] == ai_disclosure(CARRIER, "webchat")
    assert resumed["resumed"] is True and "disclosure" not in resumed
    assert [m["text"] for m in sio.events(BOT_MESSAGE_EVENT)] == ["Sure."]


def test_the_web_chat_channel_rasa_builds_carries_the_deployments_wording(monkeypatch):
    monkeypatch.setenv("AI_DISCLOSURE", UTAH)
    monkeypatch.setenv("CARRIER_NAME", CARRIER)
    channel = WebChatInput.from_credentials(None)
    assert isinstance(channel, WebChatInput)
    assert channel.disclosure == ai_disclosure(CARRIER, "webchat", wording=UTAH)
