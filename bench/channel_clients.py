"""Clients for each channel's real endpoint, as the outside world calls it.

A client opens a conversation for a ``Script`` and sends it user turns; each turn returns the
bot's texts once the policyholder would have them:

- ``RestClient``: Rasa's REST channel (local and tests only; answer = the HTTP response). It
  carries no phone, so it verifies like anonymous web chat: with the code texted to the number on
  file, read from the outbox.
- ``SocketIoClient``: the web chat widget's socket.io endpoint, as the browser uses it
  (python-socketio ``AsyncClient``): ``session_request`` → ``session_confirm``, then
  ``user_uttered``; the turn is answered when ``bot_typing`` goes false after the
  ``bot_uttered`` messages. Anonymous web chat verifies with a code texted to the number on
  file: the client reads it from the outbox, as the policyholder reads their phone.
- ``SmsClient``: Twilio's incoming-message webhook, signed with the auth token. The webhook only
  acknowledges; the answer is the reply that lands in the local outbox (``OutboxWatcher``), timed
  by the row's own ``created_at``.
- ``VoiceClient``: Twilio's voice webhook, signed, with the call's ``<Gather>`` action URLs
  followed as Twilio follows them (including "one moment" holds that ``<Redirect>`` to a poll).
"""

from __future__ import annotations

import asyncio
import re
import time
import uuid
import xml.etree.ElementTree as ET
from abc import ABC, abstractmethod
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import httpx
import socketio
from sqlalchemy.engine import Engine

from bench.population import Script
from bot.notifications.outbox import latest_outbox_id, read_outbox
from channels.twilio_requests import (
    new_call_sid,
    new_message_sid,
    signed_form_request,
    sms_webhook_params,
    voice_webhook_params,
)

SMS_PATH = "/webhooks/twilio_sms/webhook"
VOICE_PATH = "/webhooks/twilio_voice/webhook"
REST_PATH = "/webhooks/rest/webhook"


class TurnFailed(Exception):
    """The endpoint refused the turn or no answer came within the deadline (a lost message)."""


@dataclass
class Conversation:
    """One running conversation: its script and what the client needs to continue it."""

    script: Script
    sender: str
    next_url: str = ""  # voice: where the last <Gather> posts
    ended: bool = False
    greeting: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Reply:
    texts: list[str]
    latency_s: float


class ChannelClient(ABC):
    """One channel's endpoint; ``name`` labels its figures."""

    name: str
    # Turns arrive as keypad digits rather than words (the IVR's DOB and ZIP).
    keyed = False

    @abstractmethod
    async def start(self, script: Script) -> Conversation: ...

    @abstractmethod
    async def turn(self, conversation: Conversation, text: str) -> Reply: ...

    async def one_time_code(self, conversation: Conversation) -> str | None:
        """The code the assistant texted for this conversation, if the channel needs one."""
        return None

    async def finish(self, conversation: Conversation) -> None:
        """Close what the conversation holds open (a socket)."""
        return None

    async def aclose(self) -> None:
        return None


class RestClient(ChannelClient):
    name = "web (REST)"

    def __init__(
        self, http: httpx.AsyncClient, base_url: str, outbox: OutboxWatcher, timeout_s: float
    ) -> None:
        self._http, self._url, self._timeout = http, base_url + REST_PATH, timeout_s
        self._outbox = outbox
        self._marks: dict[str, int] = {}

    async def start(self, script: Script) -> Conversation:
        return Conversation(script, sender=f"bench-web-{uuid.uuid4().hex[:12]}")

    async def turn(self, conversation: Conversation, text: str) -> Reply:
        self._marks[conversation.sender] = self._outbox.mark(conversation.script.persona.phone)
        started = time.perf_counter()
        try:
            response = await self._http.post(
                self._url,
                json={
                    "sender": conversation.sender,
                    "message": text,
                    "metadata": {"channel": "web"},
                },
                timeout=self._timeout,
            )
        except httpx.HTTPError as exc:
            raise TurnFailed(type(exc).__name__) from exc
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise TurnFailed(f"HTTP {response.status_code}")
        return Reply([m.get("text", "") for m in response.json() if m.get("text")], elapsed)

    async def one_time_code(self, conversation: Conversation) -> str | None:
        mark = self._marks.get(conversation.sender, 0)
        return await texted_code(self._outbox, conversation.script.persona.phone, mark)


