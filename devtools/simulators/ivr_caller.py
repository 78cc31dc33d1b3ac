"""``policyline call --from +15125550101``: a phone call to the local IVR, in the terminal.

Places a call with a fresh ``CallSid`` and plays the TwiML the voice webhook returns: ``<Say>`` is
printed, ``<Gather>`` waits for a typed line (words are sent as ``SpeechResult``, keys as
``Digits``: a line of digits, ``*`` and ``#``, or any line starting with ``#``; an empty line is
silence), ``<Redirect>`` is followed, and ``<Enqueue>``, ``<Dial>``, ``<Pay>`` and ``<Hangup>`` end
the simulated call with a note of what Twilio would do. Texts sent to the caller's number (links)
are printed from the local outbox. Every request is signed exactly as Twilio signs it.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TextIO
from xml.etree.ElementTree import Element

import httpx
from defusedxml.ElementTree import ParseError, fromstring

from bot.db import make_engine
from bot.migrations import upgrade
from bot.phone_numbers import to_e164
from bot.settings import Settings
from channels.config import ChannelSettings, load_channel_settings
from channels.twilio_requests import LOCAL_TWILIO_NUMBER, new_call_sid, voice_webhook_params
from devtools.simulators.local_webhook import (
    HTTP_TIMEOUT_S,
    LocalWebhook,
    OutboxWatcher,
    format_text,
)

VOICE_WEBHOOK_PATH = "/webhooks/twilio_voice/webhook"
# A runaway loop of redirects would be a bug in the IVR; stop rather than spin.
MAX_REQUESTS_PER_CALL = 200
_KEYS = re.compile(r"^[0-9*#]+$")


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``call`` on the ``policyline`` command."""
    parser = subparsers.add_parser("call", help="call the local IVR from a terminal phone")
    parser.add_argument("--from", dest="from_number", required=True, help="caller ID")
    parser.add_argument("--to", dest="to_number", default=None, help="the IVR's number")
    parser.add_argument("--rasa-url", default=None, help="Rasa server (default: local port)")
    parser.set_defaults(handler=run)
    return parser


@dataclass(frozen=True)
class CallerInput:
    """What the caller did at a ``<Gather>``."""

    digits: str | None = None
    speech: str | None = None


def read_caller_input(line: str) -> CallerInput:
    """Keys for digit lines (or lines starting with ``#``), words otherwise, silence if empty."""
    stripped = line.strip()
    if not stripped:
        return CallerInput()
    if stripped.startswith("#") or _KEYS.match(stripped):
        keys = stripped.lstrip("#").rstrip("#")
        # "#" ends a <Gather> (finishOnKey) and is not sent; a lone "#" is silence.
        return CallerInput(digits=keys or None)
    return CallerInput(speech=stripped)


