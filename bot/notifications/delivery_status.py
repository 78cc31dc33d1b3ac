"""Twilio message status callbacks, recorded without PII: message sid, status, error code.

Twilio posts every status change of a message we sent (queued, sent, delivered, undelivered,
failed). The row keeps what operations need to see delivery problems; neither the number nor the
body is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Column, DateTime, Integer, String, Table, insert, select
from sqlalchemy.engine import Engine

from bot.clock import Clock, utc_now
from bot.db import metadata

sms_delivery_status = Table(
    "sms_delivery_status",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("message_sid", String(64), nullable=False, index=True),
    Column("status", String(24), nullable=False),
    Column("error_code", Integer, nullable=True),
    Column("received_at", DateTime(timezone=True), nullable=False),
)


@dataclass(frozen=True)
class DeliveryStatus:
    """One status change of one message."""

    message_sid: str
    status: str
    error_code: int | None
    received_at: datetime


def record_delivery_status(
    engine: Engine,
    message_sid: str,
    status: str,
    error_code: int | None,
    *,
    clock: Clock = utc_now,
) -> None:
    """Append one status change."""
    with engine.begin() as conn:
        conn.execute(
            insert(sms_delivery_status).values(
                message_sid=message_sid[:64],
                status=status[:24],
                error_code=error_code,
                received_at=clock(),
            )
        )


def delivery_history(engine: Engine, message_sid: str) -> list[DeliveryStatus]:
    """Every recorded status change of ``message_sid``, oldest first."""
    query = (
        select(sms_delivery_status)
        .where(sms_delivery_status.c.message_sid == message_sid)
        .order_by(sms_delivery_status.c.id)
    )
    with engine.connect() as conn:
        rows = conn.execute(query).mappings().all()
    return [
        DeliveryStatus(row["message_sid"], row["status"], row["error_code"], row["received_at"])
        for row in rows
    ]
