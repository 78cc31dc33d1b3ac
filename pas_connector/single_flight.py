"""Single-flight: identical PAS reads in flight at the same time share one request.

Many conversations ask for the same policy at once (a storm after an outage, a family on one
policy, a read started ahead of verification and the task's own read of it): without this, every
cache miss sends its own request. Here the first caller for a key starts the fetch as a task of its
own and every caller for that key, the first included, awaits that task:

- one HTTP request, every waiter gets its result, and an error reaches every waiter;
- a waiter that is cancelled (its action's deadline, a closed connection) stops waiting, and only
  that: the fetch is shielded and still finishes for the others (and fills the cache);
- ``forget(key)`` detaches a flight, so the next caller starts a fresh fetch. A write that changes
  the data (a payment) forgets its keys: a read started before the payment must neither answer a
  caller who arrives after it nor write its old copy into the cache (``Flight.current``).

Per process and per event loop: callers in other processes coalesce only through the cache.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

T = TypeVar("T")


@dataclass
class Flight(Generic[T]):
    """One shared fetch. ``current`` turns false once the key is forgotten (its data changed)."""

    task: asyncio.Task[T] | None = field(default=None, repr=False)
    current: bool = True

    async def wait(self) -> T:
        """The fetch's result (or its error). Cancelling this wait leaves the fetch running."""
        assert self.task is not None, "a flight is started before anyone waits on it"
        return await asyncio.shield(self.task)


class SingleFlight(Generic[T]):
    """Coalesces concurrent fetches by key."""

    def __init__(self) -> None:
        self._flights: dict[str, Flight[T]] = {}

    def __len__(self) -> int:
        return len(self._flights)

    def join(
        self, key: str, fetch: Callable[[Flight[T]], Coroutine[Any, Any, T]]
    ) -> tuple[Flight[T], bool]:
        """The flight for ``key``, started now with ``fetch(flight)`` if none is in flight.

        Also says whether this caller started it (``True``) or joined one already in flight.
        Must be called from a running event loop.
        """
        flight = self._flights.get(key)
        if flight is not None:
            return flight, False
        flight = Flight()
        task: asyncio.Task[T] = asyncio.get_running_loop().create_task(fetch(flight))
        flight.task = task
        self._flights[key] = flight
        task.add_done_callback(lambda done: self._landed(key, flight))
        return flight, True

    async def run(self, key: str, fetch: Callable[[Flight[T]], Coroutine[Any, Any, T]]) -> T:
        """``fetch(flight)``'s result, shared with every concurrent caller for ``key``."""
        flight, _ = self.join(key, fetch)
        return await flight.wait()

    def forget(self, *keys: str) -> None:
        """Detach the flights for ``keys``: their waiters get them; new callers start anew."""
        for key in keys:
            flight = self._flights.pop(key, None)
            if flight is not None:
                flight.current = False

    def _landed(self, key: str, flight: Flight[T]) -> None:
        if self._flights.get(key) is flight:
            del self._flights[key]
        task = flight.task
        # When every waiter was cancelled nobody reads the outcome: mark it read (no warning).
        if task is not None and not task.cancelled():
            task.exception()
