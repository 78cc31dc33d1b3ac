"""The SMS suppression list: numbers that opted out (STOP and plain-language opt-outs).

A row per opted-out number, keyed by a keyed digest of the number (``bot.keyed_digest``
with purpose ``sms-suppression``), so the table never holds a phone number. Every ``SmsSender``
checks it before sending; START / UNSTOP removes the row.

The key is the application's identifier-hashing key (``AUDIT_HASH_KEY``): rotating it orphans the
existing rows, so a rotation must re-key this table from the numbers Twilio reports as opted out.
"""

from __future__ import annotations

import logging
from typing import Literal

from sqlalchemy import Column, DateTime, String, Table, delete, insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from bot.clock import Clock, utc_now
from bot.db import metadata
from bot.keyed_digest import keyed_digest
from bot.phone_numbers import to_e164

log = logging.getLogger("bot.notifications.suppression")

SUPPRESSION_PURPOSE = "sms-suppression"

OptOutSource = Literal["keyword", "plain_language", "carrier"]

sms_suppression = Table(
    "sms_suppression",
    metadata,
    Column("phone_key", String(64), primary_key=True),
    Column("opted_out_at", DateTime(timezone=True), nullable=False),
    # How the opt-out arrived: a keyword (STOP), a plain-language request, or the carrier
    # (Twilio error 21610 when we tried to send).
    Column("source", String(16), nullable=False),
)


class SuppressionList:
    """Who must not be texted. Numbers in any format; invalid numbers are never suppressed."""

    def __init__(self, engine: Engine, key: str, *, clock: Clock = utc_now) -> None:
        self._engine = engine
        self._key = key
        self._clock = clock

    def _phone_key(self, phone: str) -> str | None:
        e164 = to_e164(phone)
        return keyed_digest(self._key, SUPPRESSION_PURPOSE, e164) if e164 else None

    def is_suppressed(self, phone: str) -> bool:
        """True when ``phone`` opted out and has not opted back in."""
        key = self._phone_key(phone)
        if key is None:
            return False
        with self._engine.connect() as conn:
            row = conn.execute(
                select(sms_suppression.c.phone_key).where(sms_suppression.c.phone_key == key)
            ).first()
        return row is not None

    def opt_out(self, phone: str, source: OptOutSource) -> bool:
        """Suppress ``phone``. True when it was not suppressed before (first opt-out)."""
        key = self._phone_key(phone)
        if key is None:
            return False
        try:
            with self._engine.begin() as conn:
                conn.execute(
                    insert(sms_suppression).values(
                        phone_key=key, opted_out_at=self._clock(), source=source
                    )
                )
        except IntegrityError:
            return False
        log.info("sms opt-out recorded (source=%s, key=%s)", source, key[:12])
        return True

    def opt_in(self, phone: str) -> bool:
        """Remove ``phone`` from the list. True when it was suppressed."""
        key = self._phone_key(phone)
        if key is None:
            return False
        with self._engine.begin() as conn:
            removed = conn.execute(
                delete(sms_suppression).where(sms_suppression.c.phone_key == key)
            ).rowcount
        if removed:
            log.info("sms opt-in recorded (key=%s)", key[:12])
        return bool(removed)
