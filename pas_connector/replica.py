"""Read-only access to the PAS read replica for the three things its API lacks.

Payment history, claim timelines and lookup by phone number live only in the replica tables
(``docs/pas-api.md``). The connection is read-only at the database level — SQLite opened with a
``mode=ro`` URI, PostgreSQL with ``default_transaction_read_only=on`` — so a bug here can never
write to the carrier's data. SQLAlchemy Core calls block, so each query runs in a worker thread.
Engines hide bound parameters from logs and error text: they are policy numbers and phones.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import phonenumbers
from sqlalchemy import column, create_engine, func, select, table
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import QueuePool

from pas_connector.errors import PasProtocolError, PasUnavailable
from pas_connector.models import (
    ClaimChange,
    ClaimEvent,
    ClaimTimeline,
    PaymentRecord,
    PhoneMatch,
)

log = logging.getLogger("pas_connector.replica")

DEFAULT_REGION = "US"

# Lightweight, untyped table clauses: the sandbox (and the carrier) decide the column types, and we
# coerce what comes back (an instant may arrive as a datetime or as ISO text).
replica_payments = table(
    "replica_payments",
    column("id"),
    column("policy_number"),
    column("posted_at"),
    column("amount_cents"),
    column("method"),
    column("status"),
    column("reference"),
)
replica_claim_events = table(
    "replica_claim_events",
    column("id"),
    column("claim_number"),
    column("occurred_at"),
    column("milestone"),
    column("description"),
    column("next_action"),
)
replica_phone_index = table(
    "replica_phone_index",
    column("phone_e164"),
    column("holder_id"),
    column("policy_number"),
)


def read_only_engine(url: str) -> Engine:
    """An engine that cannot write: SQLite via a ``mode=ro`` URI, PostgreSQL via a read-only
    default transaction. Other databases are refused rather than trusted."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        path = parsed.database or ""
        if not path or path == ":memory:" or path.startswith("file:"):
            raise ValueError("the replica must be a SQLite file path (sqlite:///path/to/file)")
        uri = f"sqlite:///file:{quote(path)}?mode=ro&uri=true"
        # A pool instead of SQLAlchemy 1.4's NullPool default for files: no reopen per query.
        return create_engine(
            uri,
            future=True,
            hide_parameters=True,
            poolclass=QueuePool,
            pool_size=4,
            max_overflow=4,
            connect_args={"check_same_thread": False},
        )
    if backend == "postgresql":
        return create_engine(
            parsed,
            future=True,
            pool_pre_ping=True,
            pool_size=5,
            hide_parameters=True,
            connect_args={"options": "-c default_transaction_read_only=on"},
        )
    raise ValueError(f"unsupported replica database: {backend}")


def normalise_phone(raw: str, region: str = DEFAULT_REGION) -> str | None:
    """``raw`` in E.164 (``+15125550101``), or ``None`` when it is not a valid phone number."""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _instant(value: Any) -> datetime:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace(" ", "T", 1))
    else:
        raise PasProtocolError(f"replica instant of unexpected type {type(value).__name__}")
    # The replica stores UTC; a naive value is UTC without its marker.
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment


def _cents(value: Any) -> Decimal:
    return (Decimal(int(value)) / 100).quantize(Decimal("0.01"))


