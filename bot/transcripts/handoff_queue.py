"""The handoff queue: conversations the bot routed to people, newest and urgent first.

Read from the ``handoffs`` records (``bot.conversation.handoff``), with the context a person needs
to pick one up: why, from which intent, whether the person proved who they are, the masked policy
reference, the summary of what they said (redacted when stored, and again with the staff
masks here, so an older record written before a redaction rule existed is still safe to show),
the structured handoff summary (``bot.conversation.handoff_summary``; for a record written before
it, one made from the record's own columns) and how many files came with it.

Every record is open: the queue has no claim/resolve step yet (issue 16, item 3).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from bot.clock import as_utc
from bot.conversation.handoff import handoff_attachments, handoffs
from bot.conversation.handoff_summary import ASKED_MESSAGES, HandoffSummary, left_for
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
    callback: bool
    summary: tuple[str, ...]
    created_at: datetime
    channel: str
    conversation_id: str
    brief: HandoffSummary
    attachments: int = 0

    def as_json(self) -> dict[str, Any]:
        """One open item as ``policyline handoffs --json`` prints it (no conversation id: the
        ticket names the item; the transcript stays behind the audited console)."""
        return {
            "id": self.ticket,
            "reason": self.reason,
            "intent": self.intent,
            "queue": self.queue,
            "urgent": self.urgent,
            "callback": self.callback,
            "channel": self.channel,
            "created_at": self.created_at.isoformat(),
            "summary": self.brief.as_json(),
            "attachments": self.attachments,
        }


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
        return HandoffPage(tuple(self._with_counts(rows)), page, per_page, int(total))

    def open_items(self) -> list[QueuedHandoff]:
        """Every open handoff, oldest first (the longest waiting at the top)."""
        with self._engine.connect() as conn:
            rows = conn.execute(
                select(handoffs).order_by(handoffs.c.created_at, handoffs.c.ticket)
            ).all()
        return self._with_counts(rows)

    def for_conversation(self, conversation_id: str) -> list[QueuedHandoff]:
        """Every handoff of one conversation, oldest first."""
        with self._engine.connect() as conn:
            rows = conn.execute(
                select(handoffs)
                .where(handoffs.c.conversation_id == conversation_id)
                .order_by(handoffs.c.created_at)
            ).all()
        return self._with_counts(rows)

    def _with_counts(self, rows: Sequence[Any]) -> list[QueuedHandoff]:
        """The rows as queue items, each with how many files came with it."""
        items = [_queued(r) for r in rows]
        if not items:
            return items
        a = handoff_attachments
        with self._engine.connect() as conn:
            counts = dict(
                conn.execute(
                    select(a.c.ticket, func.count())
                    .where(a.c.ticket.in_([item.ticket for item in items]))
                    .group_by(a.c.ticket)
                ).all()
            )
        return [replace(item, attachments=int(counts.get(item.ticket, 0))) for item in items]


def _queued(row: Any) -> QueuedHandoff:
    m = row._mapping
    created: datetime = m["created_at"]
    lines = tuple(redact_for_staff(line) for line in (m["summary"] or "").splitlines())
    stored = m["structured_summary"]
    if stored:
        brief = HandoffSummary.from_json(stored)
        brief = replace(brief, asked=tuple(redact_for_staff(line) for line in brief.asked))
    else:
        brief = _from_columns(m, lines)
    return QueuedHandoff(
        ticket=m["ticket"],
        reason=m["reason"],
        intent=m["intent"],
        verified=m["assurance"] in VERIFIED_LEVELS,
        assurance=m["assurance"],
        policy_ref=m["policy_ref"],
        queue=m["queue"],
        urgent=bool(m["urgent"]),
        callback=bool(m["callback"]),
        summary=lines,
        created_at=as_utc(created),
        channel=m["channel"],
        conversation_id=m["conversation_id"],
        brief=brief,
    )


def _from_columns(m: Any, lines: tuple[str, ...]) -> HandoffSummary:
    """The summary of a record written before summaries were stored: what its columns say."""
    return HandoffSummary(
        assurance=m["assurance"],
        policy=m["policy_ref"],
        asked=lines[-ASKED_MESSAGES:],
        done=(),
        reason=m["reason"],
        task=m["intent"],
        left=left_for(m["reason"], m["intent"]),
        urgent=bool(m["urgent"]),
        urgent_words=(),
        frustrated=False,
        frustration_words=(),
        channel=m["channel"],
    )
