"""The injected clock: every time-dependent rule takes one so tests are exact."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The current instant, timezone-aware UTC (the production clock)."""
    return datetime.now(timezone.utc)
