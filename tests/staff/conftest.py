"""Fixtures for the staff console: a tracker database written by Rasa's ``SQLTrackerStore``
(SQLite, and PostgreSQL from ``postgres_url``), an application database, the fixture personas."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psycopg2
import pytest
from sqlalchemy.engine import Engine

import bot.conversation.handoff
import bot.conversation.outcomes
import bot.transcripts.audit  # noqa: F401  (declare the tables on bot.db.metadata)
from bot.db import make_engine
from bot.transcripts.conversations import ConversationArchive
from tests.staff.tracker_writer import TrackerWriter
from tests.staff.world import World, build_world
from tests.support.app_database import upgrade

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def personas() -> list[dict[str, Any]]:
    """The documented fixture personas, as ``policyline personas --json`` prints them."""
    cli = Path(sys.executable).with_name("policyline")
    out = subprocess.run(
        [str(cli), "personas", "--json"],
        check=True,
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
    )
    data: list[dict[str, Any]] = json.loads(out.stdout)
    return data


@dataclass
class Databases:
    """A tracker database (written by Rasa) and an application database, on one backend."""

    backend: str
    tracker_url: str
    app_url: str
    writer: TrackerWriter
    tracker_engine: Engine
    app_engine: Engine

    @property
    def archive(self) -> ConversationArchive:
        return ConversationArchive(self.tracker_engine, self.app_engine)


def _fresh_postgres_database(postgres_url: str) -> str:
    parts = urlsplit(postgres_url)
    name = f"staff_{uuid.uuid4().hex[:12]}"
    conn = psycopg2.connect(
        host=parts.hostname, port=parts.port, user=parts.username, dbname="postgres"
    )
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f"CREATE DATABASE {name}")
    conn.close()
    return name


def _sqlite(tmp_path: Path) -> Databases:
    # Not named like a stack's store: these are hand-written raw conversations (as an older
    # deployment without at-rest redaction would hold), which the end-of-run PII scan must skip.
    tracker_path = tmp_path / "console_tracker.sqlite"
    writer = TrackerWriter.sqlite(str(tracker_path))
    app_url = f"sqlite:///{tmp_path / 'policyline.sqlite'}"
    tracker_url = f"sqlite:///{tracker_path}"
    return Databases(
        "sqlite", tracker_url, app_url, writer, make_engine(tracker_url), make_engine(app_url)
    )


def _postgres(postgres_url: str) -> Databases:
    parts = urlsplit(postgres_url)
    name = _fresh_postgres_database(postgres_url)
    writer = TrackerWriter.postgres(parts.hostname or "", parts.port or 5432, name, "postgres")
    url = f"postgresql://{parts.username}@{parts.hostname}:{parts.port}/{name}"
    # One PostgreSQL database holds both, as a small production install might.
    return Databases("postgres", url, url, writer, make_engine(url), make_engine(url))


@pytest.fixture
def sqlite_dbs(tmp_path: Path) -> Iterator[Databases]:
    dbs = _sqlite(tmp_path)
    upgrade(dbs.app_engine)
    yield dbs
    dbs.writer.close()
    dbs.tracker_engine.dispose()
    dbs.app_engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def dbs(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Databases]:
    """The databases on SQLite (local default) and on PostgreSQL (production)."""
    if request.param == "sqlite":
        made = _sqlite(tmp_path)
    else:
        made = _postgres(request.getfixturevalue("postgres_url"))
    upgrade(made.app_engine)
    yield made
    made.writer.close()
    made.tracker_engine.dispose()
    made.app_engine.dispose()


@pytest.fixture
def world(dbs: Databases, personas: list[dict[str, Any]]) -> World:
    return build_world(dbs.writer, dbs.app_engine, personas)


@pytest.fixture
def archive(dbs: Databases) -> ConversationArchive:
    return dbs.archive
