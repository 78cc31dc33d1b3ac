"""The web chat channel: the widget (bot/web/chat.py) talks to Rasa over socket.io.

Built on Rasa's ``SocketIOInput`` (its socket blueprint and message shaping), with what that
channel lacks (docs/architecture.md, "Budgets and library facts"):

- **Server-minted conversations.** Rasa's ``session_persistence`` trusts any ``session_id`` the
  client sends and joins that room, so anyone who knows an id could read and continue that
  conversation. Here the server mints the conversation id and hands the browser a *signed session
  token* for it (kept in the tab's ``sessionStorage``); a reconnect presents the token and gets the
  same conversation back, anything else gets a new one. Messages always go to the conversation
  bound to the socket on the server, never to an id the client names.
- **Metadata built server-side.** ``channel`` is always ``webchat`` and the only thing taken from
  the client is the signed hand-over token (``web_token``); a client-sent ``phone`` or ``channel``
  is dropped, so a browser can never claim the SMS rule's phone factor.
- **No typed commands.** Rasa reads text that starts with ``/`` as a ready-made intent with
  slots (``/check_balance{"holder_id": ...}``). The widget sends such text only for the buttons
  the bot offered, so a ``/...`` message is passed on only when it is exactly a payload this
  conversation was just offered (remembered server-side, like SMS menus); any other text loses its
  leading ``/`` and is understood as words.
- **Polite refusals.** An oversized, empty or malformed message gets an answer, never a crash.
- **Typing indicator.** ``bot_typing`` ``{"typing": true}`` while a turn is processed.
- **Allowed origins** from settings (``WEB_CHAT_ALLOWED_ORIGINS``).
- **AI disclosure first.** A new conversation's ``session_confirm`` carries ``disclosure``: the
  widget shows it as the bot's first message (an automated assistant; type "agent" for a person:
  ``small_talk.ai_disclosure``). A resumed conversation does not repeat it.

Events (socket.io): client → ``session_request`` ``{"session_token": str | null}`` → server
``session_confirm`` ``{"session_token": str, "resumed": bool, "disclosure"?: str}`` (disclosure:
new conversations only); client ``user_uttered``
``{"message": str, "metadata": {"web_token": str}}``; server ``bot_uttered`` (Rasa's shapes:
``{"text"}``, ``{"text", "quick_replies": [{"title", "payload"}]}``, ``{"attachment"}``, and
``{"custom": {...}}`` for our payloads such as ``{"document": {...}}``) and ``bot_typing``.
"""

from __future__ import annotations

import logging
import secrets
import unicodedata
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Final, Literal, TypedDict

from itsdangerous import BadSignature, URLSafeTimedSerializer
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from bot.conversation.answers.small_talk import ai_disclosure
from bot.settings import WebChatSettings, load_settings
from channels.bot_messages import Button
from channels.ephemeral_store import EphemeralStore, InMemoryEphemeralStore, build_ephemeral_store
from channels.inbound_text import without_command_prefix
from channels.menu_choices import MenuMemory, number_choices
from channels.rasa_turns import BotMessages, TurnRequest
from channels.requests_in_a_message import RasaServer

logger = logging.getLogger(__name__)

CHANNEL_NAME: Final = "webchat"
BOT_MESSAGE_EVENT = "bot_uttered"
USER_MESSAGE_EVENT = "user_uttered"
TYPING_EVENT = "bot_typing"
_SESSION_SALT = "policyline.web-chat-session.v1"
# Longest hand-over token accepted (they are ~100 characters); anything longer is not ours.
MAX_WEB_TOKEN_CHARS = 512
# Socket.io packets above this are dropped by the transport before any handler runs.
MAX_PACKET_BYTES = 64 * 1024

TOO_LONG = "Sorry, that message is too long for me. Please keep it under {limit} characters."
UNREADABLE = "Sorry, I couldn't read that message. Please type your question again."
EMPTY = "I didn't get any text. What can I help you with?"
NO_SESSION = "Sorry, this chat lost its connection. Please reload the page to continue."
SOMETHING_WRONG = "Sorry, something went wrong on our side. Please try again in a minute."


class WebChatMetadata(TypedDict, total=False):
    """The metadata this channel attaches to each user message (docs/dialogue-contract.md)."""

    # always "webchat": set here, never taken from the client
    channel: Literal["webchat"]
    # signed hand-over token from a signed-in web session, unverified here (the actions verify)
    web_token: str


@dataclass(frozen=True)
class Refusal:
    """Why a client message was not passed to Rasa, and what the person is told."""

    reason: str
    text: str


@dataclass(frozen=True)
class AcceptedMessage:
    text: str
    metadata: WebChatMetadata


