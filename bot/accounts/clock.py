"""The clock accounts code reads: UTC-aware ``datetime``s, injectable for tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def as_utc(value: datetime) -> datetime:
    """A stored time as UTC-aware (SQLite returns naive datetimes)."""
    return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)
