"""The application database: one SQLAlchemy engine factory and one MetaData for bot/ tables.

SQLite file under var/ locally, PostgreSQL by ``DATABASE_URL`` in production. Each feature module
declares its own tables on ``metadata`` (documents, conversations, identity, ...); the Alembic
migrations in ``bot.migrations`` create and change them (``policyline db upgrade``, run once
before any process starts; no process creates tables itself). Nothing here connects at import
time.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import MetaData, create_engine, event
from sqlalchemy.engine import Engine

metadata = MetaData()


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine for the application database.

    SQLite gets WAL and a busy timeout so several local processes (Rasa, actions, web) can share
    one file; its parent folder is created. PostgreSQL gets a small pre-pinged pool.
    """
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, echo=echo, future=True, connect_args={"check_same_thread": False, "timeout": 15}
        )

        def _sqlite_pragmas(dbapi_conn: sqlite3.Connection, _record: object) -> None:
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=15000")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, echo=echo, future=True, pool_pre_ping=True, pool_size=5)
