"""Helpers for channel tests: a Rasa-like Sanic app with our channels and a scripted agent.

``ChannelApp`` registers the channels exactly as ``rasa run`` does (``rasa.core.channels.channel.
register`` under ``/webhooks/``) on a Sanic app whose ``ctx.agent`` is a ``ScriptedAgent``: it
records every ``UserMessage`` that reaches it and answers with scripted bot messages, so tests can
assert that forged requests never reach the agent. Requests go through httpx's ASGI transport
(no port), arriving on an *internal* host name, like behind a proxy.

Signed requests are built with ``channels.twilio_requests`` (the same code the simulators use);
end-to-end tests against a real Rasa server can use those directly.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from rasa.core.channels.channel import InputChannel, UserMessage, register
from sanic import Sanic

from bot.conversation.answers.small_talk import ai_disclosure
from bot.settings import TwilioSettings
from channels.config import ChannelSettings, VoiceSettings
from channels.twilio_requests import signed_form_request
from tests.support.app_database import migrated_sqlite
from tests.support.personas import MARIA

AUTH_TOKEN = "test-twilio-auth-token-5f1d2c"  # fixed for tests; never a real account's
INTERNAL_BASE = "http://rasa-internal:5005"
PUBLIC_BASE = "https://bot.policyline.example"
CALLER = MARIA.phone
CARRIER = "Harbor Mutual Insurance"
# What a conversation's first text starts with (channels.first_reply).
SMS_DISCLOSURE = ai_disclosure(CARRIER, "sms")

Script = Callable[[UserMessage], Sequence[dict[str, Any]] | Awaitable[Sequence[dict[str, Any]]]]


def make_settings(tmp_path: Path, **overrides: Any) -> ChannelSettings:
    """Channel settings on a fresh SQLite file under ``tmp_path``."""
    values: dict[str, Any] = {
        "env": "test",
        "twilio": TwilioSettings(auth_token=AUTH_TOKEN),
        "voice": VoiceSettings(),
        "database_url": migrated_sqlite(tmp_path / "app.sqlite"),
        "identifier_key": "test-identifier-key",
        "carrier_name": CARRIER,
        "contact_centre_phone": "+18005550100",
        "claims_phone": "+18005550199",
    }
    values.update(overrides)
    return ChannelSettings(**values)


def echo(message: UserMessage) -> list[dict[str, Any]]:
    return [{"text": f"You said: {message.text}"}]


@dataclass
class ScriptedAgent:
    """Stands in for ``rasa.core.agent.Agent``: records messages, answers from a script."""

    script: Script = echo
    received: list[UserMessage] = field(default_factory=list)

    def is_ready(self) -> bool:
        """Rasa's ``Agent.is_ready``: a model is loaded (the SMS health check asks)."""
        return True

    async def handle_message(self, message: UserMessage) -> None:
        self.received.append(message)
        replies = self.script(message)
        if asyncio.iscoroutine(replies) or isinstance(replies, Awaitable):
            replies = await replies  # type: ignore[misc]
        for reply in replies:  # type: ignore[union-attr]
            await message.output_channel.send_response(message.sender_id, dict(reply))


class ChannelApp:
    """A Sanic app serving ``channels`` like the Rasa server, driven in-process over ASGI."""

    def __init__(self, channels: Sequence[InputChannel], agent: ScriptedAgent) -> None:
        # Test mode lets several apps start in one process: without it Sanic's start-up rewrites
        # ``handle_request`` in place and the second app's rewrite fails.
        Sanic.test_mode = True
        self.channels = list(channels)
        self.agent = agent
        self.app = Sanic(f"channels_test_{uuid.uuid4().hex[:12]}")
        self.app.ctx.agent = agent
        register(self.channels, self.app, route="/webhooks/")
        self.client: httpx.AsyncClient | None = None

    async def __aenter__(self) -> ChannelApp:
        # What Sanic's ASGI lifespan does on start-up (finalises routes); httpx sends no lifespan.
        await self.app._startup()
        self.client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app), base_url=INTERNAL_BASE
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.drain()
        assert self.client is not None
        await self.client.aclose()

    async def drain(self) -> None:
        """Wait for background turns (SMS) and held turns (voice) to finish."""
        for channel in self.channels:
            drain = getattr(channel, "drain", None)
            if drain is not None:
                await drain()
            calls = getattr(channel, "calls", None)
            if calls is not None:
                await calls.drain()

    async def post(
        self,
        path: str,
        params: Sequence[tuple[str, str]],
        *,
        signed_url: str | None = None,
        auth_token: str = AUTH_TOKEN,
        headers: dict[str, str] | None = None,
        body: bytes | None = None,
    ) -> httpx.Response:
        """POST ``params`` to ``path``, signed for ``signed_url`` (default: the URL used)."""
        assert self.client is not None
        request = signed_form_request(auth_token, signed_url or INTERNAL_BASE + path, params)
        merged = {**request.headers, **(headers or {})}
        merged = {k: v for k, v in merged.items() if v is not None}
        return await self.client.post(
            path, content=request.body if body is None else body, headers=merged
        )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ThreadedServer:
    """A ``ChannelApp``'s Sanic app on a real loopback port, in a background thread."""

    def __init__(self, app: Sanic) -> None:
        self.app = app
        self.port = free_port()
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._error: BaseException | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _serve(self) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            server = loop.run_until_complete(
                self.app.create_server(host="127.0.0.1", port=self.port, return_asyncio_server=True)
            )
            assert server is not None
            loop.run_until_complete(server.startup())
            loop.run_until_complete(server.before_start())
            loop.run_until_complete(server.after_start())
        except BaseException as exc:  # surface start-up failures in the test thread
            self._error = exc
            self._ready.set()
            return
        self._loop = loop
        self._ready.set()
        loop.run_forever()
        loop.run_until_complete(server.before_stop())
        server.close()
        loop.run_until_complete(server.wait_closed())
        pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
        if pending:
            loop.run_until_complete(asyncio.wait(pending, timeout=10))
        loop.close()

    def __enter__(self) -> ThreadedServer:
        self._thread.start()
        self._ready.wait(30)
        if self._error is not None:
            raise RuntimeError("test server did not start") from self._error
        return self

    def __exit__(self, *exc: object) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(30)
