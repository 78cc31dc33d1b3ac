"""The audit trail of PAS access: one ``pas_audit`` row per connector call.

Every call is recorded — PAS requests, cache hits and replica reads — with what was asked, how it
ended, how long it took, whether the cache answered and how many attempts went on the wire. The
reference asked about (policy, claim, policyholder or phone number) is never stored as such:

- ``policy_ref``: HMAC-SHA256 of the reference under ``audit_hash_key``, first 16 hex digits, so a
  staff member who knows a policy number can find its rows, but the table alone reveals nothing;
- ``policy_ref_masked``: a human hint such as ``AUT-***0001``.

The table has its own ``MetaData`` (the connector does not import ``bot``); the engine comes from
the caller. Rows are written behind the calls, in batches, by a worker thread (``AuditLog``).
"""

from __future__ import annotations

import asyncio
import atexit
import hashlib
import hmac
import logging
import re
import sqlite3
import threading
import weakref
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    event,
)
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import QueuePool

from pas_connector.cache import Clock, utc_now

log = logging.getLogger("pas_connector.audit")

Outcome = Literal["ok", "not_found", "rejected", "unavailable", "circuit_open", "stale", "error"]
CacheUse = Literal["hit", "miss", "stale", "none"]

metadata = MetaData()

pas_audit = Table(
    "pas_audit",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("at", DateTime(timezone=True), nullable=False, index=True),
    Column("operation", String(40), nullable=False),
    Column("policy_ref", String(16), nullable=True, index=True),
    Column("policy_ref_masked", String(24), nullable=True),
    Column("outcome", String(16), nullable=False),
    Column("status_code", Integer, nullable=True),
    Column("latency_ms", Float, nullable=False),
    Column("cache", String(8), nullable=False),
    Column("attempts", Integer, nullable=False),
)

_PREFIX = re.compile(r"^([A-Za-z]{1,4}-?)?(.*)$")


def mask_reference(reference: str) -> str:
    """A hint safe to show staff: letter prefix kept, last four characters kept, the rest hidden.

    ``AUT-1000001`` → ``AUT-***0001``, ``H0000001`` → ``H***0001``, ``+15125550101`` → ``***0101``.
    """
    match = _PREFIX.match(reference.strip())
    head, body = (match.group(1) or "", match.group(2)) if match else ("", reference)
    tail = body[-4:] if len(body) > 4 else ""
    return f"{head}***{tail}"


def reference_hash(key: str, reference: str) -> str:
    """First 16 hex digits of HMAC-SHA256 of the normalised reference under ``key``."""
    normalised = reference.strip().upper()
    return hmac.new(key.encode(), normalised.encode(), hashlib.sha256).hexdigest()[:16]


@dataclass(frozen=True)
class AuditEvent:
    """One connector call, as the connector saw it."""

    operation: str
    reference: str | None
    outcome: Outcome
    latency_ms: float
    cache: CacheUse = "none"
    status_code: int | None = None
    attempts: int = 0


