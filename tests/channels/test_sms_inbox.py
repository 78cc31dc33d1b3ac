"""Texts acknowledged to Twilio are answered even when the server stops before answering them.

``channels.sms_inbox`` keeps each acknowledged text (sealed) until its answer is out; these tests
stop servers at the worst moment (graceful stop with a turn still running, and a crash) and check
that the next start answers the text exactly once, that a stopping server refuses new texts with
a retryable 503, and that the waiting texts hold no phone number or text in clear.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
from sqlalchemy import select

from bot.notifications.outbox import read_outbox
from bot.notifications.sms_inbound import sms_inbound
from channels.first_reply import with_disclosure
from channels.resources import ChannelResources
from channels.sms_inbox import MAX_ATTEMPTS, SmsInbox
from channels.sms_service import InboundSms
from channels.twilio_requests import signed_form_request, sms_webhook_params
from channels.twilio_sms import TwilioSmsInput
from tests.channels.support import (
    AUTH_TOKEN,
    CALLER,
    SMS_DISCLOSURE,
    ChannelApp,
    ScriptedAgent,
    ThreadedServer,
    make_settings,
)
from tests.support.app_database import upgrade
from tests.support.waiting import wait_until

WEBHOOK = "/webhooks/twilio_sms/webhook"
KEY = make_settings(Path("/nonexistent")).tracker_encryption_key


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def inbound(sid: str = "SM" + "1" * 32, body: str = "my date of birth is 04/12/1985") -> InboundSms:
    return InboundSms(message_sid=sid, from_number=CALLER, body=body)


def inbox_on(tmp_path: Path, clock: Clock, lease_s: float = 30) -> SmsInbox:
    resources = ChannelResources.build(make_settings(tmp_path))
    upgrade(resources.engine)
    inbox = SmsInbox(resources.engine, KEY, lease_s=lease_s, clock=clock)
    return inbox


def test_a_waiting_text_is_sealed_at_rest_and_forgotten_once_answered(tmp_path: Path) -> None:
    clock = Clock()
    inbox = inbox_on(tmp_path, clock)
    assert inbox.accept(inbound())
    assert not inbox.accept(inbound())  # the same MessageSid is kept once

    with inbox._engine.connect() as conn:
        [row] = conn.execute(select(sms_inbound)).mappings().all()
    stored = " ".join(str(value) for value in row.values())
    for secret in ("5125550101", "04/12/1985", "date of birth"):
        assert secret not in stored
    assert inbox.claim_due().answer == []  # leased to the server that accepted it

    inbox.done(inbound().message_sid)
    assert inbox.pending() == 0


def test_a_crashed_servers_text_is_claimed_when_its_lease_runs_out_by_one_server_only(
    tmp_path: Path,
) -> None:
    clock = Clock()
    first, second = inbox_on(tmp_path, clock), inbox_on(tmp_path, clock)
    first.accept(inbound())

    clock.advance(29)
    assert second.claim_due().answer == []
    clock.advance(2)
    [claimed] = second.claim_due().answer
    assert claimed == inbound()
    assert first.claim_due().answer == []  # leased to the second server now


def test_a_released_text_is_due_at_once_and_an_orderly_stop_is_not_a_failed_attempt(
    tmp_path: Path,
) -> None:
    clock = Clock()
    inbox = inbox_on(tmp_path, clock)
    inbox.accept(inbound())
    for _ in range(MAX_ATTEMPTS + 2):  # stopped again and again before answering
        inbox.release([inbound().message_sid])
        claimed = inbox.claim_due()
        assert claimed.answer == [inbound()] and claimed.give_up == []


def test_a_text_whose_turn_keeps_failing_gets_the_apology_after_three_attempts(
    tmp_path: Path,
) -> None:
    clock = Clock()
    inbox = inbox_on(tmp_path, clock)
    inbox.accept(inbound())  # attempt 1 (then the server crashes, each time)
    outcomes = []
    for _ in range(MAX_ATTEMPTS):
        clock.advance(31)
        claimed = inbox.claim_due()
        outcomes.append((len(claimed.answer), len(claimed.give_up)))
    assert outcomes == [(1, 0), (1, 0), (0, 1)]


async def test_a_stopping_server_refuses_new_texts_with_a_retryable_503_and_is_not_ready(
    tmp_path: Path,
) -> None:
    settings = make_settings(tmp_path)
    resources = ChannelResources.build(settings)
    channel = TwilioSmsInput(settings, resources)
    params = sms_webhook_params(from_number=CALLER, body="hi")
    async with ChannelApp([channel], ScriptedAgent()) as app:
        assert app.client is not None
        assert (await app.client.get("/webhooks/twilio_sms/")).status_code == 200
        await channel.stop_gracefully()
        refused = await app.post(WEBHOOK, params)
        health = await app.client.get("/webhooks/twilio_sms/")
    assert refused.status_code == 503
    assert refused.headers["Retry-After"] == "5"
    assert health.status_code == 503
    assert channel.inbox.pending() == 0

    # The MessageSid was not claimed: Twilio's retry to a running server is answered in full.
    running, agent = TwilioSmsInput(settings, resources), ScriptedAgent()
    async with ChannelApp([running], agent) as app:
        retried = await app.post(WEBHOOK, params)
        await app.drain()
    assert retried.status_code == 200
    assert [m.text for m in agent.received] == ["hi"]


def post_signed(url: str, params: list[tuple[str, str]]) -> httpx.Response:
    request = signed_form_request(AUTH_TOKEN, url, params)
    return httpx.post(url, content=request.body, headers=request.headers, timeout=30)


def test_a_text_still_running_at_sigterm_is_answered_by_the_next_start(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    params = sms_webhook_params(from_number=CALLER, body="claim status")

    async def cut_short(message):  # type: ignore[no-untyped-def]
        # The turn outlives the drain period: it never ends until the server's loop cancels it.
        await asyncio.Event().wait()

    stopping = TwilioSmsInput(settings, drain_timeout_s=0.2)
    with ThreadedServer(ChannelApp([stopping], ScriptedAgent(cut_short)).app) as server:
        acked = post_signed(server.url + WEBHOOK, params)
    assert acked.status_code == 200
    assert read_outbox(stopping.resources.engine, to=CALLER) == []
    assert stopping.inbox.pending() == 1

    agent = ScriptedAgent()
    restarted = TwilioSmsInput(settings, sweep_interval_s=0.1)
    with ThreadedServer(ChannelApp([restarted], agent).app):
        assert wait_until(lambda: read_outbox(restarted.resources.engine, to=CALLER) != [])
        assert wait_until(lambda: restarted.inbox.pending() == 0)
    assert [m.text for m in agent.received] == ["claim status"]
    # The number's first reply from this server: it starts with the disclosure.
    assert [m.body for m in read_outbox(restarted.resources.engine, to=CALLER)] == [
        with_disclosure(SMS_DISCLOSURE, "You said: claim status")
    ]


def test_a_text_accepted_by_a_server_that_crashed_is_answered_once_its_lease_runs_out(
    tmp_path: Path,
) -> None:
    settings = make_settings(tmp_path)
    resources = ChannelResources.build(settings)
    upgrade(resources.engine)
    crashed = SmsInbox(resources.engine, KEY, lease_s=0.5)
    # The crash: acknowledged and kept, then the process is gone with its lease still running.
    crashed.accept(inbound(body="id card"))
    assert crashed.pending() == 1

    agent = ScriptedAgent()
    restarted = TwilioSmsInput(
        settings,
        resources,
        inbox=SmsInbox(resources.engine, KEY, lease_s=0.5),
        sweep_interval_s=0.1,
    )
    with ThreadedServer(ChannelApp([restarted], agent).app):
        assert wait_until(lambda: [m.text for m in agent.received] == ["id card"])
        assert wait_until(lambda: restarted.inbox.pending() == 0)
    # The number's first reply from this server: it starts with the disclosure.
    assert [m.body for m in read_outbox(restarted.resources.engine, to=CALLER)] == [
        with_disclosure(SMS_DISCLOSURE, "You said: id card")
    ]
