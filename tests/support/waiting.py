"""Waiting for a condition instead of sleeping a fixed time: the one polling helper for tests."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_until(
    predicate: Callable[[], T],
    timeout: float = 30.0,
    what: str = "the condition",
    *,
    interval: float = 0.05,
) -> T:
    """Calls ``predicate`` every ``interval`` seconds until it returns something truthy, and
    returns that. After ``timeout`` seconds (with one last try) fails with ``AssertionError``
    naming ``what``."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(interval)
