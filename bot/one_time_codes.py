"""One-time codes, the one store: web sign-in, registration, step-up and anonymous web chat.

NIST 800-63B out-of-band rules, with the limits each use chooses (``CodePolicy``):

- 6 random digits from ``secrets``; stored as a keyed digest (``bot.keyed_digest``), never in
  clear nor in a log;
- valid for the policy's ``lifetime``, for one use, for the purpose and subject it was issued
  for; a new code replaces the previous unused one (only the latest works);
- at most the policy's ``max_attempts`` wrong entries, then it is burnt. The limits are written
  on the row when the code is issued, so every process checks a code by the rules it was sent
  under.

How many codes may be *sent* is not decided here: callers spend the one send budget of codes
(``bot.conversation.send_budget``) before they issue one. The rows live in the application
database, so any process can check a code another one issued.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from sqlalchemy import Column, DateTime, Integer, String, Table, and_, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.sql.dml import Update

from bot.clock import Clock, as_utc, utc_now
from bot.db import metadata
from bot.keyed_digest import digests_equal, keyed_digest

CODE_DIGITS = 6

CodeStatus = Literal["ok", "wrong", "expired", "too_many_attempts", "none"]

one_time_codes = Table(
    "one_time_codes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # What the code proves: "registration" | "sign_in" | "step_up" | "enrol" | "chat"
    Column("purpose", String(16), nullable=False),
    # Who may use it: "account:<id>", a registration flow id, "conversation:<pseudonym>"
    Column("subject", String(96), nullable=False, index=True),
    # The policyholder the code was sent for, when the check must say who (chat).
    Column("holder_id", String(64), nullable=True),
    # hex HMAC-SHA256 of the code under the hash key, the purpose and the subject
    Column("code_hash", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("max_attempts", Integer, nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    # Set when the code is accepted, replaced or burnt by wrong entries.
    Column("used_at", DateTime(timezone=True), nullable=True),
)


@dataclass(frozen=True)
class CodePolicy:
    """How long a code of one use lives and how many wrong entries burn it."""

    lifetime: timedelta
    max_attempts: int

    @property
    def minutes(self) -> int:
        """The lifetime in whole minutes, for the message that carries the code."""
        return int(self.lifetime.total_seconds() // 60)


@dataclass(frozen=True)
class CodeCheck:
    """What an entered code turned out to be.

    ``too_many_attempts``: this entry was wrong and used the code up (later entries: ``none``).
    ``none``: no live code (never sent, already used, replaced or burnt).
    """

    status: CodeStatus
    holder_id: str | None = None
    attempts_left: int = 0


def random_code() -> str:
    """A uniformly random 6-digit code (leading zeros kept)."""
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def read_code(text: str) -> str | None:
    """The 6-digit code in what the person typed (``"482 913"``, ``"code: 482-913"``), if any."""
    digits = "".join(ch for ch in text if ch.isdigit())
    return digits if len(digits) == CODE_DIGITS else None


class OneTimeCodes:
    """Issues and checks codes; the caller sends them (and spends the send budget first)."""

    def __init__(
        self,
        engine: Engine,
        key: str,
        *,
        clock: Clock = utc_now,
        generate: Callable[[], str] = random_code,
    ) -> None:
        self._engine = engine
        self._key = key
        self._clock = clock
        self._generate = generate

    def _digest(self, purpose: str, subject: str, code: str) -> str:
        return keyed_digest(self._key, f"otc:{purpose}:{subject}", code)

    def issue(
        self, purpose: str, subject: str, policy: CodePolicy, *, holder_id: str | None = None
    ) -> str:
        """A new code for ``subject`` under ``policy``; any earlier unused one stops working."""
        now = self._clock()
        code = self._generate()
        with self._engine.begin() as conn:
            conn.execute(self._live(purpose, subject).values(used_at=now))  # superseded
            conn.execute(
                insert(one_time_codes).values(
                    purpose=purpose,
                    subject=subject,
                    holder_id=holder_id,
                    code_hash=self._digest(purpose, subject, code),
                    created_at=now,
                    expires_at=now + policy.lifetime,
                    max_attempts=policy.max_attempts,
                    attempts=0,
                )
            )
        return code

    def withdraw(self, purpose: str, subject: str) -> None:
        """The live code was never delivered: it must not work."""
        with self._engine.begin() as conn:
            conn.execute(self._live(purpose, subject).values(used_at=self._clock()))

    def check(self, purpose: str, subject: str, code: str) -> CodeCheck:
        """Spend ``code`` if it is the live one; otherwise say why not (and count a wrong one)."""
        cleaned = "".join(code.split())
        now = self._clock()
        table = one_time_codes
        with self._engine.begin() as conn:
            row = (
                conn.execute(
                    select(table)
                    .where(table.c.purpose == purpose, table.c.subject == subject)
                    .where(table.c.used_at.is_(None))
                    .order_by(table.c.id.desc())
                    .limit(1)
                    .with_for_update()
                )
                .mappings()
                .first()
            )
            if row is None:
                return CodeCheck("none")
            holder_id = row["holder_id"]
            if as_utc(row["expires_at"]) <= now:
                return CodeCheck("expired", holder_id)
            this = and_(table.c.id == row["id"], table.c.used_at.is_(None))
            if cleaned.isdigit() and digests_equal(
                row["code_hash"], self._digest(purpose, subject, cleaned)
            ):
                spent = conn.execute(update(table).where(this).values(used_at=now))
                return CodeCheck("ok", holder_id) if spent.rowcount == 1 else CodeCheck("none")
            attempts = row["attempts"] + 1
            left = max(row["max_attempts"] - attempts, 0)
            burnt = {"used_at": now} if left == 0 else {}
            conn.execute(update(table).where(this).values(attempts=attempts, **burnt))
            if left == 0:
                return CodeCheck("too_many_attempts", holder_id)
            return CodeCheck("wrong", holder_id, attempts_left=left)

    @staticmethod
    def _live(purpose: str, subject: str) -> Update:
        table = one_time_codes
        return (
            update(table)
            .where(table.c.purpose == purpose, table.c.subject == subject)
            .where(table.c.used_at.is_(None))
        )
