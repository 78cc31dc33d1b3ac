"""The sandbox's replica tables (its own DDL, ``pas_sandbox.replica``) filled with a few rows we
control, to test ``ReplicaReader`` on SQLite and PostgreSQL independently of the seeded book.
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import create_engine

from pas_sandbox.replica import metadata as replica_metadata
from pas_sandbox.replica import replica_claim_events as claim_events
from pas_sandbox.replica import replica_payments as payments
from pas_sandbox.replica import replica_phone_index as phone_index


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


PAYMENT_ROWS = [
    # Inserted out of order on purpose: the reader must sort.
    {
        "policy_number": "AUT-1000001",
        "posted_at": utc(2026, 9, 5, 14, 0),
        "amount_cents": 30700,
        "method": "card",
        "status": "posted",
        "reference": "pi_sep",
    },
    {
        "policy_number": "AUT-1000001",
        "posted_at": utc(2026, 11, 5, 14, 0),
        "amount_cents": 30700,
        "method": "us_bank_account",
        "status": "returned",
        "reference": "pi_nov",
    },
    {
        "policy_number": "AUT-1000001",
        "posted_at": utc(2026, 10, 5, 14, 0),
        "amount_cents": 41250,
        "method": "card",
        "status": "posted",
        "reference": "pi_oct",
    },
    {
        "policy_number": "HOM-2000001",
        "posted_at": utc(2026, 11, 1, 9, 0),
        "amount_cents": 12000,
        "method": "us_bank_account",
        "status": "posted",
        "reference": "pi_home",
    },
]
EVENT_ROWS = [
    {
        "claim_number": "CLM-50000001",
        "occurred_at": utc(2026, 10, 29, 9, 0),
        "milestone": "reported",
        "description": "Claim reported by phone",
        "next_action": "An adjuster will be assigned",
    },
    {
        "claim_number": "CLM-50000001",
        "occurred_at": utc(2026, 11, 3, 16, 30),
        "milestone": "inspection",
        "description": "Vehicle inspected",
        "next_action": "Dana Brooks will send the estimate",
    },
    {
        "claim_number": "CLM-50000001",
        "occurred_at": utc(2026, 10, 30, 11, 0),
        "milestone": "assigned",
        "description": "Assigned to Dana Brooks",
        "next_action": "Inspection to be scheduled",
    },
]
PHONE_ROWS = [
    {"phone_e164": "+15125550101", "holder_id": "H0000001", "policy_number": "AUT-1000001"},
    {"phone_e164": "+17185550105", "holder_id": "H0000005", "policy_number": "HOM-2000002"},
    {"phone_e164": "+17185550105", "holder_id": "H0000005", "policy_number": "AUT-1000003"},
    # A number on file for two different people: it cannot identify anyone.
    {"phone_e164": "+12065550199", "holder_id": "H0000010", "policy_number": "AUT-1000010"},
    {"phone_e164": "+12065550199", "holder_id": "H0000011", "policy_number": "AUT-1000011"},
]


def create_replica(url: str) -> None:
    """Create the replica tables at ``url`` and fill them (read-write, as the PAS would)."""
    engine = create_engine(url, future=True)
    try:
        replica_metadata.create_all(engine)
        with engine.begin() as conn:
            conn.execute(payments.insert(), PAYMENT_ROWS)
            conn.execute(claim_events.insert(), EVENT_ROWS)
            conn.execute(phone_index.insert(), PHONE_ROWS)
    finally:
        engine.dispose()
