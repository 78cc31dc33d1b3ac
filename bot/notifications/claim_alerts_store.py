"""The notifier's tables: opt-ins, the feed cursor, and one delivery row per change and channel.

- ``claim_alert_opt_ins``: who asked for alerts, per policy and channel (``sms`` to the number on
  file, ``email`` to the address on file). ``opted_out_at`` set means off; for e-mail it is the
  unsubscribe flag. Texts are also subject to the SMS suppression list (STOP), checked on send.
- ``claim_alert_cursor``: the last timeline row handled, per feed. It only moves forward
  (``UPDATE ... WHERE last_event_id < :new``) so notifiers sharing it never move it back.
- ``claim_alert_deliveries``: the outbox of alerts. ``UNIQUE (change_key, channel)`` is the
  de-duplication: however often a change is read (restarts, a rewound cursor, two notifiers), one
  row per channel can exist, and only the notifier that claims the row
  (``UPDATE ... WHERE state = 'pending'``) sends it. A row waits in ``pending`` until
  ``not_before`` (quiet hours). A sender that dies while ``sending`` loses its lease after
  ``lease_until`` and the row is sent again: at-least-once for that narrow crash window, never
  twice otherwise. ``destination`` (the number or address) is cleared once the row is final;
  ``recipient_key`` (a keyed digest) stays, so a STATUS reply can check that a number got alerts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    and_,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from bot.clock import Clock, as_utc, utc_now
from bot.db import metadata
from bot.keyed_digest import keyed_digest

Channel = Literal["sms", "email"]
CHANNELS: tuple[Channel, ...] = ("sms", "email")
OptInSource = Literal["cli", "persona_default", "web"]
# pending → sending → sent | suppressed | unsubscribed | failed (pending again to retry)
FINAL_STATES = ("sent", "suppressed", "unsubscribed", "failed")
RECIPIENT_PURPOSE = "claim-alert-recipient"

claim_alert_opt_ins = Table(
    "claim_alert_opt_ins",
    metadata,
    Column("policy_number", String(32), nullable=False),
    Column("channel", String(8), nullable=False),
    Column("opted_in_at", DateTime(timezone=True), nullable=False),
    Column("source", String(24), nullable=False),
    Column("opted_out_at", DateTime(timezone=True), nullable=True),
    PrimaryKeyConstraint("policy_number", "channel", name="pk_claim_alert_opt_ins"),
)

claim_alert_cursor = Table(
    "claim_alert_cursor",
    metadata,
    Column("feed", String(32), primary_key=True),
    Column("last_event_id", BigInteger, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

claim_alert_deliveries = Table(
    "claim_alert_deliveries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("change_key", String(96), nullable=False),
    Column("channel", String(8), nullable=False),
    Column("claim_number", String(32), nullable=False),
    Column("policy_number", String(32), nullable=False),
    Column("recipient_key", String(64), nullable=False),
    Column("destination", String(254), nullable=True),
    Column("time_zone", String(48), nullable=False),
    Column("subject", Text, nullable=True),
    Column("body", Text, nullable=False),
    Column("state", String(16), nullable=False),
    Column("not_before", DateTime(timezone=True), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("lease_until", DateTime(timezone=True), nullable=True),
    Column("claimed_by", String(64), nullable=True),
    Column("provider_ref", String(128), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True), nullable=True),
    UniqueConstraint("change_key", "channel", name="uq_claim_alert_once_per_channel"),
    Index("ix_claim_alert_due", "state", "not_before"),
    Index("ix_claim_alert_recipient", "recipient_key"),
)


def recipient_key(hash_key: str, channel: Channel, destination: str) -> str:
    """A keyed digest of a phone number (E.164) or e-mail address (case-folded)."""
    value = destination.strip().lower() if channel == "email" else destination.strip()
    return keyed_digest(hash_key, f"{RECIPIENT_PURPOSE}:{channel}", value)


@dataclass(frozen=True)
class OptIn:
    policy_number: str
    channel: Channel
    opted_in_at: datetime
    source: str
    opted_out_at: datetime | None

    @property
    def active(self) -> bool:
        return self.opted_out_at is None


@dataclass(frozen=True)
class PlannedDelivery:
    """An alert to send once: one change, one channel."""

    change_key: str
    channel: Channel
    claim_number: str
    policy_number: str
    recipient_key: str
    destination: str
    time_zone: str
    subject: str | None
    body: str
    not_before: datetime


@dataclass(frozen=True)
class DueDelivery:
    """A delivery this notifier has claimed and must now send."""

    id: int
    channel: Channel
    policy_number: str
    destination: str
    time_zone: str
    subject: str | None
    body: str
    attempts: int


class ClaimAlertStore:
    """Blocking SQLAlchemy Core operations on the notifier's tables."""

    def __init__(self, engine: Engine, *, clock: Clock = utc_now) -> None:
        self.engine = engine
        self._clock = clock

    # --- opt-ins -------------------------------------------------------------------------------

    def opt_in(self, policy_number: str, channel: Channel, source: OptInSource) -> bool:
        """Turn alerts on (again). True when they were off or absent."""
        now = self._clock()
        with self.engine.begin() as conn:
            row = conn.execute(
                select(claim_alert_opt_ins.c.opted_out_at).where(
                    claim_alert_opt_ins.c.policy_number == policy_number,
                    claim_alert_opt_ins.c.channel == channel,
                )
            ).first()
            if row is None:
                conn.execute(
                    insert(claim_alert_opt_ins).values(
                        policy_number=policy_number,
                        channel=channel,
                        opted_in_at=now,
                        source=source,
                        opted_out_at=None,
                    )
                )
                return True
            if row.opted_out_at is None:
                return False
            conn.execute(
                update(claim_alert_opt_ins)
                .where(
                    claim_alert_opt_ins.c.policy_number == policy_number,
                    claim_alert_opt_ins.c.channel == channel,
                )
                .values(opted_in_at=now, source=source, opted_out_at=None)
            )
            return True

    def add_default_opt_in(self, policy_number: str, channel: Channel) -> bool:
        """Opt in unless a row exists (a later opt-out is never undone by a default)."""
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    insert(claim_alert_opt_ins).values(
                        policy_number=policy_number,
                        channel=channel,
                        opted_in_at=self._clock(),
                        source="persona_default",
                        opted_out_at=None,
                    )
                )
        except IntegrityError:
            return False
        return True

    def opt_out(self, policy_number: str, channel: Channel) -> bool:
        """Turn alerts off (for e-mail: the unsubscribe flag). True when they were on."""
        with self.engine.begin() as conn:
            changed = conn.execute(
                update(claim_alert_opt_ins)
                .where(
                    claim_alert_opt_ins.c.policy_number == policy_number,
                    claim_alert_opt_ins.c.channel == channel,
                    claim_alert_opt_ins.c.opted_out_at.is_(None),
                )
                .values(opted_out_at=self._clock())
            ).rowcount
        return bool(changed)

    def opt_ins(self, policy_number: str | None = None) -> list[OptIn]:
        """Opt-in rows (active or not), for one policy or all."""
        query = select(claim_alert_opt_ins).order_by(
            claim_alert_opt_ins.c.policy_number, claim_alert_opt_ins.c.channel
        )
        if policy_number is not None:
            query = query.where(claim_alert_opt_ins.c.policy_number == policy_number)
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [
            OptIn(
                row["policy_number"],
                row["channel"],
                as_utc(row["opted_in_at"]),
                row["source"],
                as_utc(row["opted_out_at"]) if row["opted_out_at"] else None,
            )
            for row in rows
        ]

    def is_opted_in(self, policy_number: str, channel: Channel) -> bool:
        return any(o.active and o.channel == channel for o in self.opt_ins(policy_number))

    # --- the cursor ----------------------------------------------------------------------------

    def cursor(self, feed: str) -> int | None:
        with self.engine.connect() as conn:
            value = conn.execute(
                select(claim_alert_cursor.c.last_event_id).where(claim_alert_cursor.c.feed == feed)
            ).scalar()
        return None if value is None else int(value)

    def start_cursor(self, feed: str, at: int) -> int:
        """Create the cursor at ``at`` unless another notifier did first; returns the cursor."""
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    insert(claim_alert_cursor).values(
                        feed=feed, last_event_id=at, updated_at=self._clock()
                    )
                )
        except IntegrityError:
            pass
        value = self.cursor(feed)
        assert value is not None
        return value

    def advance_cursor(self, feed: str, to: int) -> None:
        """Move the cursor forward to ``to`` (never back)."""
        with self.engine.begin() as conn:
            conn.execute(
                update(claim_alert_cursor)
                .where(claim_alert_cursor.c.feed == feed, claim_alert_cursor.c.last_event_id < to)
                .values(last_event_id=to, updated_at=self._clock())
            )

    def reset_cursor(self, feed: str, to: int) -> None:
        """Set the cursor, also backwards: only for a feed that was rebuilt from scratch."""
        with self.engine.begin() as conn:
            conn.execute(
                update(claim_alert_cursor)
                .where(claim_alert_cursor.c.feed == feed)
                .values(last_event_id=to, updated_at=self._clock())
            )

    # --- deliveries ----------------------------------------------------------------------------

    def is_planned(self, change_key: str) -> bool:
        """True when any delivery exists for this change (a re-read can skip the PAS)."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(claim_alert_deliveries.c.id)
                .where(claim_alert_deliveries.c.change_key == change_key)
                .limit(1)
            ).first()
        return row is not None

    def plan(self, delivery: PlannedDelivery) -> bool:
        """Record an alert to send. False when this change already has one on this channel."""
        values: dict[str, Any] = {
            "change_key": delivery.change_key,
            "channel": delivery.channel,
            "claim_number": delivery.claim_number,
            "policy_number": delivery.policy_number,
            "recipient_key": delivery.recipient_key,
            "destination": delivery.destination,
            "time_zone": delivery.time_zone,
            "subject": delivery.subject,
            "body": delivery.body,
            "state": "pending",
            "not_before": delivery.not_before,
            "attempts": 0,
            "created_at": self._clock(),
        }
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(claim_alert_deliveries).values(**values))
        except IntegrityError:
            return False
        return True

    def claim_due(self, owner: str, *, limit: int, lease: timedelta) -> list[DueDelivery]:
        """Take up to ``limit`` deliveries that are due, for ``owner`` alone.

        Candidates are read first, then each is claimed with a conditional UPDATE: when two
        notifiers pick the same row, the database lets exactly one of them change it.
        """
        now = self._clock()
        d = claim_alert_deliveries.c
        claimable = or_(d.state == "pending", and_(d.state == "sending", d.lease_until < now))
        with self.engine.connect() as conn:
            candidates = (
                conn.execute(
                    select(d.id).where(claimable, d.not_before <= now).order_by(d.id).limit(limit)
                )
                .scalars()
                .all()
            )
        taken: list[DueDelivery] = []
        for delivery_id in candidates:
            with self.engine.begin() as conn:
                won = conn.execute(
                    update(claim_alert_deliveries)
                    .where(d.id == delivery_id, claimable, d.not_before <= now)
                    .values(
                        state="sending",
                        claimed_by=owner,
                        lease_until=now + lease,
                        attempts=d.attempts + 1,
                    )
                ).rowcount
                if not won:
                    continue
                row = (
                    conn.execute(select(claim_alert_deliveries).where(d.id == delivery_id))
                    .mappings()
                    .one()
                )
            if row["destination"] is None:
                continue
            taken.append(
                DueDelivery(
                    row["id"],
                    row["channel"],
                    row["policy_number"],
                    row["destination"],
                    row["time_zone"],
                    row["subject"],
                    row["body"],
                    row["attempts"],
                )
            )
        return taken

    def finish(
        self, delivery_id: int, owner: str, state: str, provider_ref: str | None = None
    ) -> None:
        """Record the final state; the destination is forgotten."""
        assert state in FINAL_STATES
        d = claim_alert_deliveries.c
        with self.engine.begin() as conn:
            conn.execute(
                update(claim_alert_deliveries)
                .where(d.id == delivery_id, d.claimed_by == owner, d.state == "sending")
                .values(
                    state=state,
                    provider_ref=provider_ref,
                    destination=None,
                    lease_until=None,
                    finished_at=self._clock(),
                )
            )

    def retry_later(self, delivery_id: int, owner: str, not_before: datetime) -> None:
        """Give a failed send back to the queue for ``not_before``."""
        d = claim_alert_deliveries.c
        with self.engine.begin() as conn:
            conn.execute(
                update(claim_alert_deliveries)
                .where(d.id == delivery_id, d.claimed_by == owner, d.state == "sending")
                .values(state="pending", not_before=not_before, lease_until=None)
            )

    def was_alerted(self, key: str, channel: Channel = "sms") -> bool:
        """True when an alert went to this recipient (keyed digest) on ``channel``."""
        d = claim_alert_deliveries.c
        with self.engine.connect() as conn:
            row = conn.execute(
                select(d.id)
                .where(d.recipient_key == key, d.channel == channel, d.state == "sent")
                .limit(1)
            ).first()
        return row is not None

    def deliveries(self, claim_number: str | None = None) -> list[dict[str, Any]]:
        """Delivery rows (for tests, the CLI and the health page), oldest first."""
        query = select(claim_alert_deliveries).order_by(claim_alert_deliveries.c.id)
        if claim_number is not None:
            query = query.where(claim_alert_deliveries.c.claim_number == claim_number)
        with self.engine.connect() as conn:
            return [dict(row) for row in conn.execute(query).mappings().all()]

    def count_by_state(self) -> dict[str, int]:
        d = claim_alert_deliveries.c
        with self.engine.connect() as conn:
            rows = conn.execute(select(d.state, func.count()).group_by(d.state)).all()
        return {str(state): int(n) for state, n in rows}


def default_opt_ins(
    store: ClaimAlertStore, defaults: Sequence[tuple[str, Sequence[Channel]]]
) -> int:
    """Apply default opt-ins (the sandbox personas'); returns how many rows were added."""
    return sum(
        store.add_default_opt_in(policy, channel)
        for policy, channels in defaults
        for channel in channels
    )
