"""The handoff queue: conversations the bot routed to people, newest and urgent first.

Read from the ``handoffs`` records (``bot.conversation.handoff``), with the context a person needs
to pick one up: why, from which intent, whether the person proved who they are, the masked policy
reference, and the summary of what they said (redacted when stored, and again with the staff
masks here, so an older record written before a redaction rule existed is still safe to show).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from bot.clock import as_utc
from bot.conversation.handoff import handoffs
from bot.transcripts.redaction import redact_for_staff
from bot.transcripts.tracker_events import VERIFIED_LEVELS

QUEUES = ("claims", "coverage", "service")


@dataclass(frozen=True)
class QueuedHandoff:
    """One handoff as the queue shows it."""

    ticket: str
    reason: str
    intent: str | None
    verified: bool
    assurance: str
    policy_ref: str | None
    queue: str
    urgent: bool
    summary: tuple[str, ...]
    created_at: datetime
    channel: str
    conversation_id: str


@dataclass(frozen=True)
class HandoffPage:
    items: tuple[QueuedHandoff, ...]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


class HandoffQueue:
    """Reads handoff records for the staff console."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def page(
        self,
        *,
        queue: str | None = None,
        since: datetime | None = None,
        page: int = 1,
        per_page: int = 25,
    ) -> HandoffPage:
        """Handoffs, urgent first then newest first; ``queue`` is claims, coverage or service."""
        if queue is not None and queue not in QUEUES:
            raise ValueError(f"unknown queue {queue!r}")
        if page < 1 or not 1 <= per_page <= 100:
            raise ValueError("pages start at 1 and hold 1 to 100 handoffs")
        h = handoffs
        conditions = []
        if queue is not None:
            conditions.append(h.c.queue == queue)
        if since is not None:
            conditions.append(h.c.created_at >= since)
        with self._engine.connect() as conn:
            total = conn.execute(
                select(func.count()).select_from(h).where(*conditions)
            ).scalar_one()
            rows = conn.execute(
                select(h)
                .where(*conditions)
                .order_by(h.c.urgent.desc(), h.c.created_at.desc(), h.c.ticket)
                .limit(per_page)
                .offset((page - 1) * per_page)
            ).all()
        return HandoffPage(tuple(_queued(r) for r in rows), page, per_page, int(total))

    def for_conversation(self, conversation_id: str) -> list[QueuedHandoff]:
        """Every handoff of one conversation, oldest first."""
        with self._engine.connect() as conn:
            rows = conn.execute(
                select(handoffs)
                .where(handoffs.c.conversation_id == conversation_id)
                .order_by(handoffs.c.created_at)
            ).all()
        return [_queued(r) for r in rows]


def _queued(row: object) -> QueuedHandoff:
    m = row._mapping  # type: ignore[attr-defined]
    created: datetime = m["created_at"]
    return QueuedHandoff(
        ticket=m["ticket"],
        reason=m["reason"],
        intent=m["intent"],
        verified=m["assurance"] in VERIFIED_LEVELS,
        assurance=m["assurance"],
        policy_ref=m["policy_ref"],
        queue=m["queue"],
        urgent=bool(m["urgent"]),
        summary=tuple(redact_for_staff(line) for line in (m["summary"] or "").splitlines()),
        created_at=as_utc(created),
        channel=m["channel"],
        conversation_id=m["conversation_id"],
    )
