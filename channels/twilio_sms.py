"""Twilio SMS as a Rasa input channel: ``POST /webhooks/twilio_sms/webhook`` and ``/status``.

Registered in credentials.yml as ``channels.twilio_sms.TwilioSmsInput:``. Each incoming text is
signature-checked, de-duplicated by ``MessageSid`` (Twilio retries carry the same sid), and
acknowledged at once with an empty ``<Response/>``; the turn runs in a background task and the
answer goes out through the outbound SMS sender, so slow PAS work never holds Twilio's webhook.
Status callbacks are signed too and recorded without PII.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.twiml.messaging_response import MessagingResponse

from bot.notifications.delivery_status import record_delivery_status
from channels.config import ChannelSettings, load_channel_settings
from channels.ephemeral_store import claim_once
from channels.menu_choices import MenuMemory
from channels.rasa_turns import OnNewMessage, TurnRunner, rasa_turn_runner
from channels.resources import ChannelResources
from channels.sms_service import InboundSms, SmsConversations, SmsReplies
from channels.twilio_webhooks import first_value, read_signed_form, twiml

log = logging.getLogger("channels.sms")

# Twilio may retry a webhook; a day is far beyond any retry.
MESSAGE_SID_TTL_S = 24 * 3600


def _int_or_zero(raw: str | None) -> int:
    try:
        return max(0, int(raw or "0"))
    except ValueError:
        return 0


class TwilioSmsInput(InputChannel):
    """Two-way SMS through Twilio."""

    @classmethod
    def name(cls) -> str:
        return "twilio_sms"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        # Everything comes from the environment (channels.config); the credentials entry is empty.
        return cls(load_channel_settings())

    def __init__(
        self,
        settings: ChannelSettings,
        resources: ChannelResources | None = None,
        *,
        turn_runner: TurnRunner | None = None,
    ) -> None:
        self.settings = settings
        self.resources = resources or ChannelResources.build(settings)
        self._turn_runner = turn_runner
        self._tasks: set[asyncio.Task[Any]] = set()

    def get_output_channel(self) -> OutputChannel | None:
        # Rasa-initiated messages would carry only the hashed conversation id, not a number:
        # proactive texts go through bot.notifications instead.
        return None

    def conversations(self, on_new_message: OnNewMessage) -> SmsConversations:
        """The channel logic, wired to Rasa through ``on_new_message``."""
        return SmsConversations(
            sender=self.resources.sender,
            suppression=self.resources.suppression,
            run_turn=self._turn_runner or rasa_turn_runner(on_new_message),
            menus=MenuMemory(self.resources.store, "sms"),
            identifier_key=self.settings.identifier_key,
            replies=SmsReplies.for_carrier(
                self.settings.carrier_name, self.settings.contact_centre_phone
            ),
            part_chars=self.settings.sms_part_chars,
            claim_keywords=self.resources.claim_keywords,
        )

    def _spawn(self, coro: Any) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            exc = task.exception()
            log.error("sms background turn crashed: %s", type(exc).__name__, exc_info=exc)

    async def drain(self) -> None:
        """Wait for every background turn started so far (tests and graceful shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        conversations = self.conversations(on_new_message)
        sms = Blueprint("twilio_sms_webhook", __name__)

        @sms.listener("before_server_stop")
        async def finish_turns(*_: Any) -> None:
            # Each text was acknowledged to Twilio before its turn ran: a restart must let the
            # turns in flight send their replies, or those texts are never answered (tests/faults).
            await self.drain()

        @sms.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sms.route("/webhook", methods=["POST"])
        async def incoming(request: Request) -> HTTPResponse:
            form, refusal = read_signed_form(request, self.settings)
            if refusal is not None:
                return refusal
            assert form is not None
            message_sid = first_value(form, "MessageSid") or first_value(form, "SmsSid")
            sender = first_value(form, "From")
            if not message_sid or not sender:
                return response.text("missing MessageSid or From", status=400)
            ack = twiml(str(MessagingResponse()))
            if not await claim_once(
                self.resources.store, f"sms:sid:{message_sid}", MESSAGE_SID_TTL_S
            ):
                log.info("sms %s is a retry: already handled", message_sid)
                return ack
            inbound = InboundSms(
                message_sid=message_sid,
                from_number=sender,
                body=first_value(form, "Body"),
                num_media=_int_or_zero(first_value(form, "NumMedia")),
            )
            self._spawn(conversations.handle(inbound))
            return ack

        @sms.route("/status", methods=["POST"])
        async def status(request: Request) -> HTTPResponse:
            form, refusal = read_signed_form(request, self.settings)
            if refusal is not None:
                return refusal
            assert form is not None
            message_sid = first_value(form, "MessageSid") or first_value(form, "SmsSid")
            state = first_value(form, "MessageStatus") or first_value(form, "SmsStatus")
            if not message_sid or not state:
                return response.text("missing MessageSid or MessageStatus", status=400)
            error_code = _int_or_zero(first_value(form, "ErrorCode")) or None
            await asyncio.to_thread(
                record_delivery_status, self.resources.engine, message_sid, state, error_code
            )
            return response.empty()

        return sms
