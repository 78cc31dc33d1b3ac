"""The application database: one SQLAlchemy engine factory and one MetaData for bot/ tables.

SQLite file under var/ locally, PostgreSQL by ``DATABASE_URL`` in production. Each feature module
declares its own tables on ``metadata`` (documents, conversations, identity, ...); the Alembic
migrations in ``bot.migrations`` create and change them (``policyline db upgrade``, run once
before any process starts; no process creates tables itself). Nothing here connects at import
time.

Connections are pooled on both databases (``DATABASE_POOL_SIZE``, ``DATABASE_MAX_OVERFLOW``).
SQLAlchemy 1.4 would give a SQLite file a ``NullPool``: a new connection, and its PRAGMAs, for
every transaction (a millisecond or more each, on every request). A ``QueuePool`` is safe for
SQLite here because a pooled connection is used by one thread at a time (checked out, then
returned with its transaction rolled back, so it holds no read snapshot or lock while idle),
every connection gets WAL and a busy timeout when it is opened, and no process forks after it
has connected (gunicorn and the Sanic servers build their engines in each worker). Several
processes still share the file through WAL, as before. In-memory SQLite keeps SQLAlchemy's
default (one connection per thread): a pool of separate in-memory databases would be wrong.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import MetaData, create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.pool import QueuePool

metadata = MetaData()


def sqlite_pragmas(dbapi_conn: sqlite3.Connection, _record: object = None) -> None:
    """How every SQLite connection of ours is opened (the application's and Rasa's tracker store).

    WAL lets the local processes read while one writes. ``synchronous=NORMAL`` is SQLite's
    advice for WAL: a commit no longer waits for the disk (fsync at checkpoints instead), which
    was the largest single cost of a turn under load (the profile in docs/benchmarks.md); a
    process crash loses nothing, a power cut may lose the last commits but never corrupts the
    file. Production runs on PostgreSQL, whose durability settings are its own.
    """
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


# Per engine, per process. Sized for the action server's worker threads (rendering, SQL and
# password hashing run in asyncio's default executor, min(32, CPUs + 4) threads) and the web
# app's request threads; beyond it a caller waits for a connection (``pool_timeout``, 30 s).
DEFAULT_POOL_SIZE = 5
DEFAULT_MAX_OVERFLOW = 10


def make_engine(
    url: str,
    *,
    echo: bool = False,
    pool_size: int = DEFAULT_POOL_SIZE,
    max_overflow: int = DEFAULT_MAX_OVERFLOW,
) -> Engine:
    """An engine for the application database.

    SQLite gets WAL and a busy timeout so several local processes (Rasa, actions, web) can share
    one file; its parent folder is created. Both get a pool of ``pool_size`` connections kept
    open plus ``max_overflow`` opened when busy; PostgreSQL connections are pinged before use.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = parsed.database or ""
        in_memory = not path or path == ":memory:" or "mode=memory" in path
        if not in_memory and not path.startswith("file:"):
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        pool_args: dict[str, object] = (
            {}
            if in_memory
            else {"poolclass": QueuePool, "pool_size": pool_size, "max_overflow": max_overflow}
        )
        engine = create_engine(
            url,
            echo=echo,
            future=True,
            connect_args={"check_same_thread": False, "timeout": 15},
            **pool_args,
        )

        event.listen(engine, "connect", sqlite_pragmas)
        return engine
    return create_engine(
        url,
        echo=echo,
        future=True,
        pool_pre_ping=True,
        pool_size=pool_size,
        max_overflow=max_overflow,
    )
