"""The application engine keeps SQLite file connections open between transactions, safely."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import Column, Integer, MetaData, String, Table, event, insert, select, text

from bot.db import make_engine
from bot.settings import Settings

metadata = MetaData()
notes = Table(
    "pool_notes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("writer", Integer, nullable=False),
    Column("text", String(20)),
)


def test_a_sqlite_file_connection_is_reused_across_transactions_not_reopened(
    tmp_path: Path,
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'app.sqlite'}")
    opened: list[object] = []
    event.listen(engine, "connect", lambda conn, record: opened.append(conn))
    metadata.create_all(engine)

    for n in range(20):
        with engine.begin() as conn:
            conn.execute(insert(notes).values(writer=0, text=str(n)))

    assert len(opened) == 1
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL: no fsync/commit
    engine.dispose()


def test_threads_writing_at_once_through_the_pool_lose_no_row(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'app.sqlite'}"
    engine = make_engine(url, pool_size=2, max_overflow=2)
    metadata.create_all(engine)
    # A second engine on the same file stands for another process (Rasa, web) writing too.
    other = make_engine(url, pool_size=1, max_overflow=0)

    def write(writer: int) -> None:
        target = other if writer % 4 == 0 else engine
        for n in range(40):
            with target.begin() as conn:
                conn.execute(insert(notes).values(writer=writer, text=str(n)))
                conn.execute(select(notes.c.id).where(notes.c.writer == writer)).all()

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(write, range(8)))

    with engine.connect() as conn:
        rows = conn.execute(select(notes.c.writer, notes.c.text)).all()
    assert sorted(rows) == sorted((w, str(n)) for w in range(8) for n in range(40))
    for each in (engine, other):
        each.dispose()


def test_in_memory_sqlite_keeps_one_database_per_thread(tmp_path: Path) -> None:
    engine = make_engine("sqlite://")
    metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(notes).values(writer=1, text="kept"))
    with engine.connect() as conn:
        assert conn.execute(select(notes.c.text)).scalar() == "kept"
    engine.dispose()


def test_pool_sizes_come_from_the_environment() -> None:
    settings = Settings.from_env({"DATABASE_POOL_SIZE": "7", "DATABASE_MAX_OVERFLOW": "3"})
    assert (settings.database_pool_size, settings.database_max_overflow) == (7, 3)
    engine = make_engine(
        "postgresql://u@127.0.0.1:1/none",
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_max_overflow,
    )  # nothing connects until used
    assert (engine.pool.size(), engine.pool._max_overflow) == (7, 3)
    engine.dispose()
