"""One asyncio event loop in a daemon thread, for Flask views that call the async PAS connector.

The connector's connection pool and rate limiter belong to the event loop they first run on
(``pas_connector.factory``), so each web process keeps *one* loop alive for it rather than
``asyncio.run`` per request (a new loop per request would strand the pool). Views submit
coroutines with ``run(coro, timeout)`` and block their worker thread until the result; requests
from several worker threads share the loop safely (``run_coroutine_threadsafe``).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")
log = logging.getLogger("policyline.web.loop")


class LoopTimeout(Exception):
    """The coroutine did not finish in time (it is cancelled)."""


class LoopThread:
    """A running event loop in a background thread."""

    def __init__(self, name: str = "policyline-async") -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._serve, name=name, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_forever()

    def run(self, coro: Coroutine[Any, Any, T], timeout: float) -> T:
        """Run ``coro`` on the loop and return its result (``LoopTimeout`` after ``timeout`` s)."""
        if self._loop.is_closed():
            coro.close()
            raise RuntimeError("the event loop thread is closed")
        future = asyncio.run_coroutine_threadsafe(coro, self._loop)
        try:
            return future.result(timeout)
        except concurrent.futures.TimeoutError as exc:
            future.cancel()
            raise LoopTimeout(f"no answer within {timeout:.1f} s") from exc

    def close(self, final: Coroutine[Any, Any, Any] | None = None, timeout: float = 5.0) -> None:
        """Run ``final`` (e.g. ``connector.aclose()``), then stop the loop and its thread."""
        if self._loop.is_closed():
            return
        if final is not None:
            try:
                self.run(final, timeout)
            except Exception as exc:  # closing on the way out: note it and carry on
                log.warning("closing the event loop thread: %s", type(exc).__name__)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout)
        self._loop.close()
