"""Twilio Voice as a Rasa input channel: ``POST /webhooks/twilio_voice/webhook``.

Registered in credentials.yml as ``channels.twilio_voice.TwilioVoiceInput:``. Each request is
signature-checked (same rules as SMS) before ``voice_calls.VoiceCalls`` answers it with TwiML.
``POST /webhooks/twilio_voice/whisper?ticket=…`` (checked the same way) is what an agent hears
before a transferred caller is connected (``voice_whisper.VoiceWhisper``).
The call's sequence number, hold polls and retry count travel in the query string of the URLs we
give Twilio; Twilio signs the full URL, so they cannot be forged either.
"""

from __future__ import annotations

from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.payments.ivr import voice_payment_hook
from bot.settings import load_settings
from channels.config import ChannelSettings
from channels.rasa_turns import (
    ConversationFacts,
    ConversationReader,
    OnNewMessage,
    TurnRunner,
    rasa_turn_runner,
    tracker_reader,
)
from channels.requests_in_a_message import RasaServer
from channels.resources import ChannelResources, process_resources
from channels.twilio_webhooks import first_value, read_signed_form, twiml
from channels.voice_calls import VoiceCalls, VoiceReplies, VoiceRequest
from channels.voice_twiml import VoicePaymentHook, VoiceTwiml
from channels.voice_whisper import VoiceWhisper

VOICE_WEBHOOK_PATH = "/webhooks/twilio_voice/webhook"
VOICE_WHISPER_PATH = "/webhooks/twilio_voice/whisper"
# Far beyond any real call; bounds what a query value can make us allocate or store.
MAX_SEQUENCE = 10_000


def _query_int(request: Request, name: str) -> int | None:
    raw = request.args.get(name)
    if raw is None or not raw.isdigit():
        return None
    return min(int(raw), MAX_SEQUENCE)


class TwilioVoiceInput(InputChannel):
    """Phone calls through Twilio Programmable Voice."""

    @classmethod
    def name(cls) -> str:
        return "twilio_voice"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        # Everything comes from the environment (channels.config); the credentials entry is empty.
        core = load_settings()
        settings = ChannelSettings.from_settings(core)
        # <Pay> on calls when TWILIO_PAY_CONNECTOR is set; otherwise pay links are texted.
        hook = voice_payment_hook(
            core.twilio_callback_base_url, core.stripe.twilio_pay_connector, settings.twilio
        )
        return cls(settings, resources=process_resources(settings), payment_hook=hook)

    def __init__(
        self,
        settings: ChannelSettings,
        resources: ChannelResources | None = None,
        *,
        turn_runner: TurnRunner | None = None,
        conversation_reader: ConversationReader | None = None,
        payment_hook: VoicePaymentHook | None = None,
    ) -> None:
        self.settings = settings
        self.resources = resources or ChannelResources.build(settings)
        self._turn_runner = turn_runner
        self._conversation_reader = conversation_reader
        self._payment_hook = payment_hook
        self._app: Any = None
        self._server = RasaServer()
        self.calls: VoiceCalls | None = None

    def get_output_channel(self) -> OutputChannel | None:
        # A call can only be spoken to while Twilio waits for our TwiML.
        return None

    async def _read_facts(self, sender_id: str) -> ConversationFacts:
        if self._conversation_reader is not None:
            return await self._conversation_reader(sender_id)
        return await tracker_reader(self._app)(sender_id)

    def build_twiml(self) -> VoiceTwiml:
        """The TwiML builder, whose transfers point the agent's leg at the whisper endpoint."""
        base = self.settings.public_webhook_base_url or ""
        return VoiceTwiml(
            self.settings.voice,
            contact_centre_phone=self.settings.contact_centre_phone,
            claims_phone=self.settings.claims_phone,
            whisper_url=base + VOICE_WHISPER_PATH,
        )

    def build_calls(self, on_new_message: OnNewMessage) -> VoiceCalls:
        """The call flow, wired to Rasa through ``on_new_message``."""
        base = self.settings.public_webhook_base_url or ""
        return VoiceCalls(
            twiml=self.build_twiml(),
            voice=self.settings.voice,
            store=self.resources.store,
            run_turn=self._turn_runner
            or self._server.serving(
                rasa_turn_runner(on_new_message), self.resources.store, read_facts=self._read_facts
            ),
            read_facts=self._read_facts,
            sender=self.resources.sender,
            replies=VoiceReplies.for_carrier(self.settings.carrier_name, self.settings.disclosure),
            webhook_url=base + VOICE_WEBHOOK_PATH,
            payment_hook=self._payment_hook,
        )

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        calls = self.build_calls(on_new_message)
        self.calls = calls
        whispers = VoiceWhisper(self.build_twiml(), self.resources.engine)
        voice = Blueprint("twilio_voice_webhook", __name__)
        self._server.attach(voice)

        @voice.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @voice.route("/webhook", methods=["POST"])
        async def incoming(request: Request) -> HTTPResponse:
            form, refusal = read_signed_form(request, self.settings)
            if refusal is not None:
                return refusal
            assert form is not None
            call_sid = first_value(form, "CallSid")
            if not call_sid:
                return response.text("missing CallSid", status=400)
            self._app = request.app
            answer = await calls.respond(
                VoiceRequest(
                    call_sid=call_sid,
                    caller=first_value(form, "From"),
                    seq=_query_int(request, "seq"),
                    poll=_query_int(request, "poll") or 0,
                    misses=_query_int(request, "miss") or 0,
                    digits=first_value(form, "Digits"),
                    speech=first_value(form, "SpeechResult"),
                    call_status=first_value(form, "CallStatus"),
                )
            )
            return twiml(answer)

        @voice.route("/whisper", methods=["POST"])
        async def whisper(request: Request) -> HTTPResponse:
            _, refusal = read_signed_form(request, self.settings)
            if refusal is not None:
                return refusal
            return twiml(await whispers.respond(request.args.get("ticket")))

        return voice
