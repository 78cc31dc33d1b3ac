"""The application database for tests: migrated the way ``policyline db upgrade`` does it.

- ``upgrade(url_or_engine)`` runs the real Alembic migrations (``bot.migrations``), so fixtures
  get exactly the schema production gets.
- ``migrated_sqlite(path)`` is the same schema for the many tests that each want a fresh SQLite
  file: the migrations run once per test process into a template file, which is copied
  (``upgrade`` does this too for a SQLite file that does not exist yet).
- ``fresh_postgres_database`` makes an empty database on the shared test server, so fixed table
  names never meet another test's.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
import uuid
from functools import cache
from pathlib import Path

import psycopg2
from sqlalchemy.engine import Engine, make_url

from bot.migrations import upgrade as _upgrade


def upgrade(database: str | Engine) -> None:
    """Create (or bring up to date) every application table in ``database`` (URL or engine).

    A SQLite file that does not exist yet is copied from the migrated template (the same
    schema, much faster than a migration run per test).
    """
    if isinstance(database, str):
        url = make_url(database)
        if url.drivername == "sqlite" and url.database and url.database != ":memory:":
            if not Path(url.database).exists():
                migrated_sqlite(Path(url.database))
                return
    _upgrade(database)


@cache
def _template() -> Path:
    """A migrated SQLite file, made once per test process (removed when it exits)."""
    folder = tempfile.mkdtemp(prefix="policyline-schema-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    path = Path(folder) / "template.sqlite"
    _upgrade(f"sqlite:///{path}")  # its engine is disposed: WAL checkpointed into the file
    return path


def migrated_sqlite(path: Path) -> str:
    """The URL of a SQLite file at ``path`` holding the migrated schema (made empty unless the
    file exists already: its rows are kept)."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(_template(), path)
    return f"sqlite:///{path}"


def fresh_postgres_database(postgres_url: str, prefix: str = "app") -> str:
    """The URL of a new, empty database on the server at ``postgres_url``."""
    url = make_url(postgres_url)
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    conn = psycopg2.connect(host=url.host, port=url.port, user=url.username, dbname="postgres")
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(f"CREATE DATABASE {name}")
    finally:
        conn.close()
    return url.set(database=name).render_as_string(hide_password=False)