class OutboxWatcher:
    """Polls the outbox and hands new messages to whoever waits for that number."""

    def __init__(self, engine: Engine, interval_s: float = 0.02) -> None:
        self._engine = engine
        self._interval = interval_s
        self._last_id = latest_outbox_id(engine)
        self._by_number: dict[str, list[tuple[float, str]]] = defaultdict(list)
        self._changed = asyncio.Condition()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._poll())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _poll(self) -> None:
        while True:
            rows = await asyncio.to_thread(
                read_outbox, self._engine, after_id=self._last_id, limit=1000
            )
            if rows:
                self._last_id = rows[-1].id
                for row in rows:
                    created = row.created_at
                    stamp = created.timestamp() if created.tzinfo else time.time()
                    self._by_number[row.to].append((stamp, row.body))
                async with self._changed:
                    self._changed.notify_all()
            await asyncio.sleep(self._interval)

    def mark(self, number: str) -> int:
        return len(self._by_number[number])

    async def collect(
        self, number: str, since: int, timeout_s: float, settle_s: float
    ) -> list[tuple[float, str]]:
        """Messages to ``number`` after index ``since``: the first, then any within ``settle_s``."""
        deadline = time.monotonic() + timeout_s
        async with self._changed:
            while len(self._by_number[number]) <= since:
                left = deadline - time.monotonic()
                if left <= 0:
                    return []
                try:
                    await asyncio.wait_for(self._changed.wait(), left)
                except asyncio.TimeoutError:
                    return []
        seen = -1
        while seen != len(self._by_number[number]):
            seen = len(self._by_number[number])
            await asyncio.sleep(settle_s)
        return self._by_number[number][since:]


class SmsClient(ChannelClient):
    name = "SMS (Twilio webhook)"

    def __init__(
        self,
        http: httpx.AsyncClient,
        base_url: str,
        auth_token: str,
        outbox: OutboxWatcher,
        timeout_s: float,
        settle_s: float = 1.0,
        connect_retry_s: float = 0.0,
    ) -> None:
        self._http, self._url, self._token = http, base_url + SMS_PATH, auth_token
        self._outbox, self._timeout, self._settle = outbox, timeout_s, settle_s
        # Twilio retries a webhook it could not connect to, or that a stopping server answered
        # 503, when the URL carries connection overrides (``#rc=..&rp=all``): this many
        # seconds of such retries, 0 for none.
        self._connect_retry_s = connect_retry_s
        self.connect_retries = 0

    async def _post(self, body: bytes, headers: dict[str, str]) -> httpx.Response:
        deadline = time.monotonic() + self._connect_retry_s
        while True:
            try:
                response = await self._http.post(
                    self._url, content=body, headers=headers, timeout=self._timeout
                )
            except (httpx.ConnectError, httpx.RemoteProtocolError):
                if time.monotonic() >= deadline:
                    raise
            else:
                if response.status_code != 503 or time.monotonic() >= deadline:
                    return response
            self.connect_retries += 1
            await asyncio.sleep(0.5)

    async def start(self, script: Script) -> Conversation:
        return Conversation(script, sender=script.persona.phone)

    async def turn(self, conversation: Conversation, text: str) -> Reply:
        phone = conversation.sender
        params = sms_webhook_params(from_number=phone, body=text, message_sid=new_message_sid())
        request = signed_form_request(self._token, self._url, params)
        since = self._outbox.mark(phone)
        sent_at = time.time()
        try:
            response = await self._post(request.body, request.headers)
        except httpx.HTTPError as exc:
            raise TurnFailed(type(exc).__name__) from exc
        if response.status_code != 200:
            raise TurnFailed(f"HTTP {response.status_code}")
        replies = await self._outbox.collect(phone, since, self._timeout, self._settle)
        if not replies:
            raise TurnFailed("no reply in the outbox")
        return Reply([body for _, body in replies], max(0.0, replies[0][0] - sent_at))


def _twiml(text: str) -> tuple[list[str], str | None, str | None]:
    """Spoken texts, the <Gather> action URL and the <Redirect> URL of a TwiML answer."""
    root = ET.fromstring(text)
    said = [el.text or "" for el in root.iter("Say")]
    gather = next(root.iter("Gather"), None)
    redirect = next(root.iter("Redirect"), None)
    return (
        said,
        gather.get("action") if gather is not None else None,
        redirect.text if redirect is not None else None,
    )


