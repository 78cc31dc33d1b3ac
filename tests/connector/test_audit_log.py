"""The pas_audit table on SQLite and PostgreSQL, written by a connector with a replica."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
from dataclasses import replace
from datetime import timezone
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, select

from pas_connector.audit import AuditEvent, AuditLog, audit_engine, pas_audit, reference_hash
from pas_connector.cache import MemoryCache
from pas_connector.client import PasClient
from pas_connector.connector import PasConnector
from pas_connector.errors import PasNotFound
from pas_connector.factory import build_connector
from pas_connector.signing import PasSigner
from pas_connector.transport import make_http_client
from tests.connector.conftest import AUDIT_KEY
from tests.connector.fakes import KEY_ID, SECRET
from tests.connector.replica_fixture import create_replica
from tests.support.app_database import migrated_sqlite, upgrade

RAW_PII = (
    "AUT-1000001",
    "1000001",
    "CLM-50000001",
    "H0000001",
    "+15125550101",
    "5125550101",
    "1985-04-12",
)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def app_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return migrated_sqlite(tmp_path / "var" / "app.sqlite")
    url: str = request.getfixturevalue("pg_database")
    upgrade(url)
    return url


def _rows(url: str) -> list[dict]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [
                dict(r) for r in conn.execute(select(pas_audit).order_by(pas_audit.c.id)).mappings()
            ]
    finally:
        engine.dispose()


async def test_connector_audits_pas_cache_and_replica_calls_without_raw_pii(
    app_db_url, tmp_path, fake_pas, clock, pas_settings, cache_settings
):
    replica_url = f"sqlite:///{tmp_path / 'replica.sqlite'}"
    create_replica(replica_url)
    connector = build_connector(
        replace(pas_settings, replica_url=replica_url),
        cache_settings,
        database_url=app_db_url,
        audit_hash_key=AUDIT_KEY,
        clock=clock,
        transport=fake_pas.transport(),
    )
    try:
        holder = await connector.get_policyholder("H0000001")
        assert holder.value.phone == "+15125550101"
        await connector.get_policy("AUT-1000001")
        await connector.get_policy("AUT-1000001")
        await connector.get_claim("CLM-50000001")
        history = await connector.payment_history("AUT-1000001", limit=2)
        assert [p.reference for p in history] == ["pi_nov", "pi_oct"]
        timeline = await connector.claim_timeline("CLM-50000001")
        assert timeline.next_action == "Dana Brooks will send the estimate"
        match = await connector.find_by_phone("(512) 555-0101")
        assert match is not None and match.holder_id == "H0000001"
        assert await connector.find_by_phone("+14155550000") is None
        await connector.post_payment("AUT-1000001", Decimal("50.00"), "card", "pi_x", "k-1")
        with pytest.raises(PasNotFound):
            await connector.get_policy("AUT-1000009")
    finally:
        await connector.aclose()

    rows = _rows(app_db_url)
    assert [(r["operation"], r["outcome"], r["cache"], r["attempts"]) for r in rows] == [
        ("get_policyholder", "ok", "miss", 1),
        ("get_policy", "ok", "miss", 1),
        ("get_policy", "ok", "hit", 0),
        ("get_claim", "ok", "miss", 1),
        ("payment_history", "ok", "none", 1),
        ("claim_timeline", "ok", "none", 1),
        ("find_by_phone", "ok", "none", 1),
        ("find_by_phone", "not_found", "none", 1),
        ("post_payment", "ok", "none", 1),
        ("get_policy", "not_found", "miss", 1),
    ]
    phone_row = rows[6]
    # Any spelling of the number is audited under the same hash.
    assert phone_row["policy_ref"] == reference_hash(AUDIT_KEY, "+15125550101")
    assert phone_row["policy_ref_masked"] == "***0101"
    assert rows[3]["policy_ref_masked"] == "CLM-***0001"
    for row in rows:
        for column, value in row.items():
            for raw in RAW_PII:
                assert raw not in str(value), f"{raw} found in pas_audit.{column}"


async def test_audit_times_are_utc_from_the_injected_clock(app_db_url, clock):
    log = AuditLog(audit_engine(app_db_url), AUDIT_KEY, clock=clock)
    await log.record(
        AuditEvent(
            "get_billing", "AUT-1000001", "ok", 12.3456, cache="miss", status_code=200, attempts=1
        )
    )
    await log.aclose()
    log.engine.dispose()
    (row,) = _rows(app_db_url)
    at = row["at"] if row["at"].tzinfo else row["at"].replace(tzinfo=timezone.utc)
    assert at == clock()
    assert row["latency_ms"] == pytest.approx(12.346)
    assert row["status_code"] == 200


async def test_the_audit_table_has_the_documented_columns(app_db_url):
    engine = audit_engine(app_db_url)
    columns = {c["name"] for c in inspect(engine).get_columns("pas_audit")}
    engine.dispose()
    assert columns == {
        "id",
        "at",
        "operation",
        "policy_ref",
        "policy_ref_masked",
        "outcome",
        "status_code",
        "latency_ms",
        "cache",
        "attempts",
    }


async def test_a_failing_audit_database_does_not_fail_the_call(
    tmp_path, fake_pas, clock, pas_settings, cache_settings, caplog
):
    # An audit log whose table was never created: every insert fails.
    audit = AuditLog(audit_engine(f"sqlite:///{tmp_path / 'no-table.sqlite'}"), AUDIT_KEY)
    client = PasClient(
        pas_settings,
        make_http_client(pas_settings, PasSigner(KEY_ID, SECRET), transport=fake_pas.transport()),
    )
    connector = PasConnector(
        client, MemoryCache(clock), audit, cache_settings, clock=clock, owns_audit_engine=True
    )
    try:
        billing = await connector.get_billing("AUT-1000001")
    finally:
        await connector.aclose()
    assert billing.value.balance == Decimal("412.50")
    assert audit.failed_writes == 1
    assert "pas_audit write failed" in caplog.text
    assert "AUT-1000001" not in caplog.text


def test_an_empty_audit_key_is_refused(tmp_path):
    with pytest.raises(ValueError):
        AuditLog(audit_engine(f"sqlite:///{tmp_path / 'a.sqlite'}"), "")


def _event(n: int) -> AuditEvent:
    return AuditEvent("get_policy", f"AUT-{1000000 + n}", "ok", float(n), cache="hit")


async def test_recording_does_not_wait_for_the_database_and_close_writes_every_row_in_order(
    app_db_url,
):
    log = AuditLog(audit_engine(app_db_url), AUDIT_KEY, batch_size=7)
    gate = threading.Lock()
    gate.acquire()  # the writer's worker thread waits here: the database is "slow"
    real_write = log._write

    def slow_write(batch):  # type: ignore[no-untyped-def]
        with gate:
            real_write(batch)

    log._write = slow_write  # type: ignore[method-assign]
    for n in range(50):
        await log.record(_event(n))  # returns although nothing can be written yet

    assert _rows(app_db_url) == []
    gate.release()
    await log.aclose()
    log.engine.dispose()

    rows = _rows(app_db_url)
    assert [row["latency_ms"] for row in rows] == [float(n) for n in range(50)]
    assert rows[3]["policy_ref"] == reference_hash(AUDIT_KEY, "AUT-1000003")
    assert log.pending == 0 and log.failed_writes == 0


async def test_rows_recorded_from_many_tasks_are_written_in_batches_without_a_loss(app_db_url):
    log = AuditLog(audit_engine(app_db_url), AUDIT_KEY, batch_size=25)
    batches: list[int] = []
    real_write = log._write

    def counting_write(batch):  # type: ignore[no-untyped-def]
        batches.append(len(batch))
        real_write(batch)

    log._write = counting_write  # type: ignore[method-assign]

    async def conversation(start: int) -> None:
        for n in range(start, start + 20):
            await log.record(_event(n))
            await asyncio.sleep(0)

    await asyncio.gather(*(conversation(i * 20) for i in range(10)))
    await log.flush()

    rows = _rows(app_db_url)
    assert sorted(row["latency_ms"] for row in rows) == [float(n) for n in range(200)]
    assert sum(batches) == 200
    assert len(batches) < 200, "rows are written in batches, not one transaction each"
    assert max(batches) <= 25
    log.engine.dispose()


async def test_one_bad_row_fails_alone_and_its_batch_neighbours_are_written(app_db_url, caplog):
    log = AuditLog(audit_engine(app_db_url), AUDIT_KEY)
    await log.record(_event(1))
    # outcome is NOT NULL: this row is refused by the database, in the same batch as the others.
    await log.record(AuditEvent("get_policy", "AUT-1000002", None, 2.0))  # type: ignore[arg-type]
    await log.record(_event(3))
    await log.aclose()
    log.engine.dispose()

    assert [row["latency_ms"] for row in _rows(app_db_url)] == [1.0, 3.0]
    assert log.failed_writes == 1
    assert "pas_audit write failed for get_policy" in caplog.text
    assert "AUT-1000002" not in caplog.text


def test_rows_still_queued_at_interpreter_exit_are_written(tmp_path):
    url = migrated_sqlite(tmp_path / "var" / "app.sqlite")
    # The process stops (SystemExit, as on SIGTERM) right after recording: the writer task is
    # cancelled by asyncio.run before it ever ran, so only the exit handler can write the rows.
    script = f"""
import asyncio
from pas_connector.audit import AuditEvent, AuditLog, audit_engine

async def main():
    log = AuditLog(audit_engine({url!r}), "k")
    for n in range(5):
        await log.record(AuditEvent("get_policy", None, "ok", float(n)))
    assert log.pending == 5
    raise SystemExit(0)

asyncio.run(main())
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)

    assert done.returncode == 0, done.stderr
    assert [row["latency_ms"] for row in _rows(url)] == [0.0, 1.0, 2.0, 3.0, 4.0]