class ReplicaReader:
    """Queries the replica tables; results are connector models."""

    def __init__(self, engine: Engine, *, region: str = DEFAULT_REGION) -> None:
        self._engine = engine
        self._region = region

    @classmethod
    def from_url(cls, url: str) -> ReplicaReader:
        """A reader over a read-only engine for ``url``."""
        return cls(read_only_engine(url))

    async def payment_history(
        self, policy_number: str, limit: int = 12
    ) -> tuple[PaymentRecord, ...]:
        """The latest ``limit`` payments on a policy, newest first."""
        query = (
            select(
                replica_payments.c.posted_at,
                replica_payments.c.amount_cents,
                replica_payments.c.method,
                replica_payments.c.status,
                replica_payments.c.reference,
            )
            .where(replica_payments.c.policy_number == policy_number)
            .order_by(replica_payments.c.posted_at.desc(), replica_payments.c.id.desc())
            .limit(max(1, int(limit)))
        )
        rows = await self._fetch(query, "payment_history")
        try:
            return tuple(
                PaymentRecord(
                    posted_at=_instant(r.posted_at),
                    amount=_cents(r.amount_cents),
                    method=str(r.method),
                    status=str(r.status),
                    reference=str(r.reference or ""),
                )
                for r in rows
            )
        except (ValueError, TypeError, ArithmeticError) as exc:
            raise PasProtocolError("replica payment row malformed") from exc

    async def claim_timeline(self, claim_number: str) -> ClaimTimeline:
        """Every milestone of a claim, oldest first (empty when the replica has none yet)."""
        query = (
            select(
                replica_claim_events.c.occurred_at,
                replica_claim_events.c.milestone,
                replica_claim_events.c.description,
                replica_claim_events.c.next_action,
            )
            .where(replica_claim_events.c.claim_number == claim_number)
            .order_by(replica_claim_events.c.occurred_at, replica_claim_events.c.id)
        )
        rows = await self._fetch(query, "claim_timeline")
        try:
            events = tuple(
                ClaimEvent(
                    occurred_at=_instant(r.occurred_at),
                    milestone=str(r.milestone),
                    description=str(r.description or ""),
                    next_action=r.next_action or None,
                )
                for r in rows
            )
        except (ValueError, TypeError) as exc:
            raise PasProtocolError("replica claim event row malformed") from exc
        return ClaimTimeline(claim_number=claim_number, events=events)

    async def claim_changes_after(self, after_id: int, limit: int = 500) -> tuple[ClaimChange, ...]:
        """Timeline rows with an id above ``after_id``, lowest id first, at most ``limit``.

        The claim timeline doubles as the change feed: the PAS writes one row per milestone, and
        the row id grows with every write. The id is the reader's cursor, nothing more.
        """
        query = (
            select(
                replica_claim_events.c.id,
                replica_claim_events.c.claim_number,
                replica_claim_events.c.occurred_at,
                replica_claim_events.c.milestone,
                replica_claim_events.c.description,
                replica_claim_events.c.next_action,
            )
            .where(replica_claim_events.c.id > int(after_id))
            .order_by(replica_claim_events.c.id)
            .limit(max(1, int(limit)))
        )
        rows = await self._fetch(query, "claim_changes_after")
        try:
            return tuple(
                ClaimChange(
                    event_id=int(r.id),
                    claim_number=str(r.claim_number),
                    occurred_at=_instant(r.occurred_at),
                    milestone=str(r.milestone),
                    description=str(r.description or ""),
                    next_action=r.next_action or None,
                )
                for r in rows
            )
        except (ValueError, TypeError) as exc:
            raise PasProtocolError("replica claim event row malformed") from exc

    async def latest_claim_change_id(self) -> int:
        """The highest timeline row id (0 when the table is empty): where a new reader starts."""
        rows = await self._fetch(
            select(func.max(replica_claim_events.c.id)), "latest_claim_change_id"
        )
        value = rows[0][0] if rows else None
        return int(value) if value is not None else 0

    async def find_by_phone(self, phone: str) -> PhoneMatch | None:
        """The policyholder whose number on file is ``phone``, with their policies.

        ``phone`` may be in any common form (``(512) 555-0101``, ``+1 512 555 0101``; US unless it
        has a country code). ``None`` when it is not a valid number, matches nobody, or matches
        more than one policyholder: a shared number cannot say who is calling.
        """
        e164 = normalise_phone(phone, self._region)
        if e164 is None:
            return None
        query = (
            select(replica_phone_index.c.holder_id, replica_phone_index.c.policy_number)
            .where(replica_phone_index.c.phone_e164 == e164)
            .order_by(replica_phone_index.c.policy_number)
        )
        rows = await self._fetch(query, "find_by_phone")
        holders = {str(r.holder_id) for r in rows}
        if len(holders) != 1:
            if len(holders) > 1:
                log.info("phone lookup matched %d policyholders; treated as no match", len(holders))
            return None
        policies = tuple(dict.fromkeys(str(r.policy_number) for r in rows))
        return PhoneMatch(holder_id=holders.pop(), policy_numbers=policies)

    def dispose(self) -> None:
        """Close pooled connections."""
        self._engine.dispose()

    async def _fetch(self, query: Any, operation: str) -> list[Any]:
        def run() -> list[Any]:
            with self._engine.connect() as conn:
                return list(conn.execute(query))

        try:
            return await asyncio.to_thread(run)
        except SQLAlchemyError as exc:
            log.warning("replica %s failed: %s", operation, type(exc).__name__)
            raise PasUnavailable(f"replica {operation}: {type(exc).__name__}") from exc
