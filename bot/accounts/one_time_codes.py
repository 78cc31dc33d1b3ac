"""One-time codes sent by SMS (or e-mail): registration, SMS sign-in, step-up, SMS enrolment.

NIST 800-63B out-of-band rules, plus limits of our own:

- 6 random digits from ``secrets``; stored as a keyed hash, never in clear or in a log;
- valid for ``ttl_s`` (10 minutes), for one use, for the purpose and subject it was issued for;
- a new code replaces the previous unused one (only the latest works);
- at most ``max_attempts`` wrong entries per code, then it is burnt.

How many codes may be sent is not decided here: callers spend the one send budget of codes
(``bot.conversation.send_budget``, shared with the chat) before they issue one.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from sqlalchemy import and_, insert, select, update
from sqlalchemy.engine import Engine

from bot.accounts.tables import account_codes
from bot.clock import Clock, as_utc, utc_now
from bot.keyed_digest import digests_equal, keyed_digest

CodePurpose = Literal["registration", "sign_in", "step_up", "enrol"]
CodeCheck = Literal["ok", "wrong", "expired", "too_many_attempts", "none"]


@dataclass(frozen=True)
class CodeLimits:
    ttl_s: int = 600
    max_attempts: int = 5


class OneTimeCodes:
    def __init__(
        self, engine: Engine, key: str, limits: CodeLimits, *, clock: Clock = utc_now
    ) -> None:
        self._engine = engine
        self._key = key
        self._limits = limits
        self._clock = clock

    def _digest(self, purpose: str, subject: str, code: str) -> str:
        return keyed_digest(self._key, f"otc:{purpose}:{subject}", code)

    def issue(self, purpose: CodePurpose, subject: str) -> str:
        """A new code for ``subject`` (the caller has spent the send budget and sends it)."""
        now = self._clock()
        with self._engine.begin() as conn:
            conn.execute(
                update(account_codes)
                .where(account_codes.c.purpose == purpose)
                .where(account_codes.c.subject == subject)
                .where(account_codes.c.used_at.is_(None))
                .values(used_at=now)  # superseded
            )
            code = f"{secrets.randbelow(1_000_000):06d}"
            conn.execute(
                insert(account_codes).values(
                    purpose=purpose,
                    subject=subject,
                    code_hash=self._digest(purpose, subject, code),
                    created_at=now,
                    expires_at=now + timedelta(seconds=self._limits.ttl_s),
                    attempts=0,
                )
            )
        return code

    def check(self, purpose: CodePurpose, subject: str, code: str) -> CodeCheck:
        """Spend ``code`` if it is the live one; otherwise say why not."""
        cleaned = "".join(code.split())
        now = self._clock()
        with self._engine.begin() as conn:
            row = (
                conn.execute(
                    select(account_codes)
                    .where(account_codes.c.purpose == purpose)
                    .where(account_codes.c.subject == subject)
                    .where(account_codes.c.used_at.is_(None))
                    .order_by(account_codes.c.id.desc())
                    .limit(1)
                )
                .mappings()
                .first()
            )
            if row is None:
                return "none"
            if as_utc(row["expires_at"]) <= now:
                return "expired"
            if row["attempts"] >= self._limits.max_attempts:
                return "too_many_attempts"
            if cleaned.isdigit() and digests_equal(
                row["code_hash"], self._digest(purpose, subject, cleaned)
            ):
                spent = conn.execute(
                    update(account_codes)
                    .where(and_(account_codes.c.id == row["id"], account_codes.c.used_at.is_(None)))
                    .values(used_at=now)
                )
                return "ok" if spent.rowcount == 1 else "none"
            conn.execute(
                update(account_codes)
                .where(account_codes.c.id == row["id"])
                .values(attempts=account_codes.c.attempts + 1)
            )
            return (
                "too_many_attempts" if row["attempts"] + 1 >= self._limits.max_attempts else "wrong"
            )
