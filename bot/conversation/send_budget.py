"""One send budget for one-time codes, whatever asks for the code (docs/architecture.md "Identity").

Web sign-in, registration, step-up and enrolment (``bot.accounts``) and the web chat's possession
check (``bot.conversation.one_time_codes``) all text codes to a policyholder's number on file.
Each code first spends one unit from three budgets at once, each a sliding window
(``CodeSendSettings``, 3 per 15 minutes by default for the first two):

- the policyholder it is for, whichever channel or conversation asks;
- the destination number (E.164), so a number on file for several holders is not pumped either;
- the source of the request, as the caller names it: the client address (web), the sending or
  calling number (SMS, voice), the chat session (web chat).

All or nothing: when any one is spent nothing is counted, no code is made and no text goes out;
``SendLimitReached`` says when the earliest spent budget frees up. A send that the SMS provider
then refuses still counts (the budget guards our texting, not its outcome).

Stored in the application database, one row per budget (a keyed pseudonym, never a holder id
or a number), so every process and server counts together. A spend is one transaction that first
locks its rows in a fixed order (PostgreSQL row locks; on SQLite the first write takes the
database's write lock), then reads, decides and writes: concurrent sends never overshoot.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from sqlalchemy import Column, String, Table, Text, insert, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from bot.clock import Clock, utc_now
from bot.db import metadata
from bot.keyed_digest import pseudonym
from bot.phone_numbers import to_e164
from bot.settings import CodeSendSettings

logger = logging.getLogger(__name__)

Budget = Literal["holder", "destination", "source"]
SourceKind = Literal["ip", "phone", "chat"]

one_time_code_sends = Table(
    "one_time_code_sends",
    metadata,
    # "holder:<pseudonym>", "destination:<pseudonym>" or "source:<pseudonym>"
    Column("subject", String(64), primary_key=True),
    # Unix seconds (UTC) of the sends still counted, oldest first, separated by spaces
    Column("sent_at", Text, nullable=False),
)


class SendLimitReached(Exception):
    """A budget for this code is spent: nothing was counted and no code may be sent."""

    def __init__(self, budget: Budget, retry_after: timedelta) -> None:
        super().__init__(f"one-time code send budget spent: {budget}")
        self.budget = budget
        # How long until every spent budget has room again.
        self.retry_after = retry_after


@dataclass(frozen=True)
class SendSource:
    """Where the request for a code came from (named by the adapter that received it)."""

    kind: SourceKind
    value: str

    @classmethod
    def ip(cls, address: str) -> SendSource:
        """A web request's client address."""
        return cls("ip", address.strip().lower())

    @classmethod
    def phone(cls, number: str) -> SendSource:
        """The number an SMS came from or a call comes from."""
        return cls("phone", to_e164(number) or number.strip())

    @classmethod
    def chat(cls, conversation_id: str) -> SendSource:
        """A web chat session (its conversation id)."""
        return cls("chat", conversation_id)


class SendBudget:
    """Spends the per-holder, per-destination and per-source budgets of one-time codes."""

    def __init__(
        self,
        engine: Engine,
        limits: CodeSendSettings,
        *,
        hash_key: str,
        clock: Clock = utc_now,
    ) -> None:
        self._engine = engine
        self._limits = limits
        self._hash_key = hash_key
        self._clock = clock

    def spend(self, *, holder_id: str, destination: str | None, source: SendSource) -> None:
        """Count one code for ``holder_id`` to ``destination`` (E.164; ``None`` for e-mail)
        requested from ``source``; raises ``SendLimitReached`` when any budget is spent."""
        budgets: dict[str, tuple[Budget, int]] = {
            self._subject("holder", holder_id): ("holder", self._limits.per_holder),
            self._subject("source", f"{source.kind}:{source.value}"): (
                "source",
                self._limits.per_source,
            ),
        }
        if destination is not None:
            budgets[self._subject("destination", destination)] = (
                "destination",
                self._limits.per_destination,
            )
        self._ensure_rows(budgets)
        now = self._clock().timestamp()
        with self._engine.begin() as conn:
            refused = self._spend_in(conn, budgets, now)
            if refused is not None:
                logger.info("one-time code refused: %s send budget spent", refused.budget)
                raise refused  # leaving the block rolls the locks back; nothing was counted

    def _subject(self, budget: Budget, value: str) -> str:
        return f"{budget}:{pseudonym(self._hash_key, f'code-sends-{budget}', value)}"

    def _ensure_rows(self, subjects: Iterable[str]) -> None:
        """Create the missing rows first, so the spend can lock every one of them.

        Rows are never deleted, so once there they stay there for the locking step.
        """
        wanted = list(subjects)
        with self._engine.connect() as conn:
            present = set(
                conn.execute(
                    select(one_time_code_sends.c.subject).where(
                        one_time_code_sends.c.subject.in_(wanted)
                    )
                ).scalars()
            )
        for subject in wanted:
            if subject in present:
                continue
            try:
                with self._engine.begin() as conn:
                    conn.execute(insert(one_time_code_sends).values(subject=subject, sent_at=""))
            except IntegrityError:
                pass  # another process created it meanwhile: that is all we wanted

    def _spend_in(
        self, conn: Connection, budgets: Mapping[str, tuple[Budget, int]], now: float
    ) -> SendLimitReached | None:
        table = one_time_code_sends
        order = sorted(budgets)
        # Lock first, always in the same order (no deadlock between two spends on PostgreSQL);
        # on SQLite this first write takes the write lock before anything is read.
        for subject in order:
            conn.execute(
                update(table).where(table.c.subject == subject).values(sent_at=table.c.sent_at)
            )
        rows = conn.execute(select(table).where(table.c.subject.in_(order))).all()
        stored = {row.subject: row.sent_at for row in rows}
        window = float(self._limits.window_s)
        counted: dict[str, list[float]] = {}
        refusal: SendLimitReached | None = None
        for subject in order:
            budget, limit = budgets[subject]
            recent = [t for t in _instants(stored.get(subject, "")) if now - t < window]
            counted[subject] = recent
            if len(recent) >= limit:
                # Room again when the limit-th newest send leaves the window.
                wait = timedelta(seconds=max(0.0, recent[-limit] + window - now))
                if refusal is None or wait > refusal.retry_after:
                    refusal = SendLimitReached(budget, wait)
        if refusal is not None:
            return refusal
        for subject in order:
            _, limit = budgets[subject]
            kept = [*counted[subject], now][-limit:]
            conn.execute(
                update(table)
                .where(table.c.subject == subject)
                .values(sent_at=" ".join(repr(t) for t in kept))
            )
        return None


def _instants(text: str) -> list[float]:
    return sorted(float(part) for part in text.split())