class SessionTokens:
    """Signed tokens binding a browser tab to a server-minted conversation id."""

    def __init__(self, secret_key: str, *, max_age_s: int) -> None:
        if not secret_key:
            raise ValueError("a secret key is required to sign chat session tokens")
        self._serializer = URLSafeTimedSerializer(secret_key, salt=_SESSION_SALT)
        self._max_age_s = max_age_s

    def mint(self) -> tuple[str, str]:
        """A new conversation id and its token."""
        conversation_id = f"web-{secrets.token_hex(16)}"
        return conversation_id, self.token_for(conversation_id)

    def token_for(self, conversation_id: str) -> str:
        return self._serializer.dumps({"c": conversation_id})

    def conversation_of(self, token: Any) -> str | None:
        """The conversation id ``token`` was minted for, or ``None`` if it is not valid now."""
        if not isinstance(token, str) or not token or len(token) > MAX_WEB_TOKEN_CHARS:
            return None
        try:
            payload = self._serializer.loads(token, max_age=self._max_age_s)
        except BadSignature:  # includes SignatureExpired
            return None
        conversation_id = payload.get("c") if isinstance(payload, dict) else None
        return conversation_id if isinstance(conversation_id, str) and conversation_id else None


def read_user_message(data: Any, *, max_chars: int) -> AcceptedMessage | Refusal:
    """Check one ``user_uttered`` payload from the widget; build the metadata server-side."""
    if not isinstance(data, dict):
        return Refusal("malformed", UNREADABLE)
    text = data.get("message")
    if not isinstance(text, str):
        return Refusal("malformed", UNREADABLE)
    if len(text) > max_chars:
        return Refusal("too_long", TOO_LONG.format(limit=f"{max_chars:,}"))
    text = _printable(text).strip()
    if not text:
        return Refusal("empty", EMPTY)
    metadata: WebChatMetadata = {"channel": CHANNEL_NAME}
    client_metadata = data.get("metadata")
    if isinstance(client_metadata, dict):
        token = client_metadata.get("web_token")
        if isinstance(token, str) and 0 < len(token) <= MAX_WEB_TOKEN_CHARS:
            metadata["web_token"] = token
    return AcceptedMessage(text=text, metadata=metadata)


def _printable(text: str) -> str:
    """``text`` without control and format characters (newlines and tabs become spaces)."""
    return "".join(
        " " if ch in "\t\r\n" else ch
        for ch in text
        if ch in "\t\r\n" or unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co")
    )


def origin_checker(allowed: tuple[str, ...]) -> Callable[[str | None], bool]:
    """A socket.io ``cors_allowed_origins`` callable for ``allowed`` (``host:*`` = any port)."""
    exact = {origin for origin in allowed if not origin.endswith(":*")}
    any_port = tuple(origin[:-1] for origin in allowed if origin.endswith(":*"))

    def allowed_origin(origin: str | None) -> bool:
        if not origin:
            return False
        if origin in exact:
            return True
        for prefix in any_port:
            port = origin[len(prefix) :]
            if origin.startswith(prefix) and port.isdigit():
                return True
        return False

    return allowed_origin


class WebChatOutput(SocketIOOutput):
    """Rasa's socket.io output, sent to the conversation's room, with our custom payloads.

    The buttons it sends are remembered (``offers``): their payloads are the only ``/...`` text
    the conversation may send back.
    """

    def __init__(self, sio: Any, bot_message_evt: str, offers: MenuMemory) -> None:
        super().__init__(sio, bot_message_evt)
        self._offers = offers

    @classmethod
    def name(cls) -> str:
        return CHANNEL_NAME

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        offered = [
            Button(title=str(b.get("title") or ""), payload=str(b.get("payload") or ""))
            for b in buttons
            if isinstance(b, dict)
        ]
        await self._offers.remember(recipient_id, number_choices(offered))
        await super().send_text_with_buttons(recipient_id, text, buttons, **kwargs)

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        # Rasa's version passes the payload's keys as emit() arguments; send it as data instead.
        await self._send_message(recipient_id, {"custom": json_message})


