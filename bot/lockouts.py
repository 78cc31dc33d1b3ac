"""Failure counting and lockouts, the one store: chat identity and web sign-in.

A failure counts against every *subject* it concerns. Subjects are keyed digests written by the
caller (``bot.keyed_digest``), namespaced by kind ("conversation:…", "source:…", "holder:…",
"sign-in:…"), so no identifier is stored. Each use picks its ``LockoutPolicy``: chat identity
locks a conversation and its number after 3 failures and a policyholder's knowledge route after
``IDENTITY_HOLDER_MAX_FAILURES``; web sign-in locks an e-mail address after
``AUTH_LOGIN_MAX_FAILURES`` wrong passwords or codes in a row.

- A failure while a subject is locked is not counted: the lock stands as it is.
- A lock ends by itself after the policy's ``lock_period``; the next failure counts from 1.
- With ``forget_after``, a failure older than that no longer counts (chat); without it, failures
  count until a success clears them (sign-in: "in a row").

Every count is one conditional UPDATE (or the first INSERT) and the lock another, so several
processes count together and exactly one caller sees ``newly_locked`` (it tells the owner).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Column, DateTime, Integer, String, Table, case, insert, or_, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.elements import ColumnElement

from bot.clock import Clock, as_utc, utc_now
from bot.db import metadata

lockouts = Table(
    "lockouts",
    metadata,
    # "<kind>:<keyed digest>"
    Column("subject", String(96), primary_key=True),
    # Counted failures since the last success or lock (set to the limit when it locks).
    Column("failures", Integer, nullable=False),
    Column("last_failure_at", DateTime(timezone=True), nullable=False),
    Column("locked_until", DateTime(timezone=True), nullable=True),
)


@dataclass(frozen=True)
class LockoutPolicy:
    """``max_failures`` counted failures lock for ``lock_period``."""

    max_failures: int
    lock_period: timedelta
    # Failures older than this stop counting; None: they count until a success or a lock.
    forget_after: timedelta | None = None

    @property
    def source_max_failures(self) -> int:
        """Refused sign-ins one client address may make per lock period: fewer than the lock
        needs, so one address is throttled before its guesses can lock anybody out."""
        return max(1, self.max_failures - 1)


@dataclass(frozen=True)
class LockState:
    """How many failures count now and, when locked, until when."""

    failures: int
    locked_until: datetime | None
    # This call's failure is the one that locked (exactly one caller sees it).
    newly_locked: bool = False

    @property
    def locked(self) -> bool:
        return self.locked_until is not None


class LockoutStore:
    """Counts failures per subject in the application database and locks by ``policy``."""

    def __init__(self, engine: Engine, policy: LockoutPolicy, *, clock: Clock = utc_now) -> None:
        self._engine = engine
        self.policy = policy
        self._clock = clock

    def state(self, subjects: Iterable[str]) -> LockState:
        """The most restrictive state over ``subjects`` (locked if any one is locked)."""
        keys = list(dict.fromkeys(subjects))
        with self._engine.connect() as conn:
            return self._state(conn, keys, self._clock())

    def locked(self, subject: str) -> bool:
        return self.state([subject]).locked

    def record_failure(self, subjects: Iterable[str]) -> LockState:
        """Count one failure against each subject; lock them all when any reaches the limit."""
        keys = list(dict.fromkeys(subjects))
        now = self._clock()
        worst = max((self._count(key, now) for key in keys), default=0)
        newly_locked = False
        if worst >= self.policy.max_failures:
            with self._engine.begin() as conn:
                locked = conn.execute(
                    update(lockouts)
                    .where(lockouts.c.subject.in_(keys), _not_locked(now))
                    .values(
                        locked_until=now + self.policy.lock_period,
                        failures=self.policy.max_failures,
                    )
                )
                newly_locked = int(locked.rowcount) > 0
        with self._engine.connect() as conn:
            state = self._state(conn, keys, now)
        return LockState(max(worst, state.failures), state.locked_until, newly_locked)

    def clear(self, subjects: Iterable[str]) -> None:
        """Forget the failures of ``subjects`` (after a success)."""
        with self._engine.begin() as conn:
            conn.execute(lockouts.delete().where(lockouts.c.subject.in_(list(subjects))))

    def _count(self, key: str, now: datetime) -> int:
        for _attempt in range(2):
            try:
                with self._engine.begin() as conn:
                    return self._count_in(conn, key, now)
            except IntegrityError:
                continue  # another process inserted the first failure meanwhile: count again
        raise RuntimeError("could not record a failure")

    def _count_in(self, conn: Connection, key: str, now: datetime) -> int:
        this = lockouts.c.subject == key
        start_again: ColumnElement[bool] = lockouts.c.locked_until.is_not(None)  # lock over
        if self.policy.forget_after is not None:
            start_again = or_(
                start_again, lockouts.c.last_failure_at <= now - self.policy.forget_after
            )
        counted = conn.execute(
            update(lockouts)
            .where(this, _not_locked(now))
            .values(
                failures=case((start_again, 1), else_=lockouts.c.failures + 1),
                last_failure_at=now,
                locked_until=None,
            )
        )
        if counted.rowcount == 0:
            row = conn.execute(select(lockouts.c.failures).where(this)).first()
            if row is not None:
                return int(row.failures)  # locked: the lock stands as it is
            conn.execute(insert(lockouts).values(subject=key, failures=1, last_failure_at=now))
            return 1
        return int(conn.execute(select(lockouts.c.failures).where(this)).scalar_one())

    def _state(self, conn: Connection, keys: list[str], now: datetime) -> LockState:
        rows = conn.execute(select(lockouts).where(lockouts.c.subject.in_(keys))).all()
        failures, locked_until = 0, None
        for row in rows:
            until = as_utc(row.locked_until) if row.locked_until is not None else None
            if until is not None and until > now:
                locked_until = max(locked_until or until, until)
                failures = max(failures, int(row.failures))
                continue
            if until is not None:
                continue  # the lock is over: nothing counts any more
            forget = self.policy.forget_after
            if forget is None or now - as_utc(row.last_failure_at) < forget:
                failures = max(failures, int(row.failures))
        return LockState(failures=failures, locked_until=locked_until)


def _not_locked(now: datetime) -> ColumnElement[bool]:
    return or_(lockouts.c.locked_until.is_(None), lockouts.c.locked_until <= now)
