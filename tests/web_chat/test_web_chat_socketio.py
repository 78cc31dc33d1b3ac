"""The web chat channel on the real Rasa server, through a real socket.io client.

Full conversations for the fixture personas as the widget has them: anonymous verification with
the code read from the local outbox, a signed-in hand-over, resuming after a reconnect, and the
refusals (oversized, malformed, forged session, foreign origin).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
import socketio

from bot.conversation.web_handover import mint_web_handover
from tests.actions.conftest import MARIA
from tests.web_chat.stack import WebChatStack

pytestmark = [pytest.mark.rasa, pytest.mark.slow]
TURN_TIMEOUT_S = 60


@dataclass
class ChatClient:
    """One browser tab's socket, recording what the server sends."""

    sio: socketio.AsyncClient
    messages: asyncio.Queue[dict[str, Any]] = field(default_factory=asyncio.Queue)
    typing: list[bool] = field(default_factory=list)
    confirm: asyncio.Future[dict[str, Any]] | None = None
    turn_done: asyncio.Event = field(default_factory=asyncio.Event)

    async def start_session(self, token: str | None = None) -> dict[str, Any]:
        self.confirm = asyncio.get_running_loop().create_future()
        await self.sio.emit("session_request", {"session_token": token})
        return await asyncio.wait_for(self.confirm, 10)

    async def say(self, text: Any, **metadata: Any) -> list[dict[str, Any]]:
        """Send one message; the bot's messages until the typing indicator goes off."""
        self.typing.clear()
        self.turn_done.clear()
        await self.sio.emit("user_uttered", {"message": text, "metadata": metadata})
        await asyncio.wait_for(self.turn_done.wait(), TURN_TIMEOUT_S)
        return self.drain()

    async def send_refused(self, payload: Any) -> list[dict[str, Any]]:
        """Send a payload the channel refuses: one polite reply, and no turn."""
        await self.sio.emit("user_uttered", payload)
        reply = await asyncio.wait_for(self.messages.get(), TURN_TIMEOUT_S)
        return [reply, *self.drain()]

    def drain(self) -> list[dict[str, Any]]:
        received = []
        while not self.messages.empty():
            received.append(self.messages.get_nowait())
        return received


def texts(messages: list[dict[str, Any]]) -> str:
    return "\n".join(str(m.get("text") or "") for m in messages)


@asynccontextmanager
async def chat_client(stack: WebChatStack, origin: str | None = None) -> AsyncIterator[ChatClient]:
    sio = socketio.AsyncClient(reconnection=False)
    client = ChatClient(sio)

    @sio.on("bot_uttered")
    async def _bot(data: dict[str, Any]) -> None:
        await client.messages.put(data)

    @sio.on("bot_typing")
    async def _typing(data: dict[str, Any]) -> None:
        client.typing.append(bool(data.get("typing")))
        if not data.get("typing"):
            client.turn_done.set()

    @sio.on("session_confirm")
    async def _confirm(data: dict[str, Any]) -> None:
        if client.confirm is not None and not client.confirm.done():
            client.confirm.set_result(data)

    await sio.connect(
        stack.rasa_url,
        socketio_path="/socket.io",
        headers={"Origin": origin or stack.base_url},
        # long-polling: the WebSocket client of python-engineio needs a newer aiohttp than
        # Rasa pins (the browser tests cover the WebSocket upgrade)
        transports=["polling"],
        wait_timeout=10,
    )
    try:
        yield client
    finally:
        # Closing the engine.io session ends the socket at once; a plain disconnect() would
        # wait for the pending long-poll request to come back (up to the 25 s ping interval).
        await sio.eio.disconnect(abort=True)
        read_loop = getattr(sio.eio, "read_loop_task", None)
        if read_loop is not None:
            read_loop.cancel()


