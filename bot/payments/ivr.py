"""Payments on a call: Twilio ``<Pay>`` tokenises the card, the payment service charges it.

The voice channel asks its ``VoicePaymentHook`` for a verb when the bot sends a pay link;
``StripePayVerbs.pay_verb`` answers with ``<Pay>``: the Stripe connector named by
``TWILIO_PAY_CONNECTOR``, ``tokenType="payment-method"`` and no ``chargeAmount`` (Twilio only
tokenises; we charge the PaymentIntent of the pay link, so a call and the pay page share one
payment and the amount is checked against the balance at that moment). The caller keys the card
into Twilio, never into us; ``<Pay>`` keeps the digits out of Twilio's recording, and when a call
recording is running we also pause it through the REST API (``CallRecordings``) and resume it in
the action callback.

The action callback (``POST /stripe/ivr/pay/<token>`` on the web app, Twilio-signed) hands the
token to ``PaymentService.pay_by_phone`` and answers with ``after_pay_twiml``. A callback for a
call that has ended (``call_has_ended``: Twilio posts, or retries, the action after a hang-up)
charges nothing: nobody would hear the outcome, and the link stays open to pay later.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlencode

from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http import HttpClient
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client
from twilio.twiml.voice_response import Pay, VoiceResponse

from bot.settings import TwilioSettings

log = logging.getLogger("bot.payments.ivr")

MAX_PAY_ATTEMPTS = 2
PAY_TIMEOUT_S = 8
CALLBACK_PATH = "/stripe/ivr/pay"
LANGUAGE = "en-US"
# Twilio's CallStatus values for a call that is over.
ENDED_CALL_STATUSES = frozenset({"completed", "canceled", "failed", "busy", "no-answer"})


class PayLinkLike(Protocol):
    """What the voice channel's pay link gives us (``channels.bot_messages.PayLink``)."""

    @property
    def url(self) -> str: ...


def token_of(url: str) -> str | None:
    """The pay link token in a pay page URL (``.../pay/<token>``)."""
    if "/pay/" not in url:
        return None
    token = url.rsplit("/pay/", 1)[1].split("?", 1)[0].strip("/")
    return token or None


def call_has_ended(call_status: str | None) -> bool:
    """Whether a Twilio request's ``CallStatus`` says the call is over."""
    return (call_status or "").strip().lower() in ENDED_CALL_STATUSES


def callback_url(public_base_url: str, token: str, attempt: int) -> str:
    return f"{public_base_url.rstrip('/')}{CALLBACK_PATH}/{token}?{urlencode({'attempt': attempt})}"


def pay_verb(public_base_url: str, connector: str, token: str, attempt: int = 1) -> Pay:
    """``<Pay>`` that tokenises a card for the pay link ``token`` (no charge by Twilio)."""
    return Pay(
        input="dtmf",
        action=callback_url(public_base_url, token, attempt),
        method="POST",
        payment_connector=connector,
        token_type="payment-method",  # noqa: S106 (a <Pay> attribute, not a secret)
        payment_method="credit-card",
        security_code=True,
        postal_code=True,
        timeout=PAY_TIMEOUT_S,
        max_attempts=MAX_PAY_ATTEMPTS,
        language=LANGUAGE,
        description="Insurance premium payment",
    )


class CallRecordings:
    """Pause and resume a call's recording through the Twilio REST API (when one is running)."""

    def __init__(self, twilio: TwilioSettings, http_client: HttpClient | None = None) -> None:
        self._client = Client(
            twilio.account_sid,
            twilio.auth_token,
            http_client=http_client or TwilioHttpClient(timeout=twilio.http_timeout_s),
        )

    def pause(self, call_sid: str) -> bool:
        return self._update(call_sid, status="paused", pause_behavior="skip")

    def resume(self, call_sid: str) -> bool:
        return self._update(call_sid, status="in-progress")

    def _update(self, call_sid: str, **params: str) -> bool:
        try:
            self._client.calls(call_sid).recordings("Twilio.CURRENT").update(**params)
        except TwilioRestException as exc:
            if exc.status == 404:  # no recording on this call: nothing to pause
                return False
            log.warning("call recording %s failed: %s", params.get("status"), exc.code)
            return False
        except (TwilioException, OSError) as exc:
            log.warning("call recording %s failed: %s", params.get("status"), type(exc).__name__)
            return False
        return True

    def in_background(self, action: str, call_sid: str) -> threading.Thread:
        """Run ``pause`` / ``resume`` off the request thread (the TwiML must not wait)."""
        thread = threading.Thread(
            target=getattr(self, action), args=(call_sid,), name=f"recording-{action}", daemon=True
        )
        thread.start()
        return thread


class StripePayVerbs:
    """The voice channel's payment hook: ``<Pay>`` for pay links on calls."""

    def __init__(
        self, public_base_url: str, connector: str, recordings: CallRecordings | None = None
    ) -> None:
        self._base_url = public_base_url
        self._connector = connector
        self._recordings = recordings

    def pay_verb(self, link: PayLinkLike, call_sid: str) -> Pay | None:
        token = token_of(link.url)
        if token is None:
            return None
        if self._recordings is not None:
            self._recordings.in_background("pause", call_sid)
        return pay_verb(self._base_url, self._connector, token)


@dataclass(frozen=True)
class AfterPay:
    """What the call does after ``<Pay>``: say ``message``, then retry or hang up."""

    message: str
    retry_attempt: int | None = None


def empty_twiml() -> str:
    """Nothing more to do on the call (it has ended)."""
    return str(VoiceResponse())


def after_pay_twiml(after: AfterPay, public_base_url: str, connector: str, token: str) -> str:
    response = VoiceResponse()
    response.say(after.message, language=LANGUAGE)
    if after.retry_attempt is not None:
        response.append(pay_verb(public_base_url, connector, token, after.retry_attempt))
        return str(response)
    response.say("Thank you for calling. Goodbye.", language=LANGUAGE)
    response.hangup()
    return str(response)


def voice_payment_hook(
    public_base_url: str, connector: str, twilio: TwilioSettings
) -> StripePayVerbs | None:
    """The hook for the voice channel, or None (pay links are texted) when no connector is set."""
    if not connector:
        return None
    recordings = CallRecordings(twilio) if twilio.rest_configured else None
    return StripePayVerbs(public_base_url, connector, recordings)
