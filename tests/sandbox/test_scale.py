"""The reference deployment's 41,000 policyholders (docs/architecture.md) seed in memory and in
the replica."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import distinct, func, select

from pas_sandbox.dataset import generate
from pas_sandbox.replica import (
    Replica,
    replica_claim_events,
    replica_payments,
    replica_phone_index,
)


@pytest.mark.slow
def test_a_41000_holder_book_seeds_with_one_phone_index_row_per_phone_and_policy(
    tmp_path: Path,
) -> None:
    book = generate(20261125, 41_000, date(2026, 11, 25))
    replica = Replica.from_url(f"sqlite:///{tmp_path / 'replica.sqlite'}")
    replica.reseed(book)
    assert len(book.holders) == 41_000
    assert len({h.phone for h in book.holders.values()}) == 41_000
    with replica.engine.connect() as conn:
        index_rows = conn.execute(select(func.count()).select_from(replica_phone_index)).scalar()
        distinct_pairs = (
            select(replica_phone_index.c.phone_e164, replica_phone_index.c.policy_number)
            .distinct()
            .subquery()
        )
        pairs = conn.execute(select(func.count()).select_from(distinct_pairs)).scalar()
        phones = conn.execute(
            select(func.count(distinct(replica_phone_index.c.phone_e164)))
        ).scalar()
        holders = conn.execute(
            select(func.count(distinct(replica_phone_index.c.holder_id)))
        ).scalar()
    assert index_rows == pairs == len(book.policies)
    assert phones == holders == 41_000
    assert replica.count(replica_payments) == len(book.payment_rows)
    assert replica.count(replica_claim_events) == len(book.claim_event_rows)
    replica.dispose()
