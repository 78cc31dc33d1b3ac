"""The sign-in lock, counted per e-mail address whether or not an account has that address.

Wrong passwords and wrong second-factor codes count against a *subject*: a keyed digest of the
normalised sign-in e-mail (``keyed_hash``), never the address itself. An address nobody
registered is counted and locked exactly like a registered one, so whether guessing at it ever
locks says nothing about it. ``max_failures`` failures in a row lock the subject for
``lockout_s``; a failure while it is locked is not counted (the lock stands as it is); a
successful second factor clears the count.

Every write is a single conditional UPDATE (or the first INSERT), so concurrent failures on
several web processes count together and exactly one of them locks: ``record_failure`` returns
True to that one only (it sends the owner's notice).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Column, DateTime, Integer, String, Table, delete, insert, or_, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.elements import ColumnElement

from bot.accounts.accounts import normalise_email
from bot.clock import Clock, as_utc, utc_now
from bot.db import metadata
from bot.keyed_digest import keyed_digest

sign_in_lockouts = Table(
    "sign_in_lockouts",
    metadata,
    Column("subject", String(64), primary_key=True),  # keyed digest of the normalised e-mail
    Column("failures", Integer, nullable=False),  # in a row, since the last lock or success
    Column("locked_until", DateTime(timezone=True), nullable=True),
)


@dataclass(frozen=True)
class LockoutPolicy:
    """``max_failures`` wrong passwords or codes in a row lock an address for ``lockout_s``."""

    max_failures: int = 5
    lockout_s: int = 900

    @property
    def source_max_failures(self) -> int:
        """Refused sign-ins one client address may make per ``lockout_s``: fewer than the lock
        needs, so one address is throttled before its guesses can lock anybody out."""
        return max(1, self.max_failures - 1)


class SignInLockouts:
    def __init__(
        self, engine: Engine, key: str, policy: LockoutPolicy, *, clock: Clock = utc_now
    ) -> None:
        self._engine = engine
        self._key = key
        self.policy = policy
        self._clock = clock

    def subject(self, email: str) -> str:
        """The subject an e-mail address is counted under."""
        return keyed_digest(self._key, "sign-in-lockout", normalise_email(email))

    def locked(self, subject: str) -> bool:
        now = self._clock()
        with self._engine.connect() as conn:
            until = conn.execute(
                select(sign_in_lockouts.c.locked_until).where(sign_in_lockouts.c.subject == subject)
            ).scalar_one_or_none()
        return until is not None and as_utc(until) > now

    def record_failure(self, subject: str) -> bool:
        """Count one failure; True when this failure is the one that locked ``subject``."""
        now = self._clock()
        for _attempt in range(2):
            try:
                with self._engine.begin() as conn:
                    return self._count(conn, subject, now)
            except IntegrityError:
                continue  # another process inserted the first failure meanwhile: count again
        raise RuntimeError("could not record a sign-in failure")

    def _count(self, conn: Connection, subject: str, now: datetime) -> bool:
        this = sign_in_lockouts.c.subject == subject
        counted = conn.execute(
            update(sign_in_lockouts)
            .where(this, _not_locked(now))
            .values(failures=sign_in_lockouts.c.failures + 1)
        )
        if counted.rowcount == 0:
            exists = conn.execute(select(sign_in_lockouts.c.subject).where(this)).first()
            if exists is not None:
                return False  # locked: the lock stands as it is
            conn.execute(insert(sign_in_lockouts).values(subject=subject, failures=1))
        locked = conn.execute(
            update(sign_in_lockouts)
            .where(this, _not_locked(now))
            .where(sign_in_lockouts.c.failures >= self.policy.max_failures)
            .values(failures=0, locked_until=now + timedelta(seconds=self.policy.lockout_s))
        )
        return int(locked.rowcount) == 1

    def clear(self, subject: str) -> None:
        """Forget the failures of ``subject`` (a second factor was right)."""
        with self._engine.begin() as conn:
            conn.execute(delete(sign_in_lockouts).where(sign_in_lockouts.c.subject == subject))


def _not_locked(now: datetime) -> ColumnElement[bool]:
    return or_(sign_in_lockouts.c.locked_until.is_(None), sign_in_lockouts.c.locked_until <= now)
