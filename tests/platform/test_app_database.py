"""The application database layer works on SQLite and on a real PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
import redis
from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select

from bot.db import make_engine


def _roundtrip(url: str) -> list[tuple[int, str]]:
    metadata = MetaData()
    notes = Table(
        "platform_notes",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("text", String(50)),
    )
    engine = make_engine(url)
    metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(notes), [{"text": "José Núñez"}, {"text": "second"}])
    with engine.connect() as conn:
        rows = [
            tuple(r) for r in conn.execute(select(notes.c.id, notes.c.text).order_by(notes.c.id))
        ]
    metadata.drop_all(engine)
    engine.dispose()
    return rows


def test_sqlite_file_database_is_created_under_a_missing_folder(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'nested' / 'app.sqlite'}"
    assert _roundtrip(url) == [(1, "José Núñez"), (2, "second")]
    assert (tmp_path / "nested" / "app.sqlite").exists()


@pytest.mark.postgres
def test_postgresql_round_trips_unicode_rows(postgres_url: str) -> None:
    assert _roundtrip(postgres_url) == [(1, "José Núñez"), (2, "second")]


@pytest.mark.redis
def test_redis_server_started_by_the_test_setup_answers(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    client.set("platform:check", "ok", ex=5)
    assert client.get("platform:check") == b"ok"
    client.close()
