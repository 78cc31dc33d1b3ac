"""Failed-verification counting and the 15-minute lockout, kept in the application database.

Each failure is counted against every *subject* it concerns: the conversation (always) and the
policyholder when one was found. Subjects are pseudonyms (``pseudonyms.pseudonym``), so neither the
conversation id nor the holder id is stored. Keying by policyholder means a new conversation (a
new call, a restart) does not reset the count; keying by conversation means guessing different
policy numbers in one conversation is counted too.

A failure older than the lock period no longer counts; a lock ends by itself after the period.
Writes are one short transaction per subject with the row locked (PostgreSQL) or the database
locked (SQLite), so several action servers can count together.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import Column, Float, Integer, String, Table, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from bot.clock import Clock, utc_now
from bot.db import metadata

MAX_FAILURES = 3
LOCK_PERIOD = timedelta(minutes=15)

verification_failures = Table(
    "verification_failures",
    metadata,
    # "holder:<pseudonym>" or "conversation:<pseudonym>"
    Column("subject", String(64), primary_key=True),
    Column("failures", Integer, nullable=False),
    # Unix seconds, UTC
    Column("last_failure_at", Float, nullable=False),
    Column("locked_until", Float, nullable=True),
)


@dataclass(frozen=True)
class LockState:
    """How many failures are counted now and, when locked, until when."""

    failures: int
    locked_until: datetime | None

    @property
    def locked(self) -> bool:
        return self.locked_until is not None


class LockoutStore:
    """Counts failed verifications per subject and locks after ``max_failures``."""

    def __init__(
        self,
        engine: Engine,
        *,
        clock: Clock = utc_now,
        max_failures: int = MAX_FAILURES,
        lock_period: timedelta = LOCK_PERIOD,
    ) -> None:
        self._engine = engine
        self._clock = clock
        self._max_failures = max_failures
        self._lock_period = lock_period

    def state(self, subjects: Iterable[str]) -> LockState:
        """The most restrictive state over ``subjects`` (locked if any one is locked)."""
        now = self._clock().timestamp()
        keys = list(subjects)
        with self._engine.connect() as conn:
            rows = conn.execute(
                select(verification_failures).where(verification_failures.c.subject.in_(keys))
            ).all()
        failures, locked_until = 0, None
        for row in rows:
            if row.locked_until is not None and row.locked_until > now:
                locked_until = max(locked_until or 0.0, row.locked_until)
            if now - row.last_failure_at < self._lock_period.total_seconds():
                failures = max(failures, row.failures)
        return LockState(failures=failures, locked_until=_instant(locked_until))

    def record_failure(self, subjects: Iterable[str]) -> LockState:
        """Count one failure against each subject; lock them all when any reaches the limit."""
        keys = list(dict.fromkeys(subjects))
        now = self._clock().timestamp()
        counts = [self._increment(key, now) for key in keys]
        worst = max(counts, default=0)
        if worst >= self._max_failures:
            until = now + self._lock_period.total_seconds()
            with self._engine.begin() as conn:
                for key in keys:
                    conn.execute(
                        verification_failures.update()
                        .where(verification_failures.c.subject == key)
                        .values(locked_until=until, failures=self._max_failures)
                    )
            return LockState(failures=worst, locked_until=_instant(until))
        return LockState(failures=worst, locked_until=None)

    def clear(self, subjects: Iterable[str]) -> None:
        """Forget the failures of ``subjects`` (after a successful verification)."""
        with self._engine.begin() as conn:
            conn.execute(
                verification_failures.delete().where(
                    verification_failures.c.subject.in_(list(subjects))
                )
            )

    def _increment(self, key: str, now: float) -> int:
        for _attempt in range(2):
            try:
                with self._engine.begin() as conn:
                    return self._increment_in(conn, key, now)
            except IntegrityError:
                # Another process inserted the row between our read and insert: count again.
                continue
        raise RuntimeError("could not record a verification failure")

    def _increment_in(self, conn: Connection, key: str, now: float) -> int:
        row = conn.execute(
            select(verification_failures)
            .where(verification_failures.c.subject == key)
            .with_for_update()
        ).first()
        if row is None:
            conn.execute(
                verification_failures.insert().values(
                    subject=key, failures=1, last_failure_at=now, locked_until=None
                )
            )
            return 1
        if row.locked_until is not None and row.locked_until > now:
            return int(row.failures)  # already locked: the lock stands as it is
        expired = now - row.last_failure_at >= self._lock_period.total_seconds()
        lock_over = row.locked_until is not None and row.locked_until <= now
        failures = 1 if expired or lock_over else row.failures + 1
        conn.execute(
            verification_failures.update()
            .where(verification_failures.c.subject == key)
            .values(failures=failures, last_failure_at=now, locked_until=None)
        )
        return failures


def _instant(seconds: float | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, tz=timezone.utc)
