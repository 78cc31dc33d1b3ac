"""Outbound SMS behind one interface: ``SmsSender.send_sms(to, body, media_url=None)``.

Two senders, chosen by ``create_sms_sender`` from the configuration:

- ``TwilioSmsSender``: the Twilio REST API, through a ``TwilioHttpClient`` with an explicit
  timeout (it has none by default) and connection-level retries only (a POST that reached Twilio
  is never repeated: it would send the message twice).
- ``OutboxSmsSender``: the local outbox table (no account needed), read by the simulators.

Both enforce the suppression list: ``send_sms`` to an opted-out number sends nothing and says so
in its result. The only way past it is ``send_compliance_reply``, for the single opt-out
confirmation and HELP answers, which carriers require even for opted-out numbers.

Sending blocks (HTTP or a DB write): async callers use ``await asyncio.to_thread(sender.send_sms,
...)``.
"""

from __future__ import annotations

import abc
import logging
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import insert
from sqlalchemy.engine import Engine
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http import HttpClient
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from bot.clock import Clock, utc_now
from bot.db import make_engine
from bot.notifications.outbox import sms_outbox
from bot.notifications.suppression import SuppressionList
from bot.phone_numbers import phone_hint, to_e164
from bot.settings import TwilioSettings

log = logging.getLogger("bot.notifications.sms")

# Twilio REST error: the recipient replied STOP to this sender (the carrier blocks us).
TWILIO_UNSUBSCRIBED_RECIPIENT = 21610
# Connection-level retries of the REST client (never a retry of a request Twilio received).
TWILIO_CONNECT_RETRIES = 2

SendStatus = Literal["sent", "queued", "suppressed", "invalid_number", "failed"]


@dataclass(frozen=True)
class SmsSendResult:
    """What happened to one message."""

    status: SendStatus
    # Twilio's message sid, or ``outbox:<id>`` for the local outbox.
    message_id: str | None = None
    error_code: int | None = None

    @property
    def accepted(self) -> bool:
        """True when the message is on its way (Twilio accepted it, or it is in the outbox)."""
        return self.status in ("sent", "queued")


class SmsSender(abc.ABC):
    """The outbound SMS port. Subclasses deliver; this class enforces the suppression list."""

    def __init__(self, suppression: SuppressionList) -> None:
        self.suppression = suppression

    def send_sms(self, to: str, body: str, media_url: str | None = None) -> SmsSendResult:
        """Send ``body`` (and ``media_url`` as MMS) to ``to`` unless the number opted out."""
        e164 = to_e164(to)
        if e164 is None:
            return SmsSendResult("invalid_number")
        if self.suppression.is_suppressed(e164):
            log.info("sms not sent: recipient %s opted out", phone_hint(e164))
            return SmsSendResult("suppressed")
        return self._deliver(e164, body, media_url)

    def send_compliance_reply(self, to: str, body: str) -> SmsSendResult:
        """Send an opt-out confirmation or HELP answer, even to an opted-out number.

        Only for those two replies (CTIA): anything else goes through ``send_sms``.
        """
        e164 = to_e164(to)
        if e164 is None:
            return SmsSendResult("invalid_number")
        return self._deliver(e164, body, None)

    @abc.abstractmethod
    def _deliver(self, to: str, body: str, media_url: str | None) -> SmsSendResult:
        """Hand one message to the transport. ``to`` is E.164."""


class OutboxSmsSender(SmsSender):
    """Writes messages to the local outbox table (the stand-in for Twilio)."""

    def __init__(
        self,
        engine: Engine,
        suppression: SuppressionList,
        *,
        clock: Clock = utc_now,
    ) -> None:
        super().__init__(suppression)
        self._engine = engine
        self._clock = clock

    def _deliver(self, to: str, body: str, media_url: str | None) -> SmsSendResult:
        with self._engine.begin() as conn:
            result = conn.execute(
                insert(sms_outbox).values(
                    to_number=to,
                    body=body,
                    media_url=media_url,
                    created_at=self._clock(),
                    status="queued",
                )
            )
            new_id = result.inserted_primary_key[0]
        return SmsSendResult("queued", message_id=f"outbox:{new_id}")


class TwilioSmsSender(SmsSender):
    """Sends through the Twilio REST API (Messages resource)."""

    def __init__(
        self,
        settings: TwilioSettings,
        suppression: SuppressionList,
        *,
        status_callback_url: str | None = None,
        http_client: HttpClient | None = None,
    ) -> None:
        super().__init__(suppression)
        if not settings.rest_configured:
            raise ValueError("TwilioSmsSender needs TWILIO_ACCOUNT_SID and TWILIO_FROM_NUMBER")
        # The client logs request URLs and query strings at INFO; keep that out of our logs.
        logging.getLogger("twilio.http_client").setLevel(logging.WARNING)
        self._from = settings.from_number
        self._status_callback_url = status_callback_url
        self._client = Client(
            settings.account_sid,
            settings.auth_token,
            http_client=http_client
            or TwilioHttpClient(
                timeout=settings.http_timeout_s, max_retries=TWILIO_CONNECT_RETRIES
            ),
        )

    def _deliver(self, to: str, body: str, media_url: str | None) -> SmsSendResult:
        params: dict[str, object] = {"to": to, "from_": self._from, "body": body}
        if media_url:
            params["media_url"] = [media_url]
        if self._status_callback_url:
            params["status_callback"] = self._status_callback_url
        try:
            message = self._client.messages.create(**params)
        except TwilioRestException as exc:
            log.warning("twilio refused an sms to %s: error %s (HTTP %s)",
                        phone_hint(to), exc.code, exc.status)  # fmt: skip
            if exc.code == TWILIO_UNSUBSCRIBED_RECIPIENT:
                # The recipient opted out at the carrier: remember it so we stop trying.
                self.suppression.opt_out(to, "carrier")
                return SmsSendResult("suppressed", error_code=exc.code)
            return SmsSendResult("failed", error_code=exc.code)
        except (TwilioException, OSError) as exc:
            log.warning("twilio sms to %s failed: %s", phone_hint(to), type(exc).__name__)
            return SmsSendResult("failed")
        return SmsSendResult("sent", message_id=message.sid)


def create_sms_sender(
    twilio: TwilioSettings,
    *,
    database_url: str | None = None,
    engine: Engine | None = None,
    identifier_key: str,
    status_callback_url: str | None = None,
    http_client: HttpClient | None = None,
) -> SmsSender:
    """The configured sender: Twilio REST when its credentials are set, else the local outbox.

    ``identifier_key`` keys the suppression list (``Settings.audit_hash_key``).
    """
    if engine is None:
        if not database_url:
            raise ValueError("create_sms_sender needs an engine or a database_url")
        engine = make_engine(database_url)
    suppression = SuppressionList(engine, identifier_key)
    if twilio.rest_configured:
        return TwilioSmsSender(
            twilio,
            suppression,
            status_callback_url=status_callback_url,
            http_client=http_client,
        )
    return OutboxSmsSender(engine, suppression)
