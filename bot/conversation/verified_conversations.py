"""Who is verified in which conversation: a server-side record, never the tracker's word.

The tracker's ``assurance`` and ``holder_id`` slots steer the dialogue, but anyone who can write a
tracker can write slots. So the verification step (date of birth and ZIP from the number on file,
a one-time code, or a web hand-over token) records *(conversation, holder, assurance)* here, and
every action that discloses anything reads this record. A record ends after ``IDLE`` without use
(the same 15 minutes as a Rasa session), on a restart of the conversation, or when a later
verification replaces it.

Conversations are stored as pseudonyms (``pseudonyms.pseudonym``), like the lockout table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Column, Float, String, Table, delete, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from bot.clock import Clock, utc_now
from bot.conversation.web_handover import Assurance
from bot.db import metadata

IDLE = timedelta(minutes=15)
VERIFIED_LEVELS: tuple[Assurance, ...] = ("verified", "mfa")

verified_conversations = Table(
    "verified_conversations",
    metadata,
    # "conversation:<pseudonym>"
    Column("subject", String(64), primary_key=True),
    Column("holder_id", String(64), nullable=False),
    Column("assurance", String(16), nullable=False),
    # Unix seconds, UTC
    Column("verified_at", Float, nullable=False),
    Column("last_seen_at", Float, nullable=False),
)


@dataclass(frozen=True)
class VerifiedIdentity:
    """The policyholder proven in a conversation, and how strongly."""

    holder_id: str
    assurance: Assurance


class VerifiedConversations:
    """The record of verified conversations in the application database."""

    def __init__(self, engine: Engine, *, clock: Clock = utc_now, idle: timedelta = IDLE) -> None:
        self._engine = engine
        self._clock = clock
        self._idle_s = idle.total_seconds()

    def record(self, subject: str, holder_id: str, assurance: Assurance) -> None:
        """``subject`` has just proven to be ``holder_id`` at ``assurance`` (replaces a record)."""
        if assurance not in VERIFIED_LEVELS:
            raise ValueError(f"not a verified assurance level: {assurance}")
        now = self._clock().timestamp()
        values = {
            "holder_id": holder_id,
            "assurance": assurance,
            "verified_at": now,
            "last_seen_at": now,
        }
        table = verified_conversations
        with self._engine.begin() as conn:
            updated = conn.execute(update(table).where(table.c.subject == subject).values(values))
            if updated.rowcount:
                return
        try:
            with self._engine.begin() as conn:
                conn.execute(insert(table).values(subject=subject, **values))
        except IntegrityError:  # a concurrent first record: this one, the later, wins
            with self._engine.begin() as conn:
                conn.execute(update(table).where(table.c.subject == subject).values(values))

    def current(self, subject: str) -> VerifiedIdentity | None:
        """Who ``subject`` is verified as now (this use keeps the record alive), or ``None``."""
        now = self._clock().timestamp()
        table = verified_conversations
        with self._engine.begin() as conn:
            row = conn.execute(
                select(table.c.holder_id, table.c.assurance, table.c.last_seen_at).where(
                    table.c.subject == subject
                )
            ).first()
            if row is None:
                return None
            if now - row.last_seen_at > self._idle_s:
                conn.execute(delete(table).where(table.c.subject == subject))
                return None
            conn.execute(update(table).where(table.c.subject == subject).values(last_seen_at=now))
        assurance = str(row.assurance)
        if assurance not in VERIFIED_LEVELS:  # never written so; a damaged row proves nothing
            return None
        return VerifiedIdentity(holder_id=str(row.holder_id), assurance=assurance)

    def end(self, subject: str) -> None:
        """Forget ``subject``'s verification (restart, sign-out of the conversation)."""
        with self._engine.begin() as conn:
            conn.execute(
                delete(verified_conversations).where(verified_conversations.c.subject == subject)
            )