class WebChatInput(SocketIOInput):
    """The widget's socket.io channel (``channels.web_chat.WebChatInput`` in credentials.yml)."""

    @classmethod
    def name(cls) -> str:
        return CHANNEL_NAME

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        credentials = credentials or {}
        settings = load_settings()
        return cls(
            settings.web_chat,
            secret_key=settings.app_secret_key,
            socketio_path=credentials.get("socketio_path", "/socket.io"),
            store=build_ephemeral_store(settings.cache.redis_url),
            disclosure=ai_disclosure(
                settings.carrier_name, CHANNEL_NAME, wording=settings.disclosure.wording
            ),
        )

    def __init__(
        self,
        settings: WebChatSettings,
        *,
        secret_key: str,
        socketio_path: str = "/socket.io",
        store: EphemeralStore | None = None,
        disclosure: str | None = None,
    ) -> None:
        super().__init__(
            user_message_evt=USER_MESSAGE_EVENT,
            bot_message_evt=BOT_MESSAGE_EVENT,
            namespace=None,
            session_persistence=True,
            socketio_path=socketio_path,
        )
        self.settings = settings
        self.sessions = SessionTokens(secret_key, max_age_s=settings.session_max_age_s)
        self.store = store if store is not None else InMemoryEphemeralStore()
        self.offers = MenuMemory(self.store, "webchat")
        # Shown first in a new conversation (None: the channel was built without one, in tests).
        self.disclosure = disclosure
        self.server = RasaServer()

    def get_output_channel(self) -> OutputChannel | None:
        if self.sio is None:
            return None
        return WebChatOutput(self.sio, self.bot_message_evt, self.offers)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        sio = AsyncServer(
            async_mode="sanic",
            cors_allowed_origins=origin_checker(self.settings.allowed_origins),
            max_http_buffer_size=MAX_PACKET_BYTES,
        )
        self.sio = sio
        socket_blueprint = SocketBlueprint(sio, self.socketio_path, "web_chat_webhook", __name__)
        self.server.attach(socket_blueprint)
        handlers = _Handlers(self, sio, on_new_message)

        @socket_blueprint.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        sio.on("session_request", handlers.session_request)
        sio.on(self.user_message_evt, handlers.user_uttered)
        return socket_blueprint


class _Handlers:
    """The socket.io event handlers of one channel instance."""

    def __init__(
        self,
        channel: WebChatInput,
        sio: AsyncServer,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
    ) -> None:
        self._channel = channel
        self._sio = sio
        self._on_new_message = on_new_message

    async def _say(self, room: str, text: str) -> None:
        await self._sio.emit(BOT_MESSAGE_EVENT, {"text": text}, room=room)

    async def _offered_or_words(self, conversation_id: str, text: str) -> str:
        """``text`` as Rasa may read it: an offered button's payload, or words without a ``/``."""
        if not text.startswith("/"):
            return text
        offered = await self._channel.offers.recall(conversation_id)
        if any(text == option.payload for option in offered):
            return text
        return without_command_prefix(text)

    # Clients choose how many arguments an event carries: the handlers take any number (a
    # surplus used to raise TypeError inside python-socketio, unanswered, with a traceback).
    async def session_request(self, sid: str, data: Any = None, *_surplus: Any) -> None:
        token = data.get("session_token") if isinstance(data, dict) else None
        conversation_id = self._channel.sessions.conversation_of(token)
        resumed = conversation_id is not None
        if conversation_id is None:
            conversation_id, token = self._channel.sessions.mint()
        else:
            token = self._channel.sessions.token_for(conversation_id)  # a fresh timestamp
        await self._sio.save_session(sid, {"conversation_id": conversation_id})
        await self._sio.enter_room(sid, conversation_id)
        confirm: dict[str, Any] = {"session_token": token, "resumed": resumed}
        if not resumed and self._channel.disclosure:
            confirm["disclosure"] = self._channel.disclosure
        await self._sio.emit("session_confirm", confirm, room=sid)
        logger.debug("web chat session %s", "resumed" if resumed else "started")

    async def user_uttered(self, sid: str, data: Any = None, *surplus: Any) -> None:
        session = await self._sio.get_session(sid)
        conversation_id = session.get("conversation_id") if isinstance(session, dict) else None
        if not conversation_id:
            await self._say(sid, NO_SESSION)
            return
        # More than one argument is not a message the widget sends: refused as malformed.
        accepted = read_user_message(
            [data, *surplus] if surplus else data,
            max_chars=self._channel.settings.max_message_chars,
        )
        if isinstance(accepted, Refusal):
            logger.info("web chat message refused: %s", accepted.reason)
            await self._say(sid, accepted.text)
            return
        text = await self._offered_or_words(conversation_id, accepted.text)
        if not text:
            await self._say(sid, EMPTY)
            return
        output = WebChatOutput(self._sio, BOT_MESSAGE_EVENT, self._channel.offers)

        async def streamed(turn: TurnRequest) -> BotMessages:
            # The bot's messages reach the widget as Rasa sends them: nothing to collect.
            await self._on_new_message(
                UserMessage(
                    turn.text,
                    output,
                    turn.sender_id,
                    input_channel=turn.input_channel,
                    metadata=turn.metadata,
                )
            )
            return []

        # Every request of the message, one turn each; what it adds (a "next" line) is sent here.
        serve = self._channel.server.serving(streamed, self._channel.store)
        turn = TurnRequest(conversation_id, text, CHANNEL_NAME, dict(accepted.metadata))
        await self._sio.emit(TYPING_EVENT, {"typing": True}, room=conversation_id)
        try:
            for extra in await serve(turn):
                await output.send_response(conversation_id, extra)
        except Exception as exc:
            # The exception text may quote the message: log its type only.
            logger.error("web chat turn failed with %s", type(exc).__name__)
            await self._say(conversation_id, SOMETHING_WRONG)
        finally:
            await self._sio.emit(TYPING_EVENT, {"typing": False}, room=conversation_id)
