"""The PAS circuit breaker: in memory, one per client, driven by an injectable monotonic clock.

    closed ──(threshold consecutive failed calls)──▶ opened ──(ttl elapsed)──▶ half-opened
      ▲                                                 ▲                          │
      └──────────────(a call succeeds)──────────────────┼──────────────────────────┤
                                                        └──────(a call fails)──────┘

A success while closed resets the count. Exceptions of an ``exclude``d class say the PAS is up
and answering (a 404, a rejection): they count as a success. Cancellation (the caller gave up)
counts as neither.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Literal

BreakerState = Literal["closed", "opened", "half-opened"]


class CircuitBreaker:
    """Counts failed calls; ``allow()`` says whether the next call may be sent."""

    def __init__(
        self,
        *,
        threshold: int,
        ttl_s: float,
        exclude: tuple[type[BaseException], ...] = (),
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if threshold < 1:
            raise ValueError("breaker threshold must be at least 1")
        self._threshold = threshold
        self._ttl_s = ttl_s
        self._exclude = exclude
        self._monotonic = monotonic
        self._failures = 0
        self._opened_at: float | None = None
        self._half_open = False

    @property
    def state(self) -> BreakerState:
        if self._half_open:
            return "half-opened"
        return "closed" if self._opened_at is None else "opened"

    def allow(self) -> bool:
        """Whether a call may go out now; moves an opened breaker past its ttl to half-opened."""
        if self._opened_at is None:
            return True
        if self._monotonic() - self._opened_at > self._ttl_s:
            self._opened_at = None
            self._half_open = True
            return True
        return False

    def record_success(self) -> None:
        self._failures = 0
        self._half_open = False

    def record_failure(self, exc: Exception) -> None:
        """Counts ``exc`` (a success if its class is excluded); opens at the threshold or when
        half-open."""
        if isinstance(exc, self._exclude):
            self.record_success()
            return
        self._failures += 1
        if self._half_open or self._failures >= self._threshold:
            self._opened_at = self._monotonic()
            self._half_open = False
            self._failures = 0
