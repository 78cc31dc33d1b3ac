"""The one clock: every time-dependent rule takes a ``Clock`` so tests are exact.

Instants are timezone-aware UTC throughout; ``as_utc`` repairs the naive ones SQLite hands back
(they were written as UTC).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The current instant, timezone-aware UTC (the production clock)."""
    return datetime.now(timezone.utc)


def as_utc(value: datetime) -> datetime:
    """A stored instant as UTC-aware (SQLite returns naive datetimes, written as UTC)."""
    return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)
