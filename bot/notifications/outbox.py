"""The local outbox: where SMS go when no Twilio account is configured.

One row per message. Unlike every other table of ours it stores the recipient's number, because
its only readers are the local simulators (``policyline sms`` / ``policyline call``) and the web
app's outbox page, which show a developer the messages a phone would have received. Production
uses the Twilio REST sender and never writes here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Column, DateTime, Integer, String, Table, Text, select, update
from sqlalchemy.engine import Engine

from bot.db import metadata

OutboxStatus = str  # "queued" until a simulator shows it, then "delivered"

sms_outbox = Table(
    "sms_outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("to_number", String(32), nullable=False, index=True),
    Column("body", Text, nullable=False),
    Column("media_url", Text, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("status", String(16), nullable=False),
)


@dataclass(frozen=True)
class OutboxMessage:
    """One message in the local outbox."""

    id: int
    to: str
    body: str
    media_url: str | None
    created_at: datetime
    status: OutboxStatus


def read_outbox(
    engine: Engine, *, to: str | None = None, after_id: int = 0, limit: int = 200
) -> list[OutboxMessage]:
    """Messages with an id above ``after_id`` (oldest first), for one number when ``to`` is set."""
    query = select(sms_outbox).where(sms_outbox.c.id > after_id)
    if to is not None:
        query = query.where(sms_outbox.c.to_number == to)
    query = query.order_by(sms_outbox.c.id).limit(limit)
    with engine.connect() as conn:
        rows = conn.execute(query).mappings().all()
    return [
        OutboxMessage(
            id=row["id"],
            to=row["to_number"],
            body=row["body"],
            media_url=row["media_url"],
            created_at=row["created_at"],
            status=row["status"],
        )
        for row in rows
    ]


def latest_outbox_id(engine: Engine) -> int:
    """The highest id in the outbox (0 when empty): where a new reader starts."""
    with engine.connect() as conn:
        value = conn.execute(select(sms_outbox.c.id).order_by(sms_outbox.c.id.desc())).first()
    return int(value[0]) if value else 0


def mark_delivered(engine: Engine, ids: Iterable[int]) -> None:
    """Record that a simulator showed these messages to its user."""
    id_list = list(ids)
    if not id_list:
        return
    with engine.begin() as conn:
        conn.execute(
            update(sms_outbox).where(sms_outbox.c.id.in_(id_list)).values(status="delivered")
        )
