"""Conversations as staff see them: a filtered, paginated list and redacted transcripts.

A conversation is one Rasa ``sender_id`` — the key our outcomes and handoffs use too. Voice calls
(``CallSid``) and web chats (a minted id) are one conversation each; an SMS conversation (a keyed
hash of the number) spans every session with that number, and its transcript shows where each
new session began.

The list is computed in the tracker database (one grouped query, filters in SQL, so a month of
conversations never leaves the database), then the page's rows are completed from the tracker
(channel, intents) and from the application database (outcomes, handoff tickets). Every text a
staff member sees passes through ``redact_for_staff`` here, so no view can forget it.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Literal

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.engine import Engine
from sqlalchemy.sql.elements import ColumnElement

from bot.clock import as_utc
from bot.conversation.handoff import handoffs
from bot.conversation.outcomes import Outcome, task_outcomes
from bot.transcripts.redaction import redact_for_staff
from bot.transcripts.tracker_events import (
    ASSURANCE_SLOT,
    VERIFIED_LEVELS,
    decode,
    events,
    has_events,
    json_fragment,
)

# The channels staff filter by, and the names they appear under in the tracker: the Rasa input
# channel name and the ``channel`` our channels put in the message metadata.
CHANNEL_ALIASES: dict[str, tuple[str, ...]] = {
    "sms": ("twilio_sms", "sms"),
    "voice": ("twilio_voice", "voice"),
    "webchat": ("socketio", "webchat"),
    "rest": ("rest",),
}
MAX_PER_PAGE = 100
MAX_SEARCH_CHARS = 64
# Most events a transcript shows (an SMS number can collect months of sessions).
MAX_TRANSCRIPT_EVENTS = 5000
# Ids in one ``IN (...)`` list (SQLite's variable limit is far above this; keeps queries small).
_ID_CHUNK = 500
_TICKET = re.compile(r"HO-[A-Z0-9]{8}", re.IGNORECASE)


class InvalidFilter(ValueError):
    """A filter value staff sent that we cannot use (the message says which and why)."""


@dataclass(frozen=True)
class ConversationFilter:
    """What the conversation list is narrowed to. ``None`` means "any"."""

    channel: str | None = None
    # conversations that *started* in [since, until)
    since: datetime | None = None
    until: datetime | None = None
    intent: str | None = None
    outcome: Outcome | None = None
    verified: bool | None = None
    # a conversation id, a handoff ticket, or words (no digits) in what was said
    search: str | None = None

    def __post_init__(self) -> None:
        if self.channel is not None and self.channel not in CHANNEL_ALIASES:
            raise InvalidFilter(f"unknown channel {self.channel!r}")
        if self.since and self.until and self.since >= self.until:
            raise InvalidFilter("the start of the date range must be before its end")
        if self.search is not None and len(self.search) > MAX_SEARCH_CHARS:
            raise InvalidFilter(f"search text is at most {MAX_SEARCH_CHARS} characters")
        if self.intent is not None and not re.fullmatch(r"[a-z_]{1,64}", self.intent):
            raise InvalidFilter("an intent name is lower-case letters and underscores")

    def describe(self) -> dict[str, str]:
        """The filter as text for the audit record (search text is not repeated there)."""
        described = {
            "channel": self.channel or "",
            "since": self.since.isoformat() if self.since else "",
            "until": self.until.isoformat() if self.until else "",
            "intent": self.intent or "",
            "outcome": self.outcome.value if self.outcome else "",
            "verified": "" if self.verified is None else str(self.verified).lower(),
            "search": "yes" if self.search else "",
        }
        return {k: v for k, v in described.items() if v}


@dataclass(frozen=True)
class TaskOutcome:
    """One task of a conversation and how it ended."""

    intent: str
    category: str
    outcome: str
    reason: str | None
    at: datetime


@dataclass(frozen=True)
class ConversationSummary:
    """One row of the conversation list."""

    conversation_id: str
    channel: str
    started_at: datetime
    ended_at: datetime
    user_turns: int
    verified: bool
    intents: tuple[str, ...] = ()
    outcomes: tuple[TaskOutcome, ...] = ()
    handoff_tickets: tuple[str, ...] = ()

    @property
    def outcome_names(self) -> tuple[str, ...]:
        """Distinct outcomes, in order of first appearance."""
        return tuple(dict.fromkeys(o.outcome for o in self.outcomes))


@dataclass(frozen=True)
class ConversationPage:
    """One page of the list."""

    items: tuple[ConversationSummary, ...]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1


TurnKind = Literal["user", "bot", "session", "verified", "note"]


@dataclass(frozen=True)
class TranscriptTurn:
    """One line of a transcript: something said, or a marker (session start, verification)."""

    kind: TurnKind
    at: datetime
    text: str
    intent: str | None = None
    # quick-reply titles and custom payloads, described (never their links)
    extras: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Transcript:
    """A whole conversation, redacted."""

    summary: ConversationSummary
    turns: tuple[TranscriptTurn, ...]
    truncated: bool


def _instant(timestamp: float | None) -> datetime:
    return datetime.fromtimestamp(timestamp or 0.0, tz=timezone.utc)


def _epoch(value: datetime) -> float:
    return as_utc(value).timestamp()


def _chunks(ids: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(ids), _ID_CHUNK):
        yield ids[start : start + _ID_CHUNK]


def channel_of(user_event: dict[str, Any]) -> str:
    """The staff-facing channel name of a conversation, from its first user event."""
    metadata = user_event.get("metadata") or {}
    declared = metadata.get("channel") if isinstance(metadata, dict) else None
    names = [declared, user_event.get("input_channel")]
    for name in names:
        for channel, aliases in CHANNEL_ALIASES.items():
            if name in aliases:
                return channel
    return str(user_event.get("input_channel") or "unknown")


class ConversationArchive:
    """Reads conversations from the tracker store, outcomes and handoffs from the app database."""

    def __init__(self, tracker_engine: Engine, app_engine: Engine) -> None:
        self._tracker = tracker_engine
        self._app = app_engine
        self._tracker_ready = False

    def _ready(self) -> bool:
        """Whether Rasa has written anything yet (until then every list is empty)."""
        if not self._tracker_ready:
            self._tracker_ready = has_events(self._tracker)
        return self._tracker_ready

    # --- the list -------------------------------------------------------------------------------

    def page(
        self, filters: ConversationFilter, *, page: int = 1, per_page: int = 25
    ) -> ConversationPage:
        """One page of conversations matching ``filters``, newest first."""
        if page < 1:
            raise InvalidFilter("pages are numbered from 1")
        if not 1 <= per_page <= MAX_PER_PAGE:
            raise InvalidFilter(f"at most {MAX_PER_PAGE} conversations per page")
        grouped = self._grouped(filters) if self._ready() else None
        if grouped is None:
            return ConversationPage((), page, per_page, 0)
        # One pass over the events: the total rides along as a window count on every row.
        total_column = func.count().over().label("total")
        with self._tracker.connect() as conn:
            rows = conn.execute(
                select(grouped, total_column)
                .order_by(grouped.c.started.desc(), grouped.c.sender_id)
                .limit(per_page)
                .offset((page - 1) * per_page)
            ).all()
            if rows:
                total = int(rows[0].total)
            else:  # past the last page: count on its own
                total = int(conn.execute(select(func.count()).select_from(grouped)).scalar_one())
        items = self._complete(rows)
        return ConversationPage(tuple(items), page, per_page, total)

    def iterate(
        self, filters: ConversationFilter, *, batch: int = MAX_PER_PAGE
    ) -> Iterator[ConversationSummary]:
        """Every matching conversation, newest first, completed ``batch`` at a time (exports).

        The grouped rows (a few numbers per conversation) are read in one pass; the text-heavy
        completion (channel, intents, outcomes, tickets) is done per batch as the caller reads.
        """
        grouped = self._grouped(filters) if self._ready() else None
        if grouped is None:
            return
        with self._tracker.connect() as conn:
            rows = conn.execute(
                select(grouped).order_by(grouped.c.started.desc(), grouped.c.sender_id)
            ).all()
        for start in range(0, len(rows), batch):
            yield from self._complete(rows[start : start + batch])

    def _grouped(self, filters: ConversationFilter) -> Any:
        """The grouped, filtered per-conversation query as a subquery (None: nothing matches)."""
        e = events
        started = func.min(e.c.timestamp)
        verified = func.max(case((_verified_row(), 1), else_=0))
        query = _per_conversation()

        having: list[ColumnElement[bool]] = []
        if filters.since is not None:
            having.append(started >= _epoch(filters.since))
        if filters.until is not None:
            having.append(started < _epoch(filters.until))
        if filters.verified is not None:
            having.append(verified == (1 if filters.verified else 0))
        # Conversations with at least one user event: a tracker with no messages is not a
        # conversation anyone had.
        having.append(func.sum(case((e.c.type_name == "user", 1), else_=0)) > 0)
        query = query.having(and_(*having))

        if filters.since is not None or filters.until is not None:
            # A conversation that started in the range has its first event in it: only those
            # senders' events are grouped (with an index on events.timestamp this is a range
            # scan; Rasa creates none, see docs).
            m = _matching()
            window = [m.c.type_name == "user"]
            if filters.since is not None:
                window.append(m.c.timestamp >= _epoch(filters.since))
            if filters.until is not None:
                window.append(m.c.timestamp < _epoch(filters.until))
            query = query.where(e.c.sender_id.in_(select(m.c.sender_id).where(*window)))
        if filters.intent:
            m = _matching()
            query = query.where(
                e.c.sender_id.in_(
                    select(m.c.sender_id).where(
                        m.c.type_name == "user", m.c.intent_name == filters.intent
                    )
                )
            )
        if filters.channel:
            patterns = [
                pattern
                for alias in CHANNEL_ALIASES[filters.channel]
                for key in ("channel", "input_channel")
                for pattern in json_fragment(key, alias)
            ]
            m = _matching()
            query = query.where(
                e.c.sender_id.in_(
                    select(m.c.sender_id).where(
                        m.c.type_name == "user",
                        or_(*(m.c.data.like(p, escape="\\") for p in patterns)),
                    )
                )
            )
        if filters.search:
            condition = self._search_condition(filters.search.strip())
            if condition is None:
                return None
            query = query.where(condition)
        if filters.outcome is not None:
            ids = self._conversations_with_outcome(filters.outcome, filters.since)
            if not ids:
                return None
            query = query.where(e.c.sender_id.in_(ids))
        return query.subquery("conversations")

    def _search_condition(self, text: str) -> ColumnElement[bool] | None:
        """Search by conversation id, handoff ticket, or words said (never digits: see below)."""
        e = events
        if not text:
            return e.c.sender_id.is_not(None)
        if _TICKET.fullmatch(text):
            with self._app.connect() as conn:
                ids = [
                    r.conversation_id
                    for r in conn.execute(
                        select(handoffs.c.conversation_id).where(handoffs.c.ticket == text.upper())
                    )
                ]
            return e.c.sender_id.in_(ids) if ids else None
        like_text = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        by_id = e.c.sender_id.like(f"{like_text}%", escape="\\")
        # Text search runs on the stored (unredacted) text, so a number could confirm a date of
        # birth or a policy number behind a redaction: text search takes words only.
        if any(ch.isdigit() for ch in text) or len(text) < 3:
            return by_id
        escaped = json.dumps(text)[1:-1]  # match the JSON-escaped form (non-ASCII as \uXXXX)
        like_words = escaped.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        m = _matching()
        said = select(m.c.sender_id).where(
            m.c.type_name.in_(("user", "bot")),
            m.c.data.ilike(f"%{like_words}%", escape="\\"),
        )
        return or_(by_id, e.c.sender_id.in_(said))

    def _conversations_with_outcome(self, outcome: Outcome, since: datetime | None) -> list[str]:
        query = select(task_outcomes.c.conversation_id).where(
            task_outcomes.c.outcome == outcome.value
        )
        if since is not None:
            query = query.where(task_outcomes.c.at >= since)
        with self._app.connect() as conn:
            return sorted({r.conversation_id for r in conn.execute(query.distinct())})

    def _complete(self, rows: Sequence[Any]) -> list[ConversationSummary]:
        """Summaries for grouped rows: channel and intents from the tracker, outcomes, tickets."""
        ids = [r.sender_id for r in rows]
        channels, intents = self._channels_and_intents(ids)
        outcomes = self._outcomes(ids)
        tickets = self._tickets(ids)
        return [
            ConversationSummary(
                conversation_id=r.sender_id,
                channel=channels.get(r.sender_id, "unknown"),
                started_at=_instant(r.started),
                ended_at=_instant(r.ended),
                user_turns=int(r.user_turns or 0),
                verified=bool(r.verified),
                intents=tuple(intents.get(r.sender_id, ())),
                outcomes=tuple(outcomes.get(r.sender_id, ())),
                handoff_tickets=tuple(tickets.get(r.sender_id, ())),
            )
            for r in rows
        ]

    def _channels_and_intents(
        self, ids: Sequence[str]
    ) -> tuple[dict[str, str], dict[str, list[str]]]:
        e = events
        channels: dict[str, str] = {}
        intents: dict[str, list[str]] = defaultdict(list)
        with self._tracker.connect() as conn:
            for chunk in _chunks(ids):
                m = _matching()
                first_user = (
                    select(func.min(m.c.id))
                    .where(m.c.type_name == "user", m.c.sender_id.in_(chunk))
                    .group_by(m.c.sender_id)
                )
                for row in conn.execute(
                    select(e.c.sender_id, e.c.data).where(e.c.id.in_(first_user))
                ):
                    channels[row.sender_id] = channel_of(decode(row.data))
                first_seen = func.min(e.c.id).label("first_seen")
                for row in conn.execute(
                    select(e.c.sender_id, e.c.intent_name, first_seen)
                    .where(
                        e.c.type_name == "user",
                        e.c.sender_id.in_(chunk),
                        e.c.intent_name.is_not(None),
                    )
                    .group_by(e.c.sender_id, e.c.intent_name)
                    .order_by(first_seen)
                ):
                    intents[row.sender_id].append(row.intent_name)
        return channels, intents

    def _outcomes(self, ids: Sequence[str]) -> dict[str, list[TaskOutcome]]:
        found: dict[str, list[TaskOutcome]] = defaultdict(list)
        t = task_outcomes
        with self._app.connect() as conn:
            for chunk in _chunks(ids):
                for row in conn.execute(
                    select(t.c.conversation_id, t.c.intent, t.c.category, t.c.outcome)
                    .add_columns(t.c.reason, t.c.at)
                    .where(t.c.conversation_id.in_(chunk))
                    .order_by(t.c.at, t.c.id)
                ):
                    found[row.conversation_id].append(
                        TaskOutcome(
                            row.intent, row.category, row.outcome, row.reason, as_utc(row.at)
                        )
                    )
        return found

    def _tickets(self, ids: Sequence[str]) -> dict[str, list[str]]:
        found: dict[str, list[str]] = defaultdict(list)
        with self._app.connect() as conn:
            for chunk in _chunks(ids):
                for row in conn.execute(
                    select(handoffs.c.conversation_id, handoffs.c.ticket)
                    .where(handoffs.c.conversation_id.in_(chunk))
                    .order_by(handoffs.c.created_at)
                ):
                    found[row.conversation_id].append(row.ticket)
        return found

    # --- one transcript -------------------------------------------------------------------------

    def summary(self, conversation_id: str) -> ConversationSummary | None:
        """The list row of one conversation, or ``None`` when there is no such conversation."""
        if not self._ready():
            return None
        with self._tracker.connect() as conn:
            row = conn.execute(
                _per_conversation().where(events.c.sender_id == conversation_id)
            ).first()
        if row is None:
            return None
        return self._complete([row])[0]

    def transcript(
        self, conversation_id: str, *, max_events: int = MAX_TRANSCRIPT_EVENTS
    ) -> Transcript | None:
        """The redacted transcript of one conversation, or ``None`` when it does not exist."""
        summary = self.summary(conversation_id)
        if summary is None:
            return None
        e = events
        with self._tracker.connect() as conn:
            rows = conn.execute(
                select(e.c.type_name, e.c.timestamp, e.c.intent_name, e.c.action_name, e.c.data)
                .where(
                    e.c.sender_id == conversation_id,
                    e.c.type_name.in_(("user", "bot", "session_started", "slot")),
                )
                .order_by(e.c.id)
                .limit(max_events + 1)
            ).all()
        truncated = len(rows) > max_events
        turns = list(_turns(rows[:max_events]))
        return Transcript(summary=summary, turns=tuple(turns), truncated=truncated)


def _matching() -> Any:
    """The events table under another name, for subqueries: a subquery on ``events`` itself
    would be correlated with the outer query (SQLAlchemy's auto-correlation) and filter *its*
    rows instead of finding conversations."""
    return events.alias("matching")


def _verified_row() -> ColumnElement[bool]:
    """An event that set the assurance slot to a verified level."""
    e = events
    return and_(
        e.c.type_name == "slot",
        e.c.action_name == ASSURANCE_SLOT,
        or_(
            *(
                e.c.data.like(pattern, escape="\\")
                for level in VERIFIED_LEVELS
                for pattern in json_fragment("value", level)
            )
        ),
    )


def _per_conversation() -> Any:
    """One row per conversation: first and last event time, user turns, verified or not."""
    e = events
    return select(
        e.c.sender_id.label("sender_id"),
        func.min(e.c.timestamp).label("started"),
        func.max(e.c.timestamp).label("ended"),
        func.sum(case((e.c.type_name == "user", 1), else_=0)).label("user_turns"),
        func.max(case((_verified_row(), 1), else_=0)).label("verified"),
    ).group_by(e.c.sender_id)


def _turns(rows: Iterable[Any]) -> Iterator[TranscriptTurn]:
    assurance = "anonymous"
    seen_user = False
    for row in rows:
        at = _instant(row.timestamp)
        if row.type_name == "session_started":
            if seen_user:
                yield TranscriptTurn("session", at, "New session started")
            assurance = "anonymous"
            continue
        if row.type_name == "slot":
            if row.action_name != ASSURANCE_SLOT:
                continue
            level = decode(row.data).get("value") or "anonymous"
            if level in VERIFIED_LEVELS and level != assurance:
                label = "signed in with MFA" if level == "mfa" else "identity verified"
                yield TranscriptTurn("verified", at, f"Policyholder {label}")
            assurance = str(level)
            continue
        data = decode(row.data)
        text = redact_for_staff(str(data.get("text") or ""))
        if row.type_name == "user":
            seen_user = True
            yield TranscriptTurn("user", at, _as_written(data, text), intent=row.intent_name)
        else:
            yield TranscriptTurn("bot", at, text, extras=tuple(_bot_extras(data.get("data"))))


def _as_written(user_event: dict[str, Any], text: str) -> str:
    """What the person wrote. When one request of a longer message was run on its own
    (channels.requests_in_a_message), the message is in the metadata as ``original_text``; a
    request of it run later is marked as such."""
    metadata = user_event.get("metadata")
    if not isinstance(metadata, dict):
        return text
    original = metadata.get("original_text")
    if isinstance(original, str) and original:
        return redact_for_staff(original)
    if metadata.get("queued_request"):
        return f"(next request of the message above) {text}"
    return text


def _bot_extras(data: Any) -> Iterator[str]:
    """Buttons and custom payloads of a bot message, described without links or tokens."""
    if not isinstance(data, dict):
        return
    for button in data.get("buttons") or ():
        if isinstance(button, dict) and button.get("title"):
            yield f"Button: {redact_for_staff(str(button['title']))}"
    custom = data.get("custom")
    if isinstance(custom, dict):
        document = custom.get("document")
        if isinstance(document, dict):
            yield f"Document link sent ({document.get('kind', 'document')})"
        handoff = custom.get("handoff")
        if isinstance(handoff, dict):
            urgent = " (urgent)" if handoff.get("urgent") else ""
            ticket, queue = handoff.get("ticket", ""), handoff.get("queue", "service")
            yield f"Handoff {ticket} to {queue}{urgent}"
        payment = custom.get("payment") or custom.get("pay_link")
        if isinstance(payment, dict):
            yield "Payment link sent"
    if data.get("attachment"):
        yield "Attachment sent"
