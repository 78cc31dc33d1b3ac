"""The terminal simulators talk to a real HTTP server exactly as Twilio would: their signed
requests are accepted, and they show what the assistant said and texted."""

from __future__ import annotations

import argparse
import io
from collections.abc import Iterator

import pytest

from bot.settings import Settings
from channels.resources import ChannelResources
from channels.twilio_sms import TwilioSmsInput
from channels.twilio_voice import TwilioVoiceInput
from devtools.simulators import ivr_caller, sms_phone
from devtools.simulators.ivr_caller import CallerInput, read_caller_input
from tests.channels.support import (
    CALLER,
    SMS_DISCLOSURE,
    ChannelApp,
    ScriptedAgent,
    ThreadedServer,
    make_settings,
)
from tests.channels.voice_support import Facts


def scripted_lines(*lines: str):
    remaining = list(lines)

    def read_line() -> str:
        if not remaining:
            raise EOFError
        return remaining.pop(0)

    return read_line


def bot_script(message):
    if message.text == "/request_id_card" or "id card" in (message.text or "").lower():
        url = "https://app.policyline.example/d/tok1"
        return [
            {"text": f"Here's your ID card: {url}"},
            {"custom": {"document": {"kind": "id_card", "url": url, "sms_to": CALLER}}},
        ]
    return [{"text": f"You said: {message.text}"}]


@pytest.fixture
def stack(tmp_path) -> Iterator[tuple[ThreadedServer, Settings, object]]:
    channel_settings = make_settings(tmp_path)
    resources = ChannelResources.build(channel_settings)
    channels = [
        TwilioSmsInput(channel_settings, resources),
        TwilioVoiceInput(channel_settings, resources, conversation_reader=Facts()),
    ]
    app = ChannelApp(channels, ScriptedAgent(bot_script))
    settings = Settings().with_overrides(database_url=channel_settings.database_url)
    with ThreadedServer(app.app) as server:
        yield server, settings, channel_settings
    resources.engine.dispose()


def test_the_sms_phone_sends_signed_texts_and_prints_the_replies(stack):
    server, settings, channel_settings = stack
    out = io.StringIO()
    args = argparse.Namespace(
        from_number="(512) 555-0101", to_number=None, rasa_url=server.url, wait=20.0
    )
    code = sms_phone.run_with(
        args,
        settings,
        channel_settings,
        read_line=scripted_lines("hello", "HELP", "/quit"),
        out=out,
        quiet_s=0.3,
    )
    printed = out.getvalue()
    assert code == 0
    assert "\n! " not in "\n" + printed  # no refused request
    # The first reply starts with the disclosure; the answer follows as its own paragraph.
    assert f"📱 {SMS_DISCLOSURE}\n\nYou said: hello" in printed
    assert "Reply STOP to opt out. Msg&data rates may apply." in printed


def test_the_ivr_caller_plays_twiml_and_answers_gathers(stack):
    server, settings, channel_settings = stack
    out = io.StringIO()
    args = argparse.Namespace(from_number=CALLER, to_number=None, rasa_url=server.url)
    code = ivr_caller.run_with(
        args,
        settings,
        channel_settings,
        read_line=scripted_lines("1", "", "I'm done"),
        out=out,
    )
    printed = out.getvalue()
    assert code == 0
    assert "automated assistant, not a person" in printed
    assert "🔊 Here's your ID card" not in printed, "the link's sentence is replaced, not read"
    assert "🔊 I've texted you a link to your ID card." in printed
    assert "📱 Your ID card: https://app.policyline.example/d/tok1" in printed
    assert "🔊 Sorry, I didn't hear anything." in printed
    assert "🔊 You said: I'm done" in printed
    assert "you hung up" in printed
    assert "\n! " not in "\n" + printed


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("", CallerInput()),
        ("2", CallerInput(digits="2")),
        ("04121985#", CallerInput(digits="04121985")),
        ("#78701", CallerInput(digits="78701")),
        ("#", CallerInput()),
        ("*", CallerInput(digits="*")),
        ("my ID card", CallerInput(speech="my ID card")),
    ],
)
def test_typed_lines_become_keys_speech_or_silence(line, expected):
    assert read_caller_input(line) == expected


def test_both_simulators_register_as_policyline_subcommands():
    parser = argparse.ArgumentParser(prog="policyline")
    sub = parser.add_subparsers(dest="command")
    sms_phone.add_parser(sub)
    ivr_caller.add_parser(sub)
    sms_args = parser.parse_args(["sms", "--from", "+15125550101"])
    call_args = parser.parse_args(["call", "--from", "+15125550101", "--rasa-url", "http://x"])
    assert sms_args.handler is sms_phone.run and sms_args.from_number == "+15125550101"
    assert call_args.handler is ivr_caller.run and call_args.rasa_url == "http://x"


def test_an_invalid_number_is_refused_before_anything_is_sent(stack, capsys):
    server, settings, channel_settings = stack
    args = argparse.Namespace(
        from_number="not a phone", to_number=None, rasa_url=server.url, wait=1.0
    )
    code = sms_phone.run_with(
        args, settings, channel_settings, read_line=scripted_lines(), out=io.StringIO()
    )
    assert code == 2
    assert "not a valid phone number" in capsys.readouterr().err
