"""Handoff records: what a person needs to pick up a conversation the bot routes to them.

One row per handoff in ``handoffs``: a ticket id the policyholder can quote, why and from which
intent, the assurance reached, the policy reference *masked*, the queue, whether it is urgent, and
a redacted summary of what the person said so far (``redaction.redact``), so staff see context
without dates of birth, full policy numbers, card numbers or codes; and the structured handoff
summary (``handoff_summary.build_summary``: who, asked, already done, left, flags, channel) as
JSON in ``structured_summary`` (null on rows written before it existed).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    false,
    select,
)
from sqlalchemy.engine import Engine

from bot.clock import Clock, utc_now
from bot.conversation.formatting import mask_policy_number
from bot.conversation.handoff_summary import (
    ConversationRecord,
    HandoffSummary,
    Said,
    TaskDone,
    build_summary,
)
from bot.conversation.redaction import redact
from bot.db import metadata

# How much of the conversation staff see in the summary.
SUMMARY_MESSAGES = 5
SUMMARY_MESSAGE_CHARS = 200
_TICKET_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read over the phone

_QUEUE_BY_INTENT = {
    "report_claim": "claims",
    "claim_status": "claims",
    "coverage_question": "coverage",
    "policy_summary": "coverage",
}

handoffs = Table(
    "handoffs",
    metadata,
    Column("ticket", String(16), primary_key=True),
    Column("reason", String(64), nullable=False),
    Column("intent", String(64), nullable=True),
    Column("assurance", String(16), nullable=False),
    Column("policy_ref", String(32), nullable=True),
    Column("queue", String(16), nullable=False),
    Column("urgent", Boolean, nullable=False),
    Column("summary", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("conversation_id", String(128), nullable=False, index=True),
    # asked outside staffed hours: staff call back when they open (bot.conversation.staffed_hours)
    Column("callback", Boolean, nullable=False, server_default=false()),
    # HandoffSummary.as_json() (migration 0004); null on rows written before it
    Column("structured_summary", JSON, nullable=True),
)

# Files the policyholder sent with a handoff (claim photos: issue 16's first notice of loss
# writes them). The queue and ``policyline handoffs --json`` count them per ticket.
handoff_attachments = Table(
    "handoff_attachments",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("ticket", String(16), ForeignKey("handoffs.ticket"), nullable=False, index=True),
    Column("content_type", String(64), nullable=False),
    Column("byte_size", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)


def queue_for(intent: str | None) -> str:
    """The staff queue for a handoff from ``intent``: claims, coverage or (default) service."""
    return _QUEUE_BY_INTENT.get(intent or "", "service")


def new_ticket() -> str:
    """A short random ticket id people can read out: ``HO-7KQ2M9XP``."""
    return "HO-" + "".join(secrets.choice(_TICKET_ALPHABET) for _ in range(8))


def summarize(user_messages: Sequence[str]) -> str:
    """The last few user messages, redacted and trimmed, one per line."""
    recent = [m.strip() for m in user_messages if m and m.strip()][-SUMMARY_MESSAGES:]
    return "\n".join(redact(m)[:SUMMARY_MESSAGE_CHARS] for m in recent)


@dataclass(frozen=True)
class Handoff:
    """One handoff record."""

    ticket: str
    reason: str
    intent: str | None
    assurance: str
    policy_ref: str | None
    queue: str
    urgent: bool
    summary: str
    created_at: datetime
    channel: str
    conversation_id: str
    callback: bool = False
    structured_summary: HandoffSummary | None = None

    def payload(self) -> dict[str, object]:
        """The contract's ``{"handoff": {...}}`` custom payload body for channels."""
        return {
            "ticket": self.ticket,
            "reason": self.reason,
            "intent": self.intent,
            "urgent": self.urgent,
            "queue": self.queue,
            "callback": self.callback,
        }


class HandoffService:
    """Opens handoff records through an injected engine."""

    def __init__(
        self,
        engine: Engine,
        *,
        clock: Clock = utc_now,
        ticket_factory: Callable[[], str] = new_ticket,
    ) -> None:
        self._engine = engine
        self._clock = clock
        self._ticket_factory = ticket_factory

    def open(
        self,
        *,
        reason: str,
        intent: str | None,
        assurance: str,
        policy_number: str | None,
        user_messages: Sequence[str],
        channel: str,
        conversation_id: str,
        urgent: bool = False,
        queue: str | None = None,
        callback: bool = False,
        said: Sequence[Said] | None = None,
        done: Sequence[TaskDone] = (),
    ) -> Handoff:
        """Record a handoff and return it (the summary is redacted before it is stored).

        ``said`` is the user messages with the intents the NLU read (``user_messages`` without
        intents when not given); ``done`` the conversation's task outcomes so far. A message
        naming an injury or emergency makes the handoff urgent (``handoff_summary``).
        """
        structured = build_summary(
            ConversationRecord(
                reason=reason,
                task=intent,
                assurance=assurance,
                policy_number=policy_number,
                said=said if said is not None else [Said(m) for m in user_messages],
                done=done,
                channel=channel,
                urgent=urgent,
            )
        )
        record = Handoff(
            ticket=self._ticket_factory(),
            reason=reason,
            intent=intent,
            assurance=assurance,
            policy_ref=mask_policy_number(policy_number) if policy_number else None,
            queue=queue or queue_for(intent),
            urgent=structured.urgent,
            summary=summarize(user_messages),
            created_at=self._clock(),
            channel=channel,
            conversation_id=conversation_id,
            callback=callback,
            structured_summary=structured,
        )
        with self._engine.begin() as conn:
            conn.execute(
                handoffs.insert().values(
                    **{**record.__dict__, "structured_summary": structured.as_json()}
                )
            )
        return record

    def get(self, ticket: str) -> Handoff | None:
        """The handoff with this ticket id, if any."""
        with self._engine.connect() as conn:
            row = conn.execute(select(handoffs).where(handoffs.c.ticket == ticket)).first()
        if row is None:
            return None
        values = dict(row._mapping)
        created: datetime = values["created_at"]
        values["created_at"] = created if created.tzinfo else created.replace(tzinfo=timezone.utc)
        stored = values["structured_summary"]
        values["structured_summary"] = HandoffSummary.from_json(stored) if stored else None
        return Handoff(**values)