async def verify_anonymously(stack: WebChatStack, client: ChatClient) -> list[dict[str, Any]]:
    """Maria verifies by policy number, DOB, ZIP and the code texted to her number on file."""
    asked = texts(await client.say("whats my balance"))
    assert "confirm who you are" in asked and "policy number" in asked
    assert "date of birth" in texts(await client.say(MARIA.policy_number))
    assert "ZIP" in texts(await client.say("04/12/1985"))
    mark = stack.outbox_mark()
    sent = texts(await client.say(MARIA.zip))
    assert "texted a 6-digit code" in sent and "ending in 01" in sent
    code = stack.wait_for_code(MARIA.phone, after_id=mark)
    assert code not in sent
    return await client.say(code)


async def test_an_anonymous_visitor_verifies_with_the_texted_code_and_gets_the_balance(
    web_chat_stack: WebChatStack,
) -> None:
    async with chat_client(web_chat_stack) as client:
        confirm = await client.start_session()
        assert confirm["resumed"] is False
        answer = texts(await verify_anonymously(web_chat_stack, client))
        assert "you're verified" in answer
        assert "$" in answer and "due" in answer.lower()
        assert client.typing[0] is True and client.typing[-1] is False


async def test_a_reconnect_with_the_session_token_keeps_the_verified_conversation(
    web_chat_stack: WebChatStack,
) -> None:
    async with chat_client(web_chat_stack) as first:
        token = (await first.start_session())["session_token"]
        await verify_anonymously(web_chat_stack, first)
    async with chat_client(web_chat_stack) as second:
        confirm = await second.start_session(token)
        assert confirm["resumed"] is True
        answer = texts(await second.say("what do i owe"))
        assert "confirm who you are" not in answer
        assert "$" in answer


async def test_a_signed_in_hand_over_token_skips_verification_in_one_conversation_only(
    web_chat_stack: WebChatStack,
) -> None:
    token = web_chat_stack.handover_token("H0000001")
    async with chat_client(web_chat_stack) as client:
        await client.start_session()
        answer = texts(await client.say("whats my balance", web_token=token))
        assert "confirm who you are" not in answer
        assert "$" in answer
    # The same token in a new conversation (another tab, or whoever copied it) is refused.
    async with chat_client(web_chat_stack) as other:
        await other.start_session()
        assert "confirm who you are" in texts(await other.say("my balance", web_token=token))


async def test_a_forged_hand_over_token_still_has_to_verify(web_chat_stack: WebChatStack) -> None:
    token = mint_web_handover(
        "H0000001",
        "mfa",
        web_session="0" * 64,
        engine=web_chat_stack.engine,
        secret_key="not-our-secret",
    )
    async with chat_client(web_chat_stack) as client:
        await client.start_session()
        assert "confirm who you are" in texts(await client.say("my balance", web_token=token))


async def test_a_forged_session_token_starts_a_fresh_conversation(
    web_chat_stack: WebChatStack,
) -> None:
    async with chat_client(web_chat_stack) as client:
        confirm = await client.start_session("eyJjIjoid2ViLXZpY3RpbSJ9.forged.signature")
        assert confirm["resumed"] is False


async def test_oversized_and_malformed_messages_get_a_polite_reply(
    web_chat_stack: WebChatStack,
) -> None:
    async with chat_client(web_chat_stack) as client:
        await client.start_session()
        assert "too long" in texts(await client.send_refused({"message": "x" * 5000}))
        assert "couldn't read that" in texts(await client.send_refused(["not", "a", "message"]))
        assert "couldn't read that" in texts(await client.send_refused({"message": {"n": 1}}))
        assert client.typing == []  # refused messages never start a turn
        # The conversation carries on normally afterwards.
        assert "Policyline" in texts(await client.say("are you a robot"))


async def test_a_page_from_another_origin_cannot_open_a_chat(web_chat_stack: WebChatStack) -> None:
    with pytest.raises(socketio.exceptions.ConnectionError):
        async with chat_client(web_chat_stack, origin="https://evil.example"):
            pass
