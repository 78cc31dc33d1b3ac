"""SMS and voice through the real Twilio webhooks, driven by the same simulators as
`policyline sms` and `policyline call`: signed requests in, replies from the local outbox (SMS)
or TwiML (voice), against the trained assistant and the live PAS sandbox."""

from __future__ import annotations

import argparse
import io
import re
from collections.abc import Callable, Iterable

import pytest

from bot.db import make_engine
from bot.notifications.outbox import read_outbox
from bot.settings import Settings
from channels.config import ChannelSettings
from devtools.simulators import ivr_caller, sms_phone
from tests.support.rasa_stack import RasaStack

pytestmark = [pytest.mark.rasa, pytest.mark.slow]

CODE = re.compile(r"\b(\d{6})\b")


# A line is what the person types, or a function that works it out when it is due (a code that
# only exists once the conversation has reached it).
Line = str | Callable[[], str]


def scripted(lines: Iterable[Line]) -> Callable[[], str]:
    remaining = iter(lines)

    def read_line() -> str:
        try:
            line = next(remaining)
        except StopIteration:
            raise EOFError from None
        return line() if callable(line) else line

    return read_line


def settings_for(stack: RasaStack) -> tuple[Settings, ChannelSettings]:
    settings = Settings.from_env(stack.env).with_overrides(rasa_port=stack.rasa_port)
    return settings, ChannelSettings.from_mapping(stack.env)


# The personas' numbers are shared by every test on one Rasa stack, and a verified conversation
# stays verified for 15 idle minutes: a test that needs the questions starts over first, as a
# policyholder would (the restart ends the verification).
START_OVER = "start over"


def text(stack: RasaStack, from_number: str, *lines: Line) -> str:
    settings, channel = settings_for(stack)
    out = io.StringIO()
    args = argparse.Namespace(from_number=from_number, to_number=None, rasa_url=None, wait=45.0)
    code = sms_phone.run_with(
        args, settings, channel, read_line=scripted(lines), out=out, quiet_s=1.5
    )
    assert code == 0, out.getvalue()
    return out.getvalue()


def call(stack: RasaStack, from_number: str, *lines: Line) -> str:
    settings, channel = settings_for(stack)
    out = io.StringIO()
    args = argparse.Namespace(from_number=from_number, to_number=None, rasa_url=None)
    code = ivr_caller.run_with(args, settings, channel, read_line=scripted(lines), out=out)
    assert code == 0, out.getvalue()
    return out.getvalue()


def test_maria_texts_for_her_claim_status_and_gets_it_in_sms_sized_parts(rasa_stack) -> None:  # type: ignore[no-untyped-def]
    phone = text(rasa_stack, "+15125550101", START_OVER, "claim status", "4/12/1985", "78704")
    assert "What's your date of birth?" in phone
    assert "you're verified" in phone
    assert "CLM-50000001" in phone and "Dana Brooks" in phone, phone
    assert "(1/2)" in phone, "a long answer is split into numbered parts"


def test_an_id_card_by_text_arrives_as_a_link_with_the_pdf_attached(rasa_stack) -> None:  # type: ignore[no-untyped-def]
    phone = text(
        rasa_stack, "+17045550102", START_OVER, "send my declarations page", "09/30/1972", "28203"
    )
    assert "declarations page for policy HOM-****001" in phone, phone
    assert "/d/" in phone
    assert "[MMS: http" in phone, "small PDFs also go as MMS"


def test_stop_silences_the_assistant_and_start_brings_it_back(rasa_stack) -> None:  # type: ignore[no-untyped-def]
    phone = text(rasa_stack, "+16145550103", "STOP", "what's my balance", "START")
    assert "you're unsubscribed" in phone
    assert "you're subscribed again" in phone
    after_stop = phone.split("you're unsubscribed", 1)[1].split("you're subscribed again", 1)[0]
    assert "balance" not in after_stop.lower() and "date of birth" not in after_stop, phone


def test_maria_calls_keys_in_her_answers_and_hears_her_balance(rasa_stack) -> None:  # type: ignore[no-untyped-def]
    heard = call(rasa_stack, "+15125550101", "2", "#04121985", "#78704")
    assert "automated assistant, not a person" in heard, "the AI disclosure comes first"
    assert "press 1 for ID cards" in heard
    assert "412 dollars and 50 cents" in heard, heard
    assert "$" not in heard and "http" not in heard
    assert "MM/DD" not in heard


def test_an_id_card_asked_for_by_phone_is_texted_to_the_number_on_file(rasa_stack) -> None:  # type: ignore[no-untyped-def]
    heard = call(rasa_stack, "+15125550101", "I need my ID card", "#04121985", "#78704")
    assert "I've texted you a link to your ID card." in heard, heard
    spoken = [line for line in heard.splitlines() if line.startswith("🔊")]
    texted = [line for line in heard.splitlines() if line.startswith("📱")]
    assert not any("/d/" in line or "http" in line for line in spoken), "links are never spoken"
    assert any("Your ID card: http" in line and "/d/" in line for line in texted), heard


def code_texted_to(stack: RasaStack, number: str) -> str:
    """The newest one-time code in the local outbox for ``number`` (read when it is needed)."""
    engine = make_engine(stack.env["DATABASE_URL"])
    try:
        # every text to the number (other tests on the stack text it too), newest last
        bodies = [message.body for message in read_outbox(engine, to=number, limit=100_000)]
    finally:
        engine.dispose()
    codes = [match.group(1) for body in bodies if (match := CODE.search(body))]
    assert codes, f"no one-time code was texted to {number}"
    return codes[-1]


def test_a_caller_not_on_file_keys_in_the_policy_number_then_the_code_texted_to_the_number_on_file(
    rasa_stack,
) -> None:  # type: ignore[no-untyped-def]
    heard = call(
        rasa_stack,
        "+12125550188",
        *("claim status", "#1000001", "#04121985", "#78704"),
        lambda: "#" + code_texted_to(rasa_stack, "+15125550101"),
    )
    assert "policy number" in heard.lower(), heard
    before_code, after_code = heard.split("6-digit code", 1)
    assert "Dana Brooks" not in before_code, "nothing is disclosed before the code comes back"
    assert "Dana Brooks" in after_code, heard


def test_a_text_from_a_number_not_on_file_discloses_nothing_until_the_code_comes_back(
    rasa_stack,
) -> None:  # type: ignore[no-untyped-def]
    stranger = "+15125559876"

    phone = text(
        rasa_stack,
        stranger,
        *("what's my balance", "AUT-1000001", "04/12/1985", "78704"),
        lambda: code_texted_to(rasa_stack, "+15125550101"),
    )
    before_code, after_code = phone.split("6-digit code", 1)
    assert "$412.50" not in before_code and "verification code is" not in phone, phone
    assert "on file ending in 01" in phone, "the code goes to the number on file, not the sender"
    assert "$412.50" in after_code, phone


def test_asking_for_a_person_on_the_phone_transfers_with_context(rasa_stack) -> None:  # type: ignore[no-untyped-def]
    heard = call(rasa_stack, "+15125550101", "I want to talk to a real person")
    assert "☎  transferred" in heard, heard
