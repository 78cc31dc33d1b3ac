"""The account audit trail: sign-ins, failures, lockouts, MFA changes, new devices.

``detail`` holds labels and reasons only ("Chrome on Android", "wrong_password"), never e-mail
addresses, phone numbers, codes or IP addresses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Connection, Engine

from bot.accounts.tables import account_audit
from bot.clock import Clock, as_utc, utc_now


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    account_id: int | None
    event: str
    detail: str


class AccountAudit:
    def __init__(self, engine: Engine, *, clock: Clock = utc_now) -> None:
        self._engine = engine
        self._clock = clock

    def record(
        self,
        event: str,
        account_id: int | None = None,
        detail: str = "",
        *,
        conn: Connection | None = None,
    ) -> None:
        values = {"at": self._clock(), "account_id": account_id, "event": event, "detail": detail}
        if conn is not None:
            conn.execute(insert(account_audit).values(**values))
            return
        with self._engine.begin() as own:
            own.execute(insert(account_audit).values(**values))

    def count(self, event: str, detail: str, within: timedelta) -> int:
        """How many ``event`` rows with exactly ``detail`` were recorded in the last ``within``."""
        since = self._clock() - within
        with self._engine.connect() as conn:
            return int(
                conn.execute(
                    select(func.count())
                    .select_from(account_audit)
                    .where(account_audit.c.event == event)
                    .where(account_audit.c.detail == detail)
                    .where(account_audit.c.at > since)
                ).scalar_one()
            )

    def entries(self, account_id: int | None = None, *, limit: int = 100) -> list[AuditEntry]:
        """Newest first."""
        query = select(account_audit).order_by(account_audit.c.id.desc()).limit(limit)
        if account_id is not None:
            query = query.where(account_audit.c.account_id == account_id)
        with self._engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [AuditEntry(as_utc(r["at"]), r["account_id"], r["event"], r["detail"]) for r in rows]
