"""Hostile and malformed webhook requests: never a 5xx, never an unsigned request processed."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot.notifications.delivery_status import sms_delivery_status
from bot.notifications.outbox import sms_outbox
from bot.twilio_signatures import SIGNATURE_HEADER
from channels.resources import ChannelResources
from channels.twilio_requests import (
    new_call_sid,
    new_message_sid,
    signed_form_request,
    sms_status_params,
    sms_webhook_params,
    voice_webhook_params,
)
from channels.twilio_sms import TwilioSmsInput
from channels.twilio_voice import TwilioVoiceInput
from tests.channels.support import (
    AUTH_TOKEN,
    INTERNAL_BASE,
    ChannelApp,
    ScriptedAgent,
    make_settings,
)
from tests.channels.voice_support import Facts
from tests.support.twilio_fields import TWILIO_FORM_FIELDS

PATHS = [
    "/webhooks/twilio_sms/webhook",
    "/webhooks/twilio_sms/status",
    "/webhooks/twilio_voice/webhook",
]

hostile_text = st.one_of(
    st.text(max_size=60),
    st.sampled_from(
        [
            "",
            "STOP",
            "help",
            "+15125550101",
            "anonymous",
            "/restart",
            "\x00",
            "4111111111111111",
            "' OR 1=1 --",
            "<Response/>",
            "é" * 400,
            "9" * 40,
            "-1",
            "NaN",
            "%FF",
            "&Body=x",
            "SM" + "a" * 32,
            "CA" + "b" * 32,
            "completed",
        ]
    ),
    st.text(min_size=1000, max_size=3000),
)
extra_pairs = st.lists(
    st.tuples(st.one_of(st.sampled_from(TWILIO_FORM_FIELDS), st.text(max_size=12)), hostile_text),
    max_size=12,
)
overrides = st.dictionaries(st.sampled_from(TWILIO_FORM_FIELDS), hostile_text, max_size=4)
dropped = st.sets(st.sampled_from(TWILIO_FORM_FIELDS), max_size=3)


def realistic_form(path: str) -> list[tuple[str, str]]:
    """What Twilio would send to ``path``: the starting point the fuzzer mangles."""
    if path.endswith("/status"):
        return sms_status_params(message_sid=new_message_sid(), status="delivered")
    if "voice" in path:
        return voice_webhook_params(
            call_sid=new_call_sid(), from_number="+15125550101", speech="my balance"
        )
    return sms_webhook_params(from_number="+15125550101", body="my balance")


def mangle(path, changes, drop, extra) -> list[tuple[str, str]]:
    pairs = [(k, changes.get(k, v)) for k, v in realistic_form(path) if k not in drop]
    return pairs + list(extra)


queries = st.one_of(
    st.just(""),
    st.sampled_from(
        [
            "seq=1",
            "seq=0",
            "seq=99999999999",
            "seq=-1",
            "seq=abc",
            "poll=1&seq=2",
            "miss=5&seq=3",
            "seq=1&seq=2",
        ]
    ),
    st.text(max_size=30).map(lambda t: quote(t, safe="=&")),
)
modes = st.sampled_from(["signed", "unsigned", "forged", "tampered", "garbage_body", "wrong_url"])


@dataclass
class Target:
    loop: asyncio.AbstractEventLoop
    app: ChannelApp
    agent: ScriptedAgent
    resources: ChannelResources
    crashes: list[logging.LogRecord]

    def side_effects(self) -> tuple[int, int, int]:
        with self.resources.engine.connect() as conn:
            outbox = conn.execute(select(func.count()).select_from(sms_outbox)).scalar_one()
            statuses = conn.execute(
                select(func.count()).select_from(sms_delivery_status)
            ).scalar_one()
        return len(self.agent.received), outbox, statuses


class CrashCatcher(logging.Handler):
    def __init__(self, records: list[logging.LogRecord]) -> None:
        super().__init__(logging.ERROR)
        self.records = records

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def target(tmp_path) -> Iterator[Target]:
    settings_ = make_settings(tmp_path)
    resources = ChannelResources.build(settings_)
    channels = [
        TwilioSmsInput(settings_, resources),
        TwilioVoiceInput(settings_, resources, conversation_reader=Facts()),
    ]
    agent = ScriptedAgent()
    crashes: list[logging.LogRecord] = []
    handler = CrashCatcher(crashes)
    loggers = [logging.getLogger(n) for n in ("channels", "sanic.error", "sanic.root")]
    for logger in loggers:
        logger.addHandler(handler)
    loop = asyncio.new_event_loop()
    app = ChannelApp(channels, agent)
    loop.run_until_complete(app.__aenter__())
    try:
        yield Target(loop, app, agent, resources, crashes)
    finally:
        loop.run_until_complete(app.__aexit__(None, None, None))
        loop.close()
        for logger in loggers:
            logger.removeHandler(handler)
        resources.engine.dispose()


async def _send(app: ChannelApp, path: str, pairs, mode: str, garbage: bytes):
    signed_url = INTERNAL_BASE + path
    request = signed_form_request(AUTH_TOKEN, signed_url, pairs)
    headers = dict(request.headers)
    body = request.body
    if mode == "unsigned":
        del headers[SIGNATURE_HEADER]
    elif mode == "forged":
        headers[SIGNATURE_HEADER] = signed_form_request("forger", signed_url, pairs).signature
    elif mode == "tampered":
        body = body + b"&Body=injected"
    elif mode == "garbage_body":
        body = garbage
    elif mode == "wrong_url":
        headers[SIGNATURE_HEADER] = signed_form_request(
            AUTH_TOKEN, "https://elsewhere.example" + path, pairs
        ).signature
    genuine = body == request.body and headers.get(SIGNATURE_HEADER) == request.signature
    assert app.client is not None
    return genuine, await app.client.post(path, content=body, headers=headers)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    path=st.sampled_from(PATHS),
    query=queries,
    changes=overrides,
    drop=dropped,
    extra=extra_pairs,
    mode=modes,
    garbage=st.binary(max_size=300),
)
def test_no_webhook_input_causes_a_server_error_or_unsigned_processing(
    target: Target, path, query, changes, drop, extra, mode, garbage
):
    pairs = mangle(path, changes, drop, extra)
    full_path = f"{path}?{query}" if query else path
    before = target.side_effects()
    genuine, response = target.loop.run_until_complete(
        _send(target.app, full_path, pairs, mode, garbage)
    )
    target.loop.run_until_complete(target.app.drain())
    event(f"{mode}: {response.status_code}")
    assert response.status_code < 500, response.text
    if genuine:
        assert response.status_code in (200, 204, 400)
    else:
        assert response.status_code in (400, 403, 413)
        assert target.side_effects() == before
    assert target.crashes == [], [r.getMessage() for r in target.crashes]