def audit_engine(url: str) -> Engine:
    """An engine for the application database when the caller has none to give.

    SQLite gets WAL, ``synchronous=NORMAL`` and a busy timeout (several local processes share the
    file); bound parameters are kept out of logs and error text.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = parsed.database or ""
        if path and path != ":memory:" and not path.startswith("file:"):
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # SQLAlchemy 1.4 gives file SQLite a NullPool: a new connection (and its PRAGMAs) for every
        # audit row, milliseconds each. A small pool keeps an insert near a tenth of a millisecond.
        engine = create_engine(
            url,
            future=True,
            hide_parameters=True,
            poolclass=QueuePool,
            pool_size=4,
            max_overflow=4,
            connect_args={"check_same_thread": False, "timeout": 15},
        )

        def _sqlite_pragmas(dbapi_conn: sqlite3.Connection, _record: object) -> None:
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            # In WAL mode NORMAL survives an application crash and only risks the last commits on
            # power loss; FULL would fsync every audit row (~4 ms each, on every cache hit).
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA busy_timeout=15000")
            cursor.close()

        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, future=True, pool_pre_ping=True, pool_size=5, hide_parameters=True)


class AuditLog:
    """Writes ``pas_audit`` rows behind the calls they describe, in order, in batches.

    ``record`` only queues the row (with its time, taken then) and returns: the PAS answer never
    waits for the audit database. A writer task, running while rows are queued, hands them to a
    worker thread that inserts them in batches of up to ``batch_size`` rows, one transaction per
    batch; rows that arrive while a batch is being written go in the next one. Rows are inserted
    in the order ``record`` was called (one queue, drained under one lock), so ``id`` order is
    call order.

    What is guaranteed:

    - ``flush()`` returns once every row queued before it is committed (or counted as failed);
      ``aclose()`` flushes; at interpreter exit (a normal stop, SIGTERM included) whatever is
      still queued is written synchronously;
    - a failed batch is retried row by row, so one bad row never takes its neighbours with it;
      a row that still fails is logged (without the reference) and counted in ``failed_writes``,
      never raised: an audit database hiccup must not turn a policyholder's answer into an error;
    - if the process dies without running exit handlers (SIGKILL, out of memory, power loss),
      the rows queued but not yet committed are lost: in practice those of the last batch in
      flight and what arrived during it (milliseconds of calls). A committed batch is durable
      as the database makes it (SQLite WAL with ``synchronous=NORMAL`` keeps it across a process
      crash; PostgreSQL as configured).
    """

    def __init__(
        self, engine: Engine, hash_key: str, *, clock: Clock = utc_now, batch_size: int = 200
    ) -> None:
        if not hash_key:
            raise ValueError("audit_hash_key is required")
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self._engine = engine
        self._hash_key = hash_key
        self._clock = clock
        self._batch_size = batch_size
        self.failed_writes = 0
        self._pending: deque[dict[str, object]] = deque()
        # Held while a batch is taken from the queue and written: batches commit in queue order.
        self._write_lock = threading.Lock()
        self._writers: dict[asyncio.AbstractEventLoop, asyncio.Task[None]] = {}
        _live_logs.add(self)

    @property
    def engine(self) -> Engine:
        return self._engine

    @property
    def pending(self) -> int:
        """Rows queued and not yet written."""
        return len(self._pending)

    def hash_reference(self, reference: str) -> str:
        """The ``policy_ref`` value for ``reference`` (to look up a policy's rows)."""
        return reference_hash(self._hash_key, reference)

    async def record(self, entry: AuditEvent) -> None:
        """Queue one row for ``entry``; the writer task inserts it shortly after."""
        self._pending.append(self._row(entry))
        loop = asyncio.get_running_loop()
        writer = self._writers.get(loop)
        if writer is None or writer.done():
            self._writers = {lp: w for lp, w in self._writers.items() if not w.done()}
            self._writers[loop] = loop.create_task(self._drain(), name="pas-audit-writer")

    async def flush(self) -> None:
        """Return once every row queued so far is written (or counted as failed)."""
        while self._pending:
            await asyncio.to_thread(self.write_pending)
        # A batch another thread took from the queue may still be committing: wait for it.
        await asyncio.to_thread(self._wait_for_writes)

    async def aclose(self) -> None:
        """Write what is queued; the engine stays open (its owner disposes of it)."""
        await self.flush()
        for writer in list(self._writers.values()):
            if not writer.done() and writer.get_loop() is asyncio.get_running_loop():
                await writer
        self._writers.clear()

    def write_pending(self) -> None:
        """Write every queued row in this thread, in batches (blocking; the writer's worker)."""
        with self._write_lock:
            while self._pending:
                batch: list[dict[str, object]] = []
                while self._pending and len(batch) < self._batch_size:
                    batch.append(self._pending.popleft())
                self._write(batch)

    async def _drain(self) -> None:
        while self._pending:
            await asyncio.to_thread(self.write_pending)

    def _wait_for_writes(self) -> None:
        with self._write_lock:
            pass

    def _write(self, batch: list[dict[str, object]]) -> None:
        try:
            with self._engine.begin() as conn:
                conn.execute(pas_audit.insert(), batch)
            return
        except SQLAlchemyError:
            if len(batch) == 1:
                self._failed(batch[0], "write")
                return
        for row in batch:  # the batch failed: find the row(s) at fault, keep the rest
            try:
                with self._engine.begin() as conn:
                    conn.execute(pas_audit.insert(), [row])
            except SQLAlchemyError as exc:
                self._failed(row, type(exc).__name__)

    def _failed(self, row: dict[str, object], reason: str) -> None:
        self.failed_writes += 1
        log.error("pas_audit write failed for %s: %s", row["operation"], reason)

    def _row(self, entry: AuditEvent) -> dict[str, object]:
        return {
            "at": self._clock(),
            "operation": entry.operation,
            "policy_ref": (
                None if entry.reference is None else reference_hash(self._hash_key, entry.reference)
            ),
            "policy_ref_masked": (
                None if entry.reference is None else mask_reference(entry.reference)
            ),
            "outcome": entry.outcome,
            "status_code": entry.status_code,
            "latency_ms": round(entry.latency_ms, 3),
            "cache": entry.cache,
            "attempts": entry.attempts,
        }


# Every live log, so rows still queued when the interpreter exits are written (see AuditLog).
_live_logs: weakref.WeakSet[AuditLog] = weakref.WeakSet()


@atexit.register
def _write_queued_rows_at_exit() -> None:
    for audit_log in list(_live_logs):
        if audit_log.pending:
            try:
                audit_log.write_pending()
            except Exception:  # the engine may be disposed or the database gone: nothing to do
                log.error("pas_audit: %d queued rows not written at exit", audit_log.pending)
