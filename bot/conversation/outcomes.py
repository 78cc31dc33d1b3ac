"""Task outcomes (docs/architecture.md "Intents and outcomes"): one row per task.

``contained`` (completed in the bot), ``handoff`` (routed to a person, with reason), ``abandoned``,
``failed`` (bot or system error). Containment by category is computed from these rows; a repeat
contact by the same policyholder within 72 hours counts against containment, so each row carries
a keyed hash of the holder id (never the id itself).
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import Column, DateTime, Index, String, Table, func, select
from sqlalchemy.engine import Engine, Row

from bot.clock import Clock, utc_now
from bot.conversation.tasks.registry import Category as Category  # re-exported for callers
from bot.conversation.tasks.registry import task_for
from bot.db import metadata
from bot.keyed_digest import pseudonym

REPEAT_CONTACT_WINDOW = timedelta(hours=72)


class Outcome(str, enum.Enum):
    CONTAINED = "contained"
    HANDOFF = "handoff"
    ABANDONED = "abandoned"
    FAILED = "failed"


def category_of(intent: str | None) -> Category:
    """The containment category an intent counts under (``other`` for conversation intents)."""
    task = task_for(intent)
    return task.category if task is not None else Category.OTHER


task_outcomes = Table(
    "task_outcomes",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("conversation_id", String(128), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("intent", String(64), nullable=False),
    Column("category", String(16), nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("reason", String(64), nullable=True),
    # pseudonym of the holder id (72 h repeat-contact rule); null before verification
    Column("holder_hash", String(32), nullable=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Index("ix_task_outcomes_holder_at", "holder_hash", "at"),
    Index("ix_task_outcomes_at", "at"),
)


@dataclass(frozen=True)
class OutcomeRecord:
    """One task outcome as stored."""

    id: str
    conversation_id: str
    channel: str
    intent: str
    category: Category
    outcome: Outcome
    reason: str | None
    holder_hash: str | None
    at: datetime


class OutcomeRecorder:
    """Writes task outcomes through an injected engine."""

    def __init__(
        self,
        engine: Engine,
        *,
        hash_key: str,
        clock: Clock = utc_now,
        new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
    ) -> None:
        self._engine = engine
        self._hash_key = hash_key
        self._clock = clock
        self._new_id = new_id

    def holder_hash(self, holder_id: str) -> str:
        """The pseudonym outcomes store for ``holder_id``."""
        return pseudonym(self._hash_key, "holder", holder_id)

    def record(
        self,
        *,
        conversation_id: str,
        channel: str,
        intent: str,
        outcome: Outcome,
        holder_id: str | None = None,
        reason: str | None = None,
    ) -> OutcomeRecord:
        """Store one outcome for a task of this conversation and return it."""
        row = OutcomeRecord(
            id=self._new_id(),
            conversation_id=conversation_id,
            channel=channel,
            intent=intent,
            category=category_of(intent),
            outcome=outcome,
            reason=reason,
            holder_hash=self.holder_hash(holder_id) if holder_id else None,
            at=self._clock(),
        )
        with self._engine.begin() as conn:
            conn.execute(
                task_outcomes.insert().values(
                    id=row.id,
                    conversation_id=row.conversation_id,
                    channel=row.channel,
                    intent=row.intent,
                    category=row.category.value,
                    outcome=row.outcome.value,
                    reason=row.reason,
                    holder_hash=row.holder_hash,
                    at=row.at,
                )
            )
        return row

    def for_conversation(self, conversation_id: str) -> list[OutcomeRecord]:
        """Every outcome of one conversation, oldest first."""
        with self._engine.connect() as conn:
            rows = conn.execute(
                select(task_outcomes)
                .where(task_outcomes.c.conversation_id == conversation_id)
                .order_by(task_outcomes.c.at, task_outcomes.c.id)
            ).all()
        return [_record(r) for r in rows]

    def is_repeat_contact(self, holder_id: str, conversation_id: str) -> bool:
        """True when the holder had another conversation in the last 72 hours."""
        since = self._clock() - REPEAT_CONTACT_WINDOW
        with self._engine.connect() as conn:
            count = conn.execute(
                select(func.count())
                .select_from(task_outcomes)
                .where(
                    task_outcomes.c.holder_hash == self.holder_hash(holder_id),
                    task_outcomes.c.conversation_id != conversation_id,
                    task_outcomes.c.at >= since,
                )
            ).scalar_one()
        return bool(count)


def _record(row: Row) -> OutcomeRecord:
    m = row._mapping
    at: datetime = m["at"]
    return OutcomeRecord(
        id=m["id"],
        conversation_id=m["conversation_id"],
        channel=m["channel"],
        intent=m["intent"],
        category=Category(m["category"]),
        outcome=Outcome(m["outcome"]),
        reason=m["reason"],
        holder_hash=m["holder_hash"],
        # SQLite hands back naive datetimes; they were written as UTC.
        at=at if at.tzinfo else at.replace(tzinfo=timezone.utc),
    )
