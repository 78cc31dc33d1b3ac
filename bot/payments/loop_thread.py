"""One event loop in a daemon thread, for sync code (Flask) that needs the async PAS connector.

A ``PasConnector`` belongs to the loop it is first used on (its connection pool and rate limiter
do), so every call from every request thread goes through this one loop: ``run(coro)`` blocks
the calling thread until the coroutine finishes on the loop, with a timeout.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


class LoopThread:
    """A private asyncio loop running in a daemon thread."""

    def __init__(self, name: str = "policyline-payments-loop") -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name=name, daemon=True)
        self._thread.start()

    def run(self, coro: Coroutine[Any, Any, T], timeout_s: float = 30.0) -> T:
        """Run ``coro`` on the loop and return its result (its exception is raised here)."""
        future = asyncio.run_coroutine_threadsafe(coro, self._loop)
        return future.result(timeout=timeout_s)

    def close(self) -> None:
        if self._loop.is_running():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=5)
        if not self._loop.is_running():
            self._loop.close()
