"""Twilio SMS as a Rasa input channel: ``POST /webhooks/twilio_sms/webhook`` and ``/status``.

Registered in credentials.yml as ``channels.twilio_sms.TwilioSmsInput:``. Each incoming text is
signature-checked, de-duplicated by ``MessageSid`` (Twilio retries carry the same sid), and
acknowledged at once with an empty ``<Response/>``; the turn runs in a background task and the
answer goes out through the outbound SMS sender, so slow PAS work never holds Twilio's webhook.
Status callbacks are signed too and recorded without PII.

An acknowledged text is ours to answer, so it is kept (sealed) in the app database until its
answer is out (``channels.sms_inbox``). On SIGTERM the server stops taking texts (503 with
``Retry-After``, before the ``MessageSid`` is claimed, so Twilio's retry is handled in full),
waits up to ``SHUTDOWN_GRACE_S`` for the turns in flight, and leaves the rest for the next start,
which answers them; after a crash the leases run out and the same happens.
``GET /webhooks/twilio_sms/`` answers 200 only when the model is loaded and the server is not
stopping (the supervisor's readiness check, and a load balancer's).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.exc import SQLAlchemyError
from twilio.twiml.messaging_response import MessagingResponse

from bot.conversation.answers.small_talk import ai_disclosure
from bot.lifecycle import (
    RETRY_AFTER_S,
    SHUTDOWN_GRACE_S,
    ignore_repeated_stop_signals,
    skip_final_collection,
)
from bot.notifications.delivery_status import record_delivery_status
from channels.config import ChannelSettings, load_channel_settings
from channels.ephemeral_store import claim_once
from channels.first_reply import FirstReplyDisclosure
from channels.menu_choices import MenuMemory
from channels.rasa_turns import OnNewMessage, TurnRunner, rasa_turn_runner
from channels.requests_in_a_message import RasaServer
from channels.resources import ChannelResources, process_resources
from channels.sms_inbox import SWEEP_INTERVAL_S, SmsInbox
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
        settings = load_channel_settings()
        return cls(settings, resources=process_resources(settings))

    def __init__(
        self,
        settings: ChannelSettings,
        resources: ChannelResources | None = None,
        *,
        turn_runner: TurnRunner | None = None,
        inbox: SmsInbox | None = None,
        drain_timeout_s: float = SHUTDOWN_GRACE_S,
        sweep_interval_s: float = SWEEP_INTERVAL_S,
    ) -> None:
        self.settings = settings
        self.resources = resources or ChannelResources.build(settings)
        self._turn_runner = turn_runner
        self._server = RasaServer()
        self.inbox = inbox or SmsInbox(self.resources.engine, settings.tracker_encryption_key)
        # Background turns, with the MessageSid each answers.
        self._tasks: dict[asyncio.Task[Any], str] = {}
        self._drain_timeout_s = drain_timeout_s
        self._sweep_interval_s = sweep_interval_s
        self._stopping = asyncio.Event()
        self._sweeper: asyncio.Task[None] | None = None

    def get_output_channel(self) -> OutputChannel | None:
        # Rasa-initiated messages would carry only the hashed conversation id, not a number:
        # proactive texts go through bot.notifications instead.
        return None

    def conversations(self, on_new_message: OnNewMessage) -> SmsConversations:
        """The channel logic, wired to Rasa through ``on_new_message``."""
        return SmsConversations(
            sender=self.resources.sender,
            suppression=self.resources.suppression,
            run_turn=self._turn_runner
            or self._server.serving(rasa_turn_runner(on_new_message), self.resources.store),
            menus=MenuMemory(self.resources.store, "sms"),
            identifier_key=self.settings.identifier_key,
            replies=SmsReplies.for_carrier(
                self.settings.carrier_name, self.settings.contact_centre_phone
            ),
            part_chars=self.settings.sms_part_chars,
            claim_keywords=self.resources.claim_keywords,
            disclosure=FirstReplyDisclosure(
                ai_disclosure(
                    self.settings.carrier_name, "sms", wording=self.settings.disclosure.wording
                ),
                self.resources.store,
                "sms",
            ),
        )

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    def _spawn(self, coro: Any, message_sid: str) -> None:
        task = asyncio.create_task(coro)
        self._tasks[task] = message_sid
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._tasks.pop(task, None)
        if not task.cancelled() and task.exception() is not None:
            exc = task.exception()
            log.error("sms background turn crashed: %s", type(exc).__name__, exc_info=exc)

    async def drain(self, timeout_s: float | None = None) -> list[str]:
        """Wait for the background turns (those started meanwhile too), at most ``timeout_s``.

        Returns the MessageSids of the turns still running (none without a timeout).
        """
        loop = asyncio.get_running_loop()
        deadline = None if timeout_s is None else loop.time() + timeout_s
        while True:
            running = [task for task in self._tasks if not task.done()]
            if not running:
                return []
            remaining = None if deadline is None else deadline - loop.time()
            if remaining is not None and remaining <= 0:
                return [self._tasks[task] for task in running]
            await asyncio.wait(running, timeout=remaining)

    async def stop_gracefully(self) -> None:
        """Take no more texts, finish the turns in flight in time, keep the rest for later."""
        self._stopping.set()
        if self._sweeper is not None:
            await asyncio.gather(self._sweeper, return_exceptions=True)
        began = asyncio.get_running_loop().time()
        unfinished = await self.drain(self._drain_timeout_s)
        took = asyncio.get_running_loop().time() - began
        if not unfinished:
            log.info("sms: every accepted text answered before stopping (%.1f s)", took)
            return
        try:
            await asyncio.to_thread(self.inbox.release, unfinished)
        except SQLAlchemyError as exc:
            log.error("sms: %d texts unanswered and not released (%s): answered when their "
                      "leases run out", len(unfinished), type(exc).__name__)  # fmt: skip
            return
        log.warning("sms: %d accepted texts unanswered after %.0f s: kept for the next start",
                    len(unfinished), took)  # fmt: skip

    async def _answer(self, conversations: SmsConversations, inbound: InboundSms) -> None:
        await conversations.handle(inbound)
        await self._forget(inbound.message_sid)

    async def _apologise(self, conversations: SmsConversations, inbound: InboundSms) -> None:
        await conversations.apologise(inbound)
        await self._forget(inbound.message_sid)

    async def _keep(self, inbound: InboundSms) -> bool:
        """Store the text until answered; False when another server keeps it already."""
        try:
            return await asyncio.to_thread(self.inbox.accept, inbound)
        except SQLAlchemyError as exc:
            # Answer it all the same; only a stop before the answer could lose it now.
            log.error("sms %s not kept for replay: %s", inbound.message_sid, type(exc).__name__)
            return True

    async def _forget(self, message_sid: str) -> None:
        try:
            await asyncio.to_thread(self.inbox.done, message_sid)
        except SQLAlchemyError as exc:
            log.error("sms %s answered but still kept: %s", message_sid, type(exc).__name__)

    async def _sweep(self, conversations: SmsConversations) -> None:
        """Answer texts other runs accepted and left (at start, then every few seconds)."""
        while not self.stopping:
            try:
                await asyncio.to_thread(self.inbox.renew, list(self._tasks.values()))
                claimed = await asyncio.to_thread(self.inbox.claim_due)
            except SQLAlchemyError as exc:
                log.warning("sms inbox sweep failed: %s", type(exc).__name__)
            else:
                if claimed.answer:
                    log.info("sms: answering %d texts accepted before a restart",
                             len(claimed.answer))  # fmt: skip
                for inbound in claimed.answer:
                    self._spawn(self._answer(conversations, inbound), inbound.message_sid)
                for inbound in claimed.give_up:
                    self._spawn(self._apologise(conversations, inbound), inbound.message_sid)
            try:
                await asyncio.wait_for(self._stopping.wait(), timeout=self._sweep_interval_s)
            except asyncio.TimeoutError:
                pass

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        conversations = self.conversations(on_new_message)
        sms = Blueprint("twilio_sms_webhook", __name__)
        self._server.attach(sms)

        @sms.listener("after_server_start")
        async def answer_waiting_texts(*_: Any) -> None:
            self._sweeper = asyncio.create_task(self._sweep(conversations))

        @sms.listener("before_server_stop")
        async def finish_turns(_: Sanic, loop: asyncio.AbstractEventLoop) -> None:
            # Each text was acknowledged to Twilio before its turn ran: a restart must let the
            # turns in flight send their replies, or keep them for the next start (tests/faults).
            # This channel is the Rasa server's only hook into its own stop (bot.lifecycle).
            in_rasa = not Sanic.test_mode
            if in_rasa:
                ignore_repeated_stop_signals(loop)
            await self.stop_gracefully()
            if in_rasa:
                skip_final_collection()  # the model's final GC pass took 8 s

        @sms.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            agent = getattr(request.app.ctx, "agent", None)
            if self.stopping or agent is None or not agent.is_ready():
                return response.json({"status": "unavailable"}, status=503)
            return response.json({"status": "ok"})

        @sms.route("/webhook", methods=["POST"])
        async def incoming(request: Request) -> HTTPResponse:
            form, refusal = read_signed_form(request, self.settings)
            if refusal is not None:
                return refusal
            assert form is not None
            if self.stopping:
                # Before the MessageSid is claimed: Twilio's retry (or a peer) gets it in full.
                return response.text(
                    "stopping; retry", status=503, headers={"Retry-After": str(RETRY_AFTER_S)}
                )
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
            if await self._keep(inbound):
                self._spawn(self._answer(conversations, inbound), message_sid)
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
