"""The Alembic migrations create exactly the schema the models declare (SQLite and PostgreSQL).

Every module of the product packages is imported first, so a table declared anywhere in them
and missing from the migrations shows up as a difference.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Column, Integer, MetaData, String, Table, inspect

from bot import migrations
from bot.db import make_engine
from bot.migrations import application_metadata, current_revision, head_revision
from tests.support.app_database import fresh_postgres_database, upgrade
from tests.support.servers import PROJECT_ROOT

PRODUCT_PACKAGES = ("bot", "channels", "actions", "pas_connector")


def _import_every_product_module() -> None:
    for package_name in PRODUCT_PACKAGES:
        package = importlib.import_module(package_name)
        for module in pkgutil.walk_packages(package.__path__, prefix=f"{package_name}."):
            # __main__ modules start processes; env.py runs only inside Alembic.
            if module.name.endswith("__main__") or module.name.startswith("bot.migrations."):
                continue
            importlib.import_module(module.name)


def _differences(url: str) -> list[object]:
    _import_every_product_module()
    metadatas = application_metadata()
    owned = {name for md in metadatas for name in md.tables}
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn,
                opts={
                    "compare_type": True,
                    "include_name": lambda name, type_, _parents: type_ != "table" or name in owned,
                },
            )
            return list(compare_metadata(context, list(metadatas)))
    finally:
        engine.dispose()


def test_migrated_sqlite_database_matches_the_models(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'app.sqlite'}"
    upgrade(url)
    assert _differences(url) == []
    assert current_revision(url) == head_revision()


@pytest.mark.postgres
def test_migrated_postgresql_database_matches_the_models(postgres_url: str) -> None:
    url = fresh_postgres_database(postgres_url, "migrations")
    upgrade(url)
    assert _differences(url) == []
    assert current_revision(url) == head_revision()


def test_application_metadata_alone_lists_every_product_table() -> None:
    """env.py sees every table without the rest of the product being imported."""
    _import_every_product_module()
    everything = sorted(name for md in application_metadata() for name in md.tables)
    alone = subprocess.run(
        [
            sys.executable,
            "-c",
            "import json; from bot.migrations import application_metadata as m; "
            "print(json.dumps(sorted(n for md in m() for n in md.tables)))",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(alone.stdout) == everything


def test_upgrade_twice_changes_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'app.sqlite'}"
    upgrade(url)
    upgrade(url)
    assert _differences(url) == []


def test_first_upgrade_adopts_tables_made_before_migrations(tmp_path: Path) -> None:
    """A var/ database whose processes created some tables themselves keeps them and gets the
    rest, with no "already exists" error."""
    url = f"sqlite:///{tmp_path / 'app.sqlite'}"
    [bot_metadata, _audit] = application_metadata()
    engine = make_engine(url)
    bot_metadata.create_all(
        engine, tables=[bot_metadata.tables["sms_suppression"], bot_metadata.tables["handoffs"]]
    )
    engine.dispose()
    upgrade(url)
    assert _differences(url) == []


def test_tables_of_other_owners_in_the_same_database_are_left_alone(tmp_path: Path) -> None:
    """Rasa's tracker store may share the database: upgrading neither drops nor reports it."""
    url = f"sqlite:///{tmp_path / 'app.sqlite'}"
    engine = make_engine(url)
    foreign = MetaData()
    Table("events", foreign, Column("id", Integer, primary_key=True), Column("x", String(8)))
    foreign.create_all(engine)
    upgrade(engine)
    assert "events" in inspect(engine).get_table_names()
    engine.dispose()
    assert _differences(url) == []


def test_deployments_upgrade_the_database_before_any_process_starts() -> None:
    """Every systemd unit waits for the one-shot migration unit; the Procfile's release phase
    runs the upgrade before the processes."""
    systemd = PROJECT_ROOT / "deploy" / "systemd"
    migrate = (systemd / "policyline-migrate.service").read_text()
    assert "ExecStart=/opt/policyline/.venv/bin/policyline db upgrade" in migrate
    assert "Type=oneshot" in migrate
    for unit in sorted(systemd.glob("*.service")):
        if unit.name == "policyline-migrate.service":
            continue
        lines = unit.read_text().splitlines()
        assert "Requires=policyline-migrate.service" in lines, unit.name
        assert "After=policyline-migrate.service" in lines, unit.name
    procfile = (PROJECT_ROOT / "deploy" / "Procfile").read_text().splitlines()
    assert "release: policyline db upgrade" in procfile


def test_upgrades_started_side_by_side_in_one_process_all_succeed(tmp_path: Path) -> None:
    # Simulated phones and callers each upgrade the outbox's database when they start, from
    # threads of one test process; Alembic's module-level context would otherwise be shared.
    url = f"sqlite:///{tmp_path / 'side_by_side.db'}"
    start = threading.Barrier(4)

    def upgrade_when_all_are_ready() -> None:
        start.wait()
        migrations.upgrade(url)

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = [pool.submit(upgrade_when_all_are_ready) for _ in range(4)]
        for result in results:
            result.result(timeout=120)
    assert current_revision(url) == head_revision()
