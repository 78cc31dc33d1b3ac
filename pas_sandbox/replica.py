"""The PAS read replica: the three tables the API lacks (``docs/pas-api.md``).

The sandbox stands in for database replication: it (re)creates and fills the tables when it
seeds, and appends a row whenever a payment posts or a claim advances. The connector reads them
with its own read-only connection. Instants are stored in UTC; SQLite hands them back naive
(read them as UTC), PostgreSQL as ``timestamptz``.

Seeding deletes and re-inserts inside one transaction with ``executemany``, so a reader sees the
old or the new book, never half of one.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    create_engine,
    event,
    func,
    select,
)
from sqlalchemy.engine import Connection, Engine

from pas_sandbox.book import Book
from pas_sandbox.records import ClaimEventRow, PaymentRow

metadata = MetaData()

replica_payments = Table(
    "replica_payments",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("policy_number", String(16), nullable=False),
    Column("posted_at", DateTime(timezone=True), nullable=False),
    Column("amount_cents", Integer, nullable=False),
    Column("method", String(32), nullable=False),
    Column("status", String(16), nullable=False),
    Column("reference", String(64), nullable=False),
    Index("ix_replica_payments_policy", "policy_number", "posted_at"),
)

replica_claim_events = Table(
    "replica_claim_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("claim_number", String(16), nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("milestone", String(32), nullable=False),
    Column("description", Text, nullable=False),
    Column("next_action", Text, nullable=True),
    Index("ix_replica_claim_events_claim", "claim_number", "occurred_at"),
)

replica_phone_index = Table(
    "replica_phone_index",
    metadata,
    Column("phone_e164", String(16), nullable=False),
    Column("holder_id", String(16), nullable=False),
    Column("policy_number", String(16), nullable=False),
    PrimaryKeyConstraint("phone_e164", "policy_number", name="pk_replica_phone_index"),
)


def make_replica_engine(url: str) -> Engine:
    """An engine for the replica; a SQLite file gets its folder, WAL and a busy timeout."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, future=True, connect_args={"check_same_thread": False, "timeout": 30}
        )

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cursor = dbapi_conn.cursor()
            # WAL lets the connector read while we write; NORMAL sync is durable enough for a
            # stand-in and keeps single-row appends fast.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    return create_engine(url, future=True, pool_pre_ping=True)


class Replica:
    """Writes the replica tables for one sandbox."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def from_url(cls, url: str) -> Replica:
        """A replica writer for a SQLAlchemy URL."""
        return cls(make_replica_engine(url))

    def reseed(self, book: Book) -> None:
        """Replace every replica row with the book's, in one transaction."""
        metadata.create_all(self.engine)
        with self.engine.begin() as conn:
            for table in (replica_payments, replica_claim_events, replica_phone_index):
                conn.execute(table.delete())
            _insert_many(conn, replica_payments, (r.to_row() for r in book.payment_rows))
            _insert_many(conn, replica_claim_events, (r.to_row() for r in book.claim_event_rows))
            _insert_many(conn, replica_phone_index, book.phone_index_rows())

    def add_payment(self, row: PaymentRow) -> None:
        """Append one posted payment (what replication would carry over)."""
        values = row.to_row()
        values["posted_at"] = _utc(row.posted_at)
        with self.engine.begin() as conn:
            conn.execute(replica_payments.insert(), values)

    def add_claim_event(self, row: ClaimEventRow) -> None:
        """Append one claim milestone (what replication would carry over)."""
        values = row.to_row()
        values["occurred_at"] = _utc(row.occurred_at)
        with self.engine.begin() as conn:
            conn.execute(replica_claim_events.insert(), values)

    def count(self, table: Table) -> int:
        """Rows in ``table`` (for tests and benches)."""
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(table)).scalar_one())

    def dispose(self) -> None:
        """Close pooled connections."""
        self.engine.dispose()


# SQLAlchemy's own text form of a SQLite DATETIME, so values written on the fast path read back
# through ``DateTime`` exactly like values it wrote itself.
_SQLITE_DATETIME = "%Y-%m-%d %H:%M:%S.%f"


def _insert_many(
    conn: Connection, table: Table, rows: Iterable[dict[str, Any]], chunk: int = 50_000
) -> None:
    """Insert ``rows`` in chunks inside the caller's transaction.

    On SQLite the rows go straight to the driver's ``executemany`` as tuples: SQLAlchemy's
    per-row parameter processing is most of the cost of seeding 41,000 holders otherwise.
    """
    columns = [c.name for c in table.columns if not (c.primary_key and c.autoincrement is True)]
    fast = conn.dialect.name == "sqlite"
    if fast:
        cursor = conn.connection.cursor()
        # Names come from the Table objects above, never from input; values are bound.
        sql = (
            f"INSERT INTO {table.name} ({', '.join(columns)}) "  # noqa: S608
            f"VALUES ({', '.join('?' for _ in columns)})"
        )
    batch: list[Any] = []

    def flush() -> None:
        if fast:
            cursor.executemany(sql, batch)
        else:
            conn.execute(table.insert(), batch)
        batch.clear()

    for row in rows:
        if fast:
            batch.append(tuple(_sqlite_value(row[c]) for c in columns))
        else:
            batch.append(row)
        if len(batch) >= chunk:
            flush()
    if batch:
        flush()


def _utc(moment: datetime) -> datetime:
    # SQLite keeps only the wall-clock fields, so every instant is stored as UTC wall time.
    return moment.astimezone(timezone.utc)


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).strftime(_SQLITE_DATETIME)
    return value