class VoiceClient(ChannelClient):
    name = "voice (Twilio webhook)"
    keyed = True

    def __init__(
        self,
        http: httpx.AsyncClient,
        base_url: str,
        auth_token: str,
        timeout_s: float,
        max_polls: int = 10,
    ) -> None:
        self._http, self._base, self._token = http, base_url, auth_token
        self._timeout, self._max_polls = timeout_s, max_polls

    async def _post(self, url: str, params: list[tuple[str, str]]) -> str:
        absolute = url if url.startswith("http") else self._base + url
        request = signed_form_request(self._token, absolute, params)
        try:
            response = await self._http.post(
                absolute, content=request.body, headers=request.headers, timeout=self._timeout
            )
        except httpx.HTTPError as exc:
            raise TurnFailed(type(exc).__name__) from exc
        if response.status_code != 200:
            raise TurnFailed(f"HTTP {response.status_code}")
        return response.text

    async def start(self, script: Script) -> Conversation:
        conversation = Conversation(script, sender=new_call_sid())
        said, action, _ = _twiml(
            await self._post(
                VOICE_PATH,
                voice_webhook_params(
                    call_sid=conversation.sender, from_number=script.persona.phone
                ),
            )
        )
        conversation.greeting = said
        conversation.next_url = action or ""
        conversation.ended = action is None
        return conversation

    async def turn(self, conversation: Conversation, text: str) -> Reply:
        if conversation.ended:
            raise TurnFailed("the call has ended")
        phone = conversation.script.persona.phone
        speech: dict[str, Any] = {"digits": text} if text.isdigit() else {"speech": text}
        started = time.perf_counter()
        said, action, redirect = _twiml(
            await self._post(
                conversation.next_url,
                voice_webhook_params(call_sid=conversation.sender, from_number=phone, **speech),
            )
        )
        polls = 0
        while action is None and redirect is not None and "poll=" in redirect:
            polls += 1
            if polls > self._max_polls:
                raise TurnFailed("still holding after the poll limit")
            more, action, redirect = _twiml(
                await self._post(
                    redirect, voice_webhook_params(call_sid=conversation.sender, from_number=phone)
                )
            )
            said += more
        elapsed = time.perf_counter() - started
        conversation.next_url = action or ""
        conversation.ended = action is None
        return Reply(said, elapsed)


_CODE = re.compile(r"(?<!\d)(\d{6})(?!\d)")


async def texted_code(outbox: OutboxWatcher, phone: str, since: int) -> str | None:
    """The newest one-time code texted to ``phone`` after ``since``, as the holder reads it."""
    texts = await outbox.collect(phone, since, 5.0, 0.1)
    for _, body in reversed(texts):
        found = _CODE.search(body)
        if found:
            return found.group(1)
    return None


@dataclass
class _Socket:
    client: socketio.AsyncClient
    events: asyncio.Queue[tuple[str, Any]]


class SocketIoClient(ChannelClient):
    name = "web chat (socket.io)"

    def __init__(self, base_url: str, origin: str, outbox: OutboxWatcher, timeout_s: float) -> None:
        self._base, self._origin, self._outbox, self._timeout = base_url, origin, outbox, timeout_s
        self._sockets: dict[str, _Socket] = {}
        self._closing: set[asyncio.Task[None]] = set()

    async def start(self, script: Script) -> Conversation:
        events: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        client = socketio.AsyncClient(reconnection=False)
        for event in ("session_confirm", "bot_uttered", "bot_typing"):
            client.on(event, lambda data=None, e=event: events.put_nowait((e, data)))
        try:
            # Long-polling, the widget's fallback: engine.io's websocket client needs aiohttp's
            # ClientWSTimeout (aiohttp >= 3.10), and Rasa pins aiohttp 3.9.
            await client.connect(
                self._base,
                socketio_path="/socket.io",
                transports=["polling"],
                headers={"Origin": self._origin},
                wait_timeout=self._timeout,
            )
            await client.emit("session_request", {"session_token": None})
            event, _ = await asyncio.wait_for(events.get(), self._timeout)
        except (socketio.exceptions.SocketIOError, asyncio.TimeoutError, OSError) as exc:
            await client.disconnect()
            raise TurnFailed(f"connect: {type(exc).__name__}") from exc
        if event != "session_confirm":
            await client.disconnect()
            raise TurnFailed(f"expected session_confirm, got {event}")
        conversation = Conversation(script, sender=f"socket-{uuid.uuid4().hex[:12]}")
        self._sockets[conversation.sender] = _Socket(client, events)
        return conversation

    async def turn(self, conversation: Conversation, text: str) -> Reply:
        socket = self._sockets[conversation.sender]
        self._phone_mark = self._outbox.mark(conversation.script.persona.phone)
        started = time.perf_counter()
        await socket.client.emit("user_uttered", {"message": text})
        texts: list[str] = []
        deadline = time.monotonic() + self._timeout
        while True:
            left = deadline - time.monotonic()
            try:
                event, data = await asyncio.wait_for(socket.events.get(), max(0.01, left))
            except asyncio.TimeoutError as exc:
                raise TurnFailed("no bot_typing end within the deadline") from exc
            if event == "bot_uttered" and isinstance(data, dict) and data.get("text"):
                texts.append(str(data["text"]))
            elif event == "bot_typing" and isinstance(data, dict) and not data.get("typing"):
                return Reply(texts, time.perf_counter() - started)

    async def one_time_code(self, conversation: Conversation) -> str | None:
        return await texted_code(self._outbox, conversation.script.persona.phone, self._phone_mark)

    async def finish(self, conversation: Conversation) -> None:
        socket = self._sockets.pop(conversation.sender, None)
        if socket is not None:
            # A polling disconnect waits for the open long-poll to return: do it in the
            # background, so the policyholder's next conversation (and throughput) is not held.
            task = asyncio.create_task(socket.client.disconnect())
            self._closing.add(task)
            task.add_done_callback(self._closing.discard)

    async def aclose(self) -> None:
        await asyncio.gather(*list(self._closing), return_exceptions=True)
