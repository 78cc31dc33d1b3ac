"""Abandoned tasks: a task the person asked for, then left before it ended, gets an outcome too.

Actions record ``contained``, ``handoff`` and ``failed`` when a task ends; nobody is there to
record the person who walks away mid-task (asked for an ID card, never gave a date of birth).
Without a record that task would not count at all and containment would read too high.

``sweep_abandoned`` finds conversations whose last event is older than ``idle`` (the Rasa session
expiry, 15 minutes by default, is when the bot itself forgets the task) and that ended with a
task still open: a user message with a task intent (documents, payments, claims, coverage) after
which no outcome was recorded for the conversation. It records one ``abandoned`` outcome for that
intent, at the conversation's last activity, for the holder the conversation verified (if any,
so the 72-hour repeat rule can link it). Running it again records nothing new: an ``abandoned``
outcome at or after the open task's message already closes it. Run it periodically
(``policyline outcomes sweep-abandoned``; every few minutes from cron or a timer).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import and_, func, select
from sqlalchemy.engine import Engine

from bot.clock import Clock, as_utc
from bot.conversation.outcomes import Outcome, OutcomeRecorder, category_of, task_outcomes
from bot.conversation.tasks import Category
from bot.transcripts.conversations import channel_of
from bot.transcripts.tracker_events import (
    ASSURANCE_SLOT,
    VERIFIED_LEVELS,
    decode,
    events,
    has_events,
)

DEFAULT_IDLE = timedelta(minutes=15)
DEFAULT_LOOKBACK = timedelta(hours=48)
_BATCH = 500


@dataclass(frozen=True)
class AbandonedTask:
    """One task recorded as abandoned."""

    conversation_id: str
    intent: str
    channel: str
    at: datetime
    verified: bool


@dataclass
class _Open:
    intent: str | None = None
    asked_at: float = 0.0
    last_at: float = 0.0
    channel: str = "unknown"
    holder_id: str | None = None
    assurance: str = "anonymous"


def _fixed(at: datetime) -> Clock:
    """A clock stopped at ``at`` (the outcome is dated at the conversation's last activity)."""
    return lambda: at


def _idle_conversations(tracker: Engine, since: datetime, until: datetime) -> list[str]:
    """Conversations whose last event falls in ``[since, until)``."""
    e = events
    last = func.max(e.c.timestamp)
    recent = events.alias("recent")
    query = (
        select(e.c.sender_id)
        .where(
            e.c.sender_id.in_(
                select(recent.c.sender_id).where(recent.c.timestamp >= since.timestamp())
            )
        )
        .group_by(e.c.sender_id)
        .having(and_(last >= since.timestamp(), last < until.timestamp()))
    )
    with tracker.connect() as conn:
        return [row.sender_id for row in conn.execute(query)]


def _read(tracker: Engine, ids: Sequence[str]) -> dict[str, _Open]:
    e = events
    state: dict[str, _Open] = defaultdict(_Open)
    with tracker.connect() as conn:
        rows = conn.execute(
            select(e.c.sender_id, e.c.type_name, e.c.timestamp, e.c.intent_name)
            .add_columns(e.c.action_name, e.c.data)
            .where(e.c.sender_id.in_(ids), e.c.type_name.in_(("user", "slot", "session_started")))
            .order_by(e.c.id)
        )
        for row in rows:
            s = state[row.sender_id]
            s.last_at = max(s.last_at, row.timestamp or 0.0)
            if row.type_name == "user":
                if s.channel == "unknown":
                    s.channel = channel_of(decode(row.data))
                if category_of(row.intent_name) is not Category.OTHER:
                    s.intent, s.asked_at = row.intent_name, row.timestamp or 0.0
            elif row.type_name == "session_started":
                s.assurance, s.holder_id = "anonymous", None
            elif row.action_name == ASSURANCE_SLOT:
                s.assurance = str(decode(row.data).get("value") or "anonymous")
            elif row.action_name == "holder_id":
                value = decode(row.data).get("value")
                s.holder_id = str(value) if value else None
    # last activity of any kind (bot answers too), for the outcome's time
    with tracker.connect() as conn:
        for row in conn.execute(
            select(e.c.sender_id, func.max(e.c.timestamp).label("last"))
            .where(e.c.sender_id.in_(ids))
            .group_by(e.c.sender_id)
        ):
            state[row.sender_id].last_at = row.last or state[row.sender_id].last_at
    return state


def _last_outcomes(app: Engine, ids: Sequence[str]) -> dict[str, datetime]:
    t = task_outcomes
    with app.connect() as conn:
        return {
            row.conversation_id: as_utc(row.latest)
            for row in conn.execute(
                select(t.c.conversation_id, func.max(t.c.at).label("latest"))
                .where(t.c.conversation_id.in_(ids))
                .group_by(t.c.conversation_id)
            )
        }


def sweep_abandoned(
    tracker: Engine,
    app: Engine,
    *,
    hash_key: str,
    now: datetime,
    idle: timedelta = DEFAULT_IDLE,
    lookback: timedelta = DEFAULT_LOOKBACK,
) -> list[AbandonedTask]:
    """Record an ``abandoned`` outcome for every idle conversation that left a task open."""
    if not has_events(tracker):
        return []
    ids = _idle_conversations(tracker, now - lookback, now - idle)
    recorded: list[AbandonedTask] = []
    for start in range(0, len(ids), _BATCH):
        chunk = ids[start : start + _BATCH]
        states = _read(tracker, chunk)
        closed = _last_outcomes(app, chunk)
        for conversation_id in chunk:
            s = states[conversation_id]
            if s.intent is None:
                continue
            asked = datetime.fromtimestamp(s.asked_at, tz=timezone.utc)
            latest = closed.get(conversation_id)
            if latest is not None and latest >= asked:
                continue  # the task ended (or was already recorded as abandoned)
            at = datetime.fromtimestamp(s.last_at, tz=timezone.utc)
            verified = s.assurance in VERIFIED_LEVELS and s.holder_id is not None
            OutcomeRecorder(app, hash_key=hash_key, clock=_fixed(at)).record(
                conversation_id=conversation_id,
                channel=s.channel,
                intent=s.intent,
                outcome=Outcome.ABANDONED,
                holder_id=s.holder_id if verified else None,
                reason="left_mid_task",
            )
            recorded.append(AbandonedTask(conversation_id, s.intent, s.channel, at, verified))
    return recorded
