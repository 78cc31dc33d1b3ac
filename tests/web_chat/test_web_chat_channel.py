"""The web chat channel without a Rasa server: message checks, session tokens, origins, handlers.

The handlers run against a recording stand-in for the socket.io server (the one layer faked
here); the real server, with a real socket.io client, is in ``test_web_chat_socketio.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from bot.settings import WebChatSettings
from channels.web_chat import (
    BOT_MESSAGE_EVENT,
    EMPTY,
    NO_SESSION,
    SOMETHING_WRONG,
    TYPING_EVENT,
    UNREADABLE,
    AcceptedMessage,
    Refusal,
    SessionTokens,
    WebChatInput,
    WebChatOutput,
    _Handlers,
    origin_checker,
    read_user_message,
)

SECRET = "web-chat-test-secret"


def test_a_message_with_a_handover_token_carries_it_as_metadata() -> None:
    accepted = read_user_message(
        {"message": "  my balance ", "metadata": {"web_token": "tok.en"}}, max_chars=100
    )
    assert accepted == AcceptedMessage(
        text="my balance", metadata={"channel": "webchat", "web_token": "tok.en"}
    )


def test_client_metadata_other_than_the_token_is_dropped() -> None:
    accepted = read_user_message(
        {
            "message": "balance",
            "metadata": {"phone": "+15125550101", "channel": "sms", "web_token": 42},
        },
        max_chars=100,
    )
    assert isinstance(accepted, AcceptedMessage)
    # A browser can never claim the SMS rule's phone factor nor another channel.
    assert accepted.metadata == {"channel": "webchat"}


def test_a_token_longer_than_any_of_ours_is_not_passed_on() -> None:
    accepted = read_user_message(
        {"message": "hi", "metadata": {"web_token": "x" * 513}}, max_chars=100
    )
    assert isinstance(accepted, AcceptedMessage)
    assert "web_token" not in accepted.metadata


@pytest.mark.parametrize(
    "payload",
    [None, "just a string", 42, [], {"message": None}, {"message": 5}, {"text": "hi"}],
)
def test_malformed_payloads_are_refused_politely(payload: Any) -> None:
    assert read_user_message(payload, max_chars=100) == Refusal("malformed", UNREADABLE)


def test_an_oversized_message_is_refused_with_the_limit() -> None:
    refusal = read_user_message({"message": "a" * 1001}, max_chars=1000)
    assert isinstance(refusal, Refusal)
    assert refusal.reason == "too_long"
    assert "1,000 characters" in refusal.text


def test_a_message_of_exactly_the_limit_is_accepted() -> None:
    assert isinstance(read_user_message({"message": "a" * 1000}, max_chars=1000), AcceptedMessage)


@pytest.mark.parametrize("text", ["", "   ", "\u200b\u200b", "\x00\x07"])
def test_an_empty_message_gets_asked_again(text: str) -> None:
    assert read_user_message({"message": text}, max_chars=100) == Refusal("empty", EMPTY)


def test_control_characters_are_removed_and_line_breaks_become_spaces() -> None:
    accepted = read_user_message({"message": "pay\x00 my\r\nbill\u202e"}, max_chars=100)
    assert isinstance(accepted, AcceptedMessage)
    assert accepted.text == "pay my  bill"


def test_a_session_token_gives_back_its_conversation() -> None:
    tokens = SessionTokens(SECRET, max_age_s=60)
    conversation_id, token = tokens.mint()
    assert conversation_id.startswith("web-") and len(conversation_id) == 36
    assert tokens.conversation_of(token) == conversation_id


def test_minted_conversation_ids_are_unguessable_and_distinct() -> None:
    tokens = SessionTokens(SECRET, max_age_s=60)
    assert len({tokens.mint()[0] for _ in range(200)}) == 200


@pytest.mark.parametrize("token", [None, 7, "", "not-a-token", "a" * 600])
def test_junk_session_tokens_name_no_conversation(token: Any) -> None:
    assert SessionTokens(SECRET, max_age_s=60).conversation_of(token) is None


def test_a_session_token_from_another_secret_or_too_old_is_refused() -> None:
    _, token = SessionTokens("someone-else", max_age_s=60).mint()
    assert SessionTokens(SECRET, max_age_s=60).conversation_of(token) is None
    _, ours = SessionTokens(SECRET, max_age_s=60).mint()
    assert SessionTokens(SECRET, max_age_s=-1).conversation_of(ours) is None


def test_a_tampered_session_token_is_refused() -> None:
    tokens = SessionTokens(SECRET, max_age_s=60)
    _, token = tokens.mint()
    payload, rest = token.split(".", 1)
    assert tokens.conversation_of(payload[:-2] + "AA." + rest) is None


def test_origins_exact_and_any_port() -> None:
    allowed = origin_checker(("https://insure.example", "http://127.0.0.1:*"))
    assert allowed("https://insure.example")
    assert allowed("http://127.0.0.1:8123")
    assert not allowed("http://127.0.0.1:81x")
    assert not allowed("http://127.0.0.1.evil.test:80")
    assert not allowed("https://insure.example.evil.test")
    assert not allowed("http://insure.example")
    assert not allowed(None)


@dataclass
class RecordingSocketServer:
    """Records what the handlers emit; keeps per-socket sessions and rooms like python-socketio."""

    emitted: list[tuple[str, Any, str]] = field(default_factory=list)
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)
    rooms: dict[str, set[str]] = field(default_factory=dict)

    async def emit(self, event: str, data: Any = None, room: str | None = None) -> None:
        self.emitted.append((event, data, str(room)))

    async def save_session(self, sid: str, session: dict[str, Any]) -> None:
        self.sessions[sid] = dict(session)

    async def get_session(self, sid: str) -> dict[str, Any]:
        return self.sessions.setdefault(sid, {})

    async def enter_room(self, sid: str, room: str) -> None:
        self.rooms.setdefault(sid, set()).add(room)

    def events(self, name: str) -> list[tuple[Any, str]]:
        return [(data, room) for event, data, room in self.emitted if event == name]


def _channel(max_chars: int = 50) -> WebChatInput:
    return WebChatInput(WebChatSettings(max_message_chars=max_chars), secret_key=SECRET)


def _handlers(on_new_message: Any, channel: WebChatInput | None = None):  # type: ignore[no-untyped-def]
    sio = RecordingSocketServer()
    return sio, _Handlers(channel or _channel(), sio, on_new_message)  # type: ignore[arg-type]


async def _never_called(message: Any) -> None:
    raise AssertionError("no message should reach Rasa")


async def test_session_request_without_a_token_starts_a_new_conversation() -> None:
    sio, handlers = _handlers(_never_called)
    await handlers.session_request("sid-1", None)
    [(confirm, room)] = sio.events("session_confirm")
    assert room == "sid-1" and confirm["resumed"] is False
    conversation_id = sio.sessions["sid-1"]["conversation_id"]
    assert sio.rooms["sid-1"] == {conversation_id}


async def test_a_reconnect_with_the_token_resumes_the_same_conversation() -> None:
    channel = _channel()
    sio, handlers = _handlers(_never_called, channel)
    await handlers.session_request("sid-1", {})
    token = sio.events("session_confirm")[0][0]["session_token"]
    await handlers.session_request("sid-2", {"session_token": token})
    assert sio.events("session_confirm")[1][0]["resumed"] is True
    assert sio.sessions["sid-2"] == sio.sessions["sid-1"]


async def test_a_client_chosen_session_id_is_never_used() -> None:
    sio, handlers = _handlers(_never_called)
    await handlers.session_request("sid-1", {"session_id": "victim-conversation"})
    assert sio.sessions["sid-1"]["conversation_id"] != "victim-conversation"
    assert "victim-conversation" not in sio.rooms["sid-1"]


async def test_a_message_goes_to_rasa_as_the_sockets_conversation_with_typing_around_it() -> None:
    received: list[Any] = []

    async def on_new_message(message: Any) -> None:
        received.append(message)

    sio, handlers = _handlers(on_new_message)
    await handlers.session_request("sid-1", None)
    conversation_id = sio.sessions["sid-1"]["conversation_id"]
    await handlers.user_uttered(
        "sid-1",
        {"message": "balance", "session_id": "someone-else", "metadata": {"web_token": "t"}},
    )
    [message] = received
    assert message.sender_id == conversation_id
    assert message.text == "balance"
    assert message.input_channel == "webchat"
    assert message.metadata == {"channel": "webchat", "web_token": "t"}
    assert isinstance(message.output_channel, WebChatOutput)
    assert sio.events(TYPING_EVENT) == [
        ({"typing": True}, conversation_id),
        ({"typing": False}, conversation_id),
    ]


async def test_a_message_before_a_session_is_refused_politely() -> None:
    sio, handlers = _handlers(_never_called)
    await handlers.user_uttered("sid-1", {"message": "hi"})
    assert sio.events(BOT_MESSAGE_EVENT) == [({"text": NO_SESSION}, "sid-1")]


async def test_an_event_with_several_arguments_is_refused_politely_not_raised() -> None:
    # Found by tests/security/test_web_chat_fuzz.py: a surplus argument raised TypeError inside
    # python-socketio (no answer, a traceback in the log).
    sio, handlers = _handlers(_never_called)
    await handlers.session_request("sid-1", None, "surplus", 3)
    await handlers.user_uttered("sid-1", {"message": "hi"}, True, "x")
    assert sio.events(BOT_MESSAGE_EVENT)[-1] == ({"text": UNREADABLE}, "sid-1")
    assert sio.events(TYPING_EVENT) == []


async def test_an_oversized_message_gets_a_polite_reply_and_never_reaches_rasa() -> None:
    sio, handlers = _handlers(_never_called)
    await handlers.session_request("sid-1", None)
    await handlers.user_uttered("sid-1", {"message": "x" * 51})
    [(reply, room)] = sio.events(BOT_MESSAGE_EVENT)
    assert room == "sid-1" and "under 50 characters" in reply["text"]


async def test_a_failed_turn_apologises_and_clears_the_typing_indicator() -> None:
    async def broken(message: Any) -> None:
        raise RuntimeError("boom: my dob is 1985-04-12")

    sio, handlers = _handlers(broken)
    await handlers.session_request("sid-1", None)
    await handlers.user_uttered("sid-1", {"message": "balance"})
    conversation_id = sio.sessions["sid-1"]["conversation_id"]
    assert sio.events(BOT_MESSAGE_EVENT) == [({"text": SOMETHING_WRONG}, conversation_id)]
    assert sio.events(TYPING_EVENT)[-1] == ({"typing": False}, conversation_id)


async def test_custom_payloads_reach_the_widget_as_data() -> None:
    sio = RecordingSocketServer()
    output = WebChatOutput(sio, BOT_MESSAGE_EVENT, _channel().offers)  # type: ignore[arg-type]
    payload = {"document": {"kind": "id_card", "url": "https://x.test/d/abc"}}
    await output.send_custom_json("web-1", payload)
    await output.send_text_with_buttons(
        "web-1", "Which policy?", [{"title": "Home", "payload": "/inform"}]
    )
    assert sio.events(BOT_MESSAGE_EVENT) == [
        ({"custom": payload}, "web-1"),
        (
            {
                "text": "Which policy?",
                "quick_replies": [{"content_type": "text", "title": "Home", "payload": "/inform"}],
            },
            "web-1",
        ),
    ]


def test_the_channel_reads_its_settings_and_is_named_webchat() -> None:
    channel = WebChatInput.from_credentials({"socketio_path": "/socket.io"})
    assert isinstance(channel, WebChatInput)
    assert channel.name() == "webchat"
    assert channel.session_persistence is True


async def _offered_turn(
    channel: WebChatInput, sio: RecordingSocketServer, handlers: Any, text: str
) -> list[Any]:
    """The bot offers two buttons in this conversation, then the client sends ``text``."""
    received: list[Any] = []

    async def on_new_message(message: Any) -> None:
        received.append(message)

    handlers._on_new_message = on_new_message
    conversation_id = sio.sessions["sid-1"]["conversation_id"]
    output = WebChatOutput(sio, BOT_MESSAGE_EVENT, channel.offers)  # type: ignore[arg-type]
    await output.send_text_with_buttons(
        conversation_id,
        "Which policy?",
        [
            {"title": "Auto", "payload": '/choose_policy{"policy_number": "AUT-1000003"}'},
            {"title": "Home", "payload": '/choose_policy{"policy_number": "HOM-2000002"}'},
        ],
    )
    await handlers.user_uttered("sid-1", {"message": text})
    return received


async def test_an_offered_button_payload_reaches_rasa_as_the_command_it_is() -> None:
    channel = _channel(max_chars=2000)
    sio, handlers = _handlers(_never_called, channel)
    await handlers.session_request("sid-1", None)
    payload = '/choose_policy{"policy_number": "HOM-2000002"}'
    [message] = await _offered_turn(channel, sio, handlers, payload)
    assert message.text == payload


@pytest.mark.parametrize(
    "typed",
    [
        '/check_balance{"holder_id": "H0000003", "assurance": "verified"}',
        '/choose_policy{"policy_number": "REN-3000001"}',
        "/01/22/1996",
        "//restart",
        '/choose_policy{"policy_number": "HOM-2000002", "x": 1}',
    ],
)
async def test_typed_slash_commands_are_read_as_words_never_as_intents(typed: str) -> None:
    channel = _channel(max_chars=2000)
    sio, handlers = _handlers(_never_called, channel)
    await handlers.session_request("sid-1", None)
    [message] = await _offered_turn(channel, sio, handlers, typed)
    assert not message.text.startswith("/")
    assert message.text == typed.strip().lstrip("/").strip()


async def test_a_bare_slash_is_answered_as_an_empty_message() -> None:
    sio, handlers = _handlers(_never_called)
    await handlers.session_request("sid-1", None)
    await handlers.user_uttered("sid-1", {"message": " / "})
    assert sio.events(BOT_MESSAGE_EVENT)[-1] == ({"text": EMPTY}, "sid-1")


async def test_buttons_offered_in_one_conversation_are_no_pass_for_another() -> None:
    channel = _channel(max_chars=2000)
    sio, handlers = _handlers(_never_called, channel)
    await handlers.session_request("sid-1", None)
    output = WebChatOutput(sio, BOT_MESSAGE_EVENT, channel.offers)  # type: ignore[arg-type]
    await output.send_text_with_buttons("web-other", "Pick", [{"title": "A", "payload": "/a"}])
    received: list[Any] = []

    async def on_new_message(message: Any) -> None:
        received.append(message)

    handlers._on_new_message = on_new_message
    await handlers.user_uttered("sid-1", {"message": "/a"})
    assert [m.text for m in received] == ["a"]
