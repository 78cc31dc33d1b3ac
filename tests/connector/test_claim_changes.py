"""The claim timeline read as a change feed: rows after a cursor, in write order, read-only."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from pas_connector.replica import ReplicaReader
from tests.connector.replica_fixture import EVENT_ROWS, create_replica, utc


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


async def test_changes_come_in_row_order_not_in_business_time_order(reader):
    changes = await reader.claim_changes_after(0)
    assert [c.event_id for c in changes] == [1, 2, 3]
    # Rows were written reported, inspection, assigned: a feed follows the writes.
    assert [c.milestone for c in changes] == [row["milestone"] for row in EVENT_ROWS]
    assert changes[1].occurred_at == utc(2026, 11, 3, 16, 30)
    assert changes[1].next_action == "Dana Brooks will send the estimate"


async def test_the_cursor_and_limit_select_the_rows_after_it(reader):
    assert [c.event_id for c in await reader.claim_changes_after(1, limit=1)] == [2]
    assert await reader.claim_changes_after(3) == ()


async def test_the_latest_id_is_where_a_new_reader_starts(reader, tmp_path):
    assert await reader.latest_claim_change_id() == 3


async def test_an_empty_timeline_starts_at_zero(tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    from sqlalchemy import create_engine

    from pas_sandbox.replica import metadata

    engine = create_engine(url, future=True)
    metadata.create_all(engine)
    engine.dispose()
    reader = ReplicaReader.from_url(url)
    try:
        assert await reader.latest_claim_change_id() == 0
        assert await reader.claim_changes_after(0) == ()
    finally:
        reader.dispose()


async def test_the_change_key_names_the_change_not_the_row(reader):
    [first] = await reader.claim_changes_after(0, limit=1)
    assert first.change_key == "CLM-50000001:reported:20261029T090000Z"