@dataclass
class IvrCaller:
    """One simulated call."""

    webhook: LocalWebhook
    from_number: str
    to_number: str
    read_line: Callable[[], str]
    out: TextIO
    outbox: OutboxWatcher | None = None
    call_sid: str = ""

    def __post_init__(self) -> None:
        self.call_sid = self.call_sid or new_call_sid()

    def _say(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def _texts(self) -> None:
        if self.outbox is not None:
            for message in self.outbox.new_messages():
                self._say(format_text(message))

    def _params(
        self, caller_input: CallerInput | None = None, status: str = "in-progress"
    ) -> list[tuple[str, str]]:
        caller_input = caller_input or CallerInput()
        return voice_webhook_params(
            call_sid=self.call_sid,
            from_number=self.from_number,
            to_number=self.to_number,
            call_status=status,
            digits=caller_input.digits,
            speech=caller_input.speech,
        )

    def place(self) -> int:
        """Make the call and play it to the end. 0 when it ended normally."""
        self._say(f"☎  calling as {self.from_number} (CallSid {self.call_sid})")
        target: str | None = VOICE_WEBHOOK_PATH
        params = self._params(status="ringing")
        for _ in range(MAX_REQUESTS_PER_CALL):
            if target is None:
                self._texts()
                return 0
            try:
                response = self.webhook.post(target, params)
            except httpx.HTTPError as exc:
                self._say(f"! could not reach the Rasa server: {exc}")
                return 1
            if response.status_code != 200:
                self._say(f"! the voice webhook answered {response.status_code}; call dropped")
                return 1
            try:
                document = fromstring(response.text)
            except ParseError:
                self._say("! the voice webhook answered something that is not TwiML")
                return 1
            step = self.play(document)
            if step is None:
                target = None
            else:
                target, params = step
        self._say("! too many requests in one call; hanging up")
        return 1

    def play(self, document: Element) -> tuple[str, list[tuple[str, str]]] | None:
        """Play one TwiML document; the next request to make, or None when the call ends."""
        for verb in list(document):
            self._texts()
            if verb.tag == "Say":
                self._say(f"🔊 {verb.text or ''}")
            elif verb.tag == "Pause":
                continue
            elif verb.tag == "Gather":
                for child in verb:
                    if child.tag == "Say":
                        self._say(f"🔊 {child.text or ''}")
                self._texts()
                try:
                    line = self.read_line()
                except EOFError:
                    self._say("☎  you hung up")
                    return None
                action = verb.get("action") or VOICE_WEBHOOK_PATH
                return action, self._params(read_caller_input(line))
            elif verb.tag == "Redirect":
                return (verb.text or VOICE_WEBHOOK_PATH).strip(), self._params()
            elif verb.tag == "Enqueue":
                task = verb.find("Task")
                attributes = json.loads(task.text) if task is not None and task.text else {}
                self._say(f"☎  transferred to an agent queue (TaskRouter workflow "
                          f"{verb.get('workflowSid')}), task {attributes}")  # fmt: skip
                return None
            elif verb.tag == "Dial":
                # <Dial>+15125550100</Dial>, or <Dial><Number url="whisper">…</Number></Dial>
                number = verb.find("Number")
                dialled = number.text if number is not None else verb.text
                self._say(f"☎  transferred: dialling {(dialled or '').strip()}")
                return None
            elif verb.tag == "Pay":
                self._say("☎  <Pay> would now take the card by keypad (not simulated)")
                return None
            elif verb.tag == "Hangup":
                self._say("☎  the IVR hung up")
                return None
            else:
                self._say(f"☎  (ignoring <{verb.tag}>)")
        self._say("☎  call ended")
        return None


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Entry point of ``policyline call``."""
    channel = load_channel_settings()
    return run_with(args, settings, channel, read_line=lambda: input("say or key> "),
                    out=sys.stdout)  # fmt: skip


def run_with(
    args: argparse.Namespace,
    settings: Settings,
    channel: ChannelSettings,
    *,
    read_line: Callable[[], str],
    out: TextIO,
    client: httpx.Client | None = None,
) -> int:
    """``policyline call`` with its input, output and HTTP client supplied (tests use this)."""
    from_number = to_e164(args.from_number)
    if from_number is None:
        print(f"error: {args.from_number!r} is not a valid phone number", file=sys.stderr)
        return 2
    upgrade(settings.database_url)  # the outbox it reads, even before `policyline run`
    engine = make_engine(settings.database_url)
    outbox = OutboxWatcher(engine, from_number)
    outbox.start_now()
    server_url = args.rasa_url or f"http://127.0.0.1:{settings.rasa_port}"
    own_client = client is None
    http = client or httpx.Client(timeout=HTTP_TIMEOUT_S)
    try:
        print("Type words to speak, digits to press keys (e.g. 1, or #04121985), an empty "
              "line for silence; Ctrl-D hangs up.", file=out)  # fmt: skip
        caller = IvrCaller(
            webhook=LocalWebhook(
                http, server_url, channel.twilio.auth_token, channel.public_webhook_base_url
            ),
            from_number=from_number,
            to_number=args.to_number or channel.twilio.from_number or LOCAL_TWILIO_NUMBER,
            read_line=read_line,
            out=out,
            outbox=outbox,
        )
        return caller.place()
    finally:
        if own_client:
            http.close()
        engine.dispose()
