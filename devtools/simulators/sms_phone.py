"""``policyline sms --from +15125550101``: a phone in the terminal, texting the local assistant.

Each line typed is sent as an incoming-message webhook (signed exactly as Twilio signs it) to the
Rasa server's SMS webhook; the replies, which the channel sends through the outbound interface,
are read from the local outbox and printed. Empty line: nothing sent; Ctrl-D or /quit: exit.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TextIO

import httpx

from bot.db import make_engine
from bot.migrations import upgrade
from bot.phone_numbers import to_e164
from bot.settings import Settings
from channels.config import ChannelSettings, load_channel_settings
from channels.twilio_requests import LOCAL_TWILIO_NUMBER, sms_webhook_params
from devtools.simulators.local_webhook import (
    HTTP_TIMEOUT_S,
    LocalWebhook,
    OutboxWatcher,
    format_text,
)

SMS_WEBHOOK_PATH = "/webhooks/twilio_sms/webhook"
POLL_INTERVAL_S = 0.25
# After the first reply, this much quiet means the bot has finished answering.
QUIET_AFTER_REPLY_S = 1.5


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``sms`` on the ``policyline`` command."""
    parser = subparsers.add_parser("sms", help="text the local assistant from a terminal phone")
    parser.add_argument("--from", dest="from_number", required=True, help="your phone number")
    parser.add_argument("--to", dest="to_number", default=None, help="the assistant's number")
    parser.add_argument("--rasa-url", default=None, help="Rasa server (default: local port)")
    parser.add_argument(
        "--wait", type=float, default=30.0, help="seconds to wait for a reply to each message"
    )
    parser.set_defaults(handler=run)
    return parser


@dataclass
class SmsPhone:
    """The terminal phone: send a line, print the replies."""

    webhook: LocalWebhook
    outbox: OutboxWatcher
    from_number: str
    to_number: str
    out: TextIO
    wait_s: float = 30.0
    quiet_s: float = QUIET_AFTER_REPLY_S
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep

    def send(self, text: str) -> bool:
        """Send one text; False when the server refused it."""
        params = sms_webhook_params(
            from_number=self.from_number, to_number=self.to_number, body=text
        )
        try:
            response = self.webhook.post(SMS_WEBHOOK_PATH, params)
        except httpx.HTTPError as exc:
            print(f"! could not reach the Rasa server: {exc}", file=self.out)
            return False
        if response.status_code != 200:
            print(f"! the SMS webhook answered {response.status_code}", file=self.out)
            return False
        return True

    def print_new(self) -> int:
        messages = self.outbox.new_messages()
        for message in messages:
            print(format_text(message), file=self.out, flush=True)
        return len(messages)

    def await_replies(self) -> int:
        """Print replies until the bot goes quiet (or the wait runs out). Returns how many."""
        received = 0
        give_up_at = self.clock() + self.wait_s
        quiet_since: float | None = None
        while self.clock() < give_up_at:
            got = self.print_new()
            received += got
            now = self.clock()
            if got:
                quiet_since = now
            elif quiet_since is not None and now - quiet_since >= self.quiet_s:
                break
            self.sleep(POLL_INTERVAL_S)
        if not received:
            print("(no reply yet)", file=self.out, flush=True)
        return received

    def converse(self, read_line: Callable[[], str]) -> int:
        """Read lines until end of input or /quit."""
        while True:
            self.print_new()
            try:
                line = read_line()
            except EOFError:
                return 0
            if line.strip() in ("/quit", "/exit"):
                return 0
            if not line.strip():
                continue
            if self.send(line):
                self.await_replies()


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Entry point of ``policyline sms``."""
    channel = load_channel_settings()
    return run_with(args, settings, channel, read_line=lambda: input("you> "), out=sys.stdout)


def run_with(
    args: argparse.Namespace,
    settings: Settings,
    channel: ChannelSettings,
    *,
    read_line: Callable[[], str],
    out: TextIO,
    client: httpx.Client | None = None,
    quiet_s: float = QUIET_AFTER_REPLY_S,
) -> int:
    """``policyline sms`` with its input, output and HTTP client supplied (tests use this)."""
    from_number = to_e164(args.from_number)
    if from_number is None:
        print(f"error: {args.from_number!r} is not a valid phone number", file=sys.stderr)
        return 2
    if channel.twilio.rest_configured:
        print("note: Twilio REST credentials are set, so replies go to real phones, not the "
              "local outbox this simulator reads", file=out)  # fmt: skip
    upgrade(settings.database_url)  # the outbox it reads, even before `policyline run`
    engine = make_engine(settings.database_url)
    outbox = OutboxWatcher(engine, from_number)
    outbox.start_now()
    server_url = args.rasa_url or f"http://127.0.0.1:{settings.rasa_port}"
    own_client = client is None
    http = client or httpx.Client(timeout=HTTP_TIMEOUT_S)
    try:
        phone = SmsPhone(
            webhook=LocalWebhook(
                http, server_url, channel.twilio.auth_token, channel.public_webhook_base_url
            ),
            outbox=outbox,
            from_number=from_number,
            to_number=args.to_number or channel.twilio.from_number or LOCAL_TWILIO_NUMBER,
            out=out,
            wait_s=args.wait,
            quiet_s=quiet_s,
        )
        print(f"Texting {server_url} as {from_number}. Ctrl-D or /quit to stop.", file=out)
        return phone.converse(read_line)
    finally:
        if own_client:
            http.close()
        engine.dispose()
