"""ReplicaReader on SQLite and PostgreSQL: read-only connections, typed results, phone lookup."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from pas_connector.errors import PasUnavailable
from pas_connector.replica import ReplicaReader, normalise_phone, read_only_engine
from tests.connector.replica_fixture import create_replica


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def replica_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'replica.sqlite'}"
    else:
        url = request.getfixturevalue("pg_database")
    create_replica(url)
    return url


@pytest.fixture
async def reader(replica_url: str) -> AsyncIterator[ReplicaReader]:
    replica = ReplicaReader.from_url(replica_url)
    yield replica
    replica.dispose()


async def test_payment_history_is_newest_first_in_dollars_and_limited(reader):
    history = await reader.payment_history("AUT-1000001", limit=2)
    assert [p.reference for p in history] == ["pi_nov", "pi_oct"]
    assert history[0].amount == Decimal("307.00")
    assert history[1].amount == Decimal("412.50")
    assert history[0].status == "returned"
    assert history[0].method == "us_bank_account"
    assert history[0].posted_at == datetime(2026, 11, 5, 14, 0, tzinfo=timezone.utc)
    assert len(await reader.payment_history("AUT-1000001")) == 3
    assert await reader.payment_history("AUT-7777777") == ()


async def test_claim_timeline_is_oldest_first_and_ends_with_the_next_action(reader):
    timeline = await reader.claim_timeline("CLM-50000001")
    assert [e.milestone for e in timeline.events] == ["reported", "assigned", "inspection"]
    assert timeline.next_action == "Dana Brooks will send the estimate"
    assert timeline.events[0].occurred_at.tzinfo is not None
    empty = await reader.claim_timeline("CLM-00000000")
    assert empty.events == () and empty.next_action is None


@pytest.mark.parametrize(
    "typed", ["+15125550101", "(512) 555-0101", "512.555.0101", "+1 512 555 0101", "15125550101"]
)
async def test_find_by_phone_accepts_common_us_formats(reader, typed):
    match = await reader.find_by_phone(typed)
    assert match is not None
    assert match.holder_id == "H0000001"
    assert match.policy_numbers == ("AUT-1000001",)


async def test_find_by_phone_lists_every_policy_of_the_holder(reader):
    match = await reader.find_by_phone("+1 718 555 0105")
    assert match is not None
    assert match.policy_numbers == ("AUT-1000003", "HOM-2000002")


@pytest.mark.parametrize("phone", ["+12065550199", "+14155550000", "not a phone", "12", ""])
async def test_find_by_phone_finds_nobody_for_shared_unknown_or_invalid_numbers(reader, phone):
    assert await reader.find_by_phone(phone) is None


async def test_the_replica_connection_refuses_writes(replica_url):
    engine = read_only_engine(replica_url)
    try:
        with pytest.raises(DBAPIError) as caught, engine.begin() as conn:
            conn.execute(text("DELETE FROM replica_payments"))
        assert "read" in str(caught.value.orig).lower()  # "readonly" / "read-only transaction"
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM replica_payments")).scalar() == 4
    finally:
        engine.dispose()


def test_a_missing_sqlite_replica_is_not_created(tmp_path):
    missing = tmp_path / "nope.sqlite"
    engine = read_only_engine(f"sqlite:///{missing}")
    with pytest.raises(DBAPIError):
        engine.connect()
    assert not missing.exists()


async def test_a_failing_replica_raises_unavailable_without_the_reference(tmp_path):
    empty = tmp_path / "empty.sqlite"
    sqlite3.connect(empty).close()  # exists, but has no replica tables
    reader = ReplicaReader.from_url(f"sqlite:///{empty}")
    with pytest.raises(PasUnavailable) as caught:
        await reader.payment_history("AUT-1000001")
    cause = str(caught.value.__cause__)
    assert "replica_payments" in cause  # the statement is there to debug with...
    assert "AUT-1000001" not in cause  # ...its parameters are not
    assert "AUT-1000001" not in str(caught.value)
    reader.dispose()

    missing = ReplicaReader.from_url(f"sqlite:///{tmp_path / 'nope.sqlite'}")
    with pytest.raises(PasUnavailable):
        await missing.claim_timeline("CLM-50000001")


def test_unsupported_or_in_memory_replica_urls_are_refused():
    for url in ("sqlite://", "sqlite:///:memory:", "mysql://u@h/db"):
        with pytest.raises(ValueError):
            read_only_engine(url)


def test_phone_normalisation():
    assert normalise_phone("(512) 555-0101") == "+15125550101"
    assert normalise_phone("+44 20 7946 0958") == "+442079460958"
    assert normalise_phone("555") is None
