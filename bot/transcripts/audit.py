"""Staff access audit: every transcript view and every export, who and when.

One row per access in ``staff_access_audit`` (application database, append-only from our code):
the staff account id, what they did (``view_transcript``, ``export_conversations``,
``export_turns``), which conversation (for a view), the filters of an export (never search
text), how many rows left, and when. The console's own audit page reads it back.
"""

from __future__ import annotations

import enum
import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Column, DateTime, Index, Integer, String, Table, Text, select
from sqlalchemy.engine import Engine

from bot.clock import Clock, as_utc, utc_now
from bot.db import metadata


class StaffAction(str, enum.Enum):
    VIEW_TRANSCRIPT = "view_transcript"
    EXPORT_CONVERSATIONS = "export_conversations"
    EXPORT_TURNS = "export_turns"


staff_access_audit = Table(
    "staff_access_audit",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("staff_account_id", Integer, nullable=False),
    Column("action", String(32), nullable=False),
    Column("conversation_id", String(255), nullable=True),
    Column("detail", Text, nullable=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Index("ix_staff_access_audit_conversation", "conversation_id", "at"),
    Index("ix_staff_access_audit_staff", "staff_account_id", "at"),
)


@dataclass(frozen=True)
class AccessRecord:
    """One audited access."""

    id: str
    staff_account_id: int
    action: StaffAction
    conversation_id: str | None
    detail: dict[str, str]
    at: datetime


class StaffAccessAudit:
    """Writes and reads the staff access audit."""

    def __init__(
        self,
        engine: Engine,
        *,
        clock: Clock = utc_now,
        new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
    ) -> None:
        self._engine = engine
        self._clock = clock
        self._new_id = new_id

    def record(
        self,
        staff_account_id: int,
        action: StaffAction,
        *,
        conversation_id: str | None = None,
        detail: Mapping[str, str] | None = None,
    ) -> AccessRecord:
        """Store one access; call it *before* the data is handed out, so a failure shows none."""
        entry = AccessRecord(
            id=self._new_id(),
            staff_account_id=staff_account_id,
            action=action,
            conversation_id=conversation_id,
            detail=dict(detail or {}),
            at=self._clock(),
        )
        with self._engine.begin() as conn:
            conn.execute(
                staff_access_audit.insert().values(
                    id=entry.id,
                    staff_account_id=entry.staff_account_id,
                    action=entry.action.value,
                    conversation_id=entry.conversation_id,
                    detail=json.dumps(entry.detail, sort_keys=True) if entry.detail else None,
                    at=entry.at,
                )
            )
        return entry

    def recent(
        self,
        *,
        conversation_id: str | None = None,
        staff_account_id: int | None = None,
        limit: int = 100,
    ) -> list[AccessRecord]:
        """The latest accesses, newest first, optionally for one conversation or one staff id."""
        a = staff_access_audit
        query = select(a).order_by(a.c.at.desc(), a.c.id).limit(limit)
        if conversation_id is not None:
            query = query.where(a.c.conversation_id == conversation_id)
        if staff_account_id is not None:
            query = query.where(a.c.staff_account_id == staff_account_id)
        with self._engine.connect() as conn:
            rows = conn.execute(query).all()
        return [
            AccessRecord(
                id=r.id,
                staff_account_id=r.staff_account_id,
                action=StaffAction(r.action),
                conversation_id=r.conversation_id,
                detail=json.loads(r.detail) if r.detail else {},
                at=as_utc(r.at),
            )
            for r in rows
        ]
