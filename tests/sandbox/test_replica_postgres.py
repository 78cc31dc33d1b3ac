"""The replica also works on PostgreSQL (the generic SQLAlchemy insert path, not SQLite's)."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select

from pas_sandbox.dataset import generate
from pas_sandbox.records import PaymentRow
from pas_sandbox.replica import Replica, metadata, replica_payments, replica_phone_index


@pytest.mark.postgres
def test_the_replica_seeds_and_appends_on_postgresql(postgres_url: str) -> None:
    book = generate(3, 30, date(2026, 11, 25))
    replica = Replica.from_url(postgres_url)
    try:
        replica.reseed(book)
        replica.reseed(book)  # a second seed replaces, never duplicates
        assert replica.count(replica_phone_index) == len(book.policies)
        assert replica.count(replica_payments) == len(book.payment_rows)
        posted = datetime(2026, 11, 25, 10, 30, tzinfo=timezone.utc)
        replica.add_payment(PaymentRow("AUT-1000001", posted, 1234, "card", "posted", "PAY-X"))
        with replica.engine.connect() as conn:
            row = conn.execute(
                select(replica_payments).where(replica_payments.c.reference == "PAY-X")
            ).one()
        assert (row.amount_cents, row.posted_at) == (1234, posted)
    finally:
        metadata.drop_all(replica.engine)
        replica.dispose()
