"""Outbound e-mail behind one interface: ``EmailSender.send_email(to, subject, body)``.

- ``SmtpEmailSender``: the carrier's SMTP relay through the standard library (``smtplib`` and
  ``email.message.EmailMessage``), STARTTLS or implicit TLS, login when a user is set, and a
  timeout. One connection per message: alerts are few, and a relay may drop idle connections.
- ``OutboxEmailSender``: the local ``email_outbox`` table, when no SMTP host is configured. Like
  the SMS outbox it stores the address, because its only readers are local tools; production
  refuses to start without an SMTP host (``create_email_sender``).

Sending blocks: async callers use ``await asyncio.to_thread(sender.send_email, ...)``.
"""

from __future__ import annotations

import abc
import logging
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from typing import Literal

from sqlalchemy import Column, DateTime, Integer, String, Table, Text, insert, select
from sqlalchemy.engine import Engine

from bot.clock import Clock, utc_now
from bot.db import metadata
from bot.settings import ConfigurationError, SmtpSettings

log = logging.getLogger("bot.notifications.email")

EmailStatus = Literal["sent", "queued", "invalid_address", "failed"]

email_outbox = Table(
    "email_outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("to_address", String(254), nullable=False, index=True),
    Column("subject", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)


@dataclass(frozen=True)
class EmailSendResult:
    """What happened to one e-mail."""

    status: EmailStatus
    # The Message-ID we gave it, or ``outbox:<id>`` for the local outbox.
    message_id: str | None = None

    @property
    def accepted(self) -> bool:
        """True when the relay accepted it or it is in the outbox."""
        return self.status in ("sent", "queued")


@dataclass(frozen=True)
class OutboxEmail:
    """One e-mail in the local outbox."""

    id: int
    to: str
    subject: str
    body: str
    created_at: datetime


def is_plausible_address(address: str) -> bool:
    """A single ``local@domain`` address with no display name, spaces or header breaks."""
    name, parsed = parseaddr(address)
    return (
        not name
        and parsed == address
        and address.count("@") == 1
        and "." in address.rsplit("@", 1)[1]
        and not any(ch.isspace() for ch in address)
    )


def address_hint(address: str) -> str:
    """Safe for logs: the domain only (``***@example.com``)."""
    return "***@" + address.rsplit("@", 1)[-1] if "@" in address else "***"


class EmailSender(abc.ABC):
    """The outbound e-mail port."""

    def send_email(self, to: str, subject: str, body: str) -> EmailSendResult:
        """Send a plain-text e-mail to one address."""
        if not is_plausible_address(to):
            return EmailSendResult("invalid_address")
        return self._deliver(to, subject, body)

    @abc.abstractmethod
    def _deliver(self, to: str, subject: str, body: str) -> EmailSendResult:
        """Hand one message to the transport."""


class OutboxEmailSender(EmailSender):
    """Writes e-mails to the local outbox table (the stand-in for an SMTP relay)."""

    def __init__(self, engine: Engine, *, clock: Clock = utc_now) -> None:
        self._engine = engine
        self._clock = clock

    def _deliver(self, to: str, subject: str, body: str) -> EmailSendResult:
        with self._engine.begin() as conn:
            result = conn.execute(
                insert(email_outbox).values(
                    to_address=to, subject=subject, body=body, created_at=self._clock()
                )
            )
            new_id = result.inserted_primary_key[0]
        return EmailSendResult("queued", message_id=f"outbox:{new_id}")


class SmtpEmailSender(EmailSender):
    """Sends through an SMTP relay."""

    def __init__(self, settings: SmtpSettings) -> None:
        if not settings.host:
            raise ValueError("SmtpEmailSender needs SMTP_HOST")
        self._settings = settings
        _, sender = parseaddr(settings.sender)
        if not is_plausible_address(sender):
            raise ConfigurationError(f"SMTP_FROM has no valid address: {settings.sender!r}")
        self._domain = sender.rsplit("@", 1)[1]

    def build_message(self, to: str, subject: str, body: str) -> EmailMessage:
        """The MIME message (plain text, UTF-8) with our Message-ID."""
        message = EmailMessage()
        message["From"] = self._settings.sender
        message["To"] = Address(addr_spec=to)
        message["Subject"] = subject
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = make_msgid(domain=self._domain)
        message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies to alerts
        message.set_content(body)
        return message

    def _connect(self) -> smtplib.SMTP:
        s = self._settings
        assert s.host is not None
        if s.security == "ssl":
            return smtplib.SMTP_SSL(
                s.host, s.port, timeout=s.timeout_s, context=ssl.create_default_context()
            )
        client = smtplib.SMTP(s.host, s.port, timeout=s.timeout_s)
        if s.security == "starttls":
            client.starttls(context=ssl.create_default_context())
        return client

    def _deliver(self, to: str, subject: str, body: str) -> EmailSendResult:
        message = self.build_message(to, subject, body)
        try:
            with self._connect() as client:
                if self._settings.user:
                    client.login(self._settings.user, self._settings.password or "")
                refused = client.send_message(message)
        except (smtplib.SMTPException, OSError) as exc:
            log.warning("smtp e-mail to %s failed: %s", address_hint(to), type(exc).__name__)
            return EmailSendResult("failed")
        if refused:
            log.warning("smtp relay refused %s", address_hint(to))
            return EmailSendResult("failed")
        return EmailSendResult("sent", message_id=str(message["Message-ID"]))


def create_email_sender(smtp: SmtpSettings, engine: Engine, *, local: bool) -> EmailSender:
    """SMTP when ``SMTP_HOST`` is set; the local outbox otherwise, in local/test only.

    Outside local and test a missing SMTP host is a configuration error: silently parking
    policyholders' e-mails in a table would lose them.
    """
    if smtp.host:
        return SmtpEmailSender(smtp)
    if not local:
        raise ConfigurationError("SMTP_HOST must be set when POLICYLINE_ENV is not local")
    return OutboxEmailSender(engine)


def read_email_outbox(engine: Engine, *, to: str | None = None) -> list[OutboxEmail]:
    """Every e-mail in the local outbox (for one address when ``to`` is set), oldest first."""
    query = select(email_outbox).order_by(email_outbox.c.id)
    if to is not None:
        query = query.where(email_outbox.c.to_address == to)
    with engine.connect() as conn:
        rows = conn.execute(query).mappings().all()
    return [
        OutboxEmail(row["id"], row["to_address"], row["subject"], row["body"], row["created_at"])
        for row in rows
    ]
