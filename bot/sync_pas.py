"""The PAS for synchronous code: one connector on one event loop in one thread, per process.

A ``PasConnector`` belongs to the event loop it first runs on (its connection pool, rate limiter
and circuit breaker do), so a process whose callers are synchronous (the Flask web app, the
autopay run) keeps exactly one loop alive for it, in a daemon thread, and every caller in every
worker thread submits its coroutine there (``run``). A new loop per call would strand the pool,
and a connector per call would split the breaker, the rate limit and the cache.

``SyncPas`` is built by the process's composition root and handed to whatever needs the PAS; it
starts its thread and builds the connector on first use, so a process that never calls the PAS
never starts either.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from bot.clock import Clock, utc_now
from bot.settings import Settings
from pas_connector.connector import PasConnector
from pas_connector.factory import build_connector

T = TypeVar("T")
log = logging.getLogger("policyline.pas")

# Seconds one PAS call may take from a web request or a webhook (the connector has its own
# per-attempt timeouts inside this).
DEFAULT_TIMEOUT_S = 15.0


class LoopTimeout(Exception):
    """The coroutine did not finish in time (it is cancelled)."""


class LoopThread:
    """A running event loop in a background thread."""

    def __init__(self, name: str = "policyline-pas") -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._serve, name=name, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_forever()

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = DEFAULT_TIMEOUT_S) -> T:
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
            if final is not None:
                final.close()
            return
        if final is not None:
            try:
                self.run(final, timeout)
            except Exception as exc:  # closing on the way out: note it and carry on
                log.warning("closing the event loop thread: %s", type(exc).__name__)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout)
        self._loop.close()


def connector_for(settings: Settings, *, clock: Clock = utc_now) -> PasConnector:
    """The PAS connector ``settings`` describe (the one place its wiring is written)."""
    return build_connector(
        settings.pas,
        settings.cache,
        database_url=settings.database_url,
        audit_hash_key=settings.audit_hash_key,
        clock=clock,
    )


class SyncPas:
    """One PAS connector and the loop it lives on, built on first use.

    ``connect`` builds the connector; ``owns`` says whether ``close`` closes it (a connector
    handed in by a test is the test's to close).
    """

    def __init__(
        self,
        connect: Callable[[], PasConnector],
        *,
        owns: bool = True,
        name: str = "policyline-pas",
    ) -> None:
        self._connect = connect
        self._owns = owns
        self._name = name
        self._lock = threading.Lock()
        self._loop: LoopThread | None = None
        self._connector: PasConnector | None = None

    @classmethod
    def of(cls, connector: PasConnector) -> SyncPas:
        """A facade over a connector someone else built (and closes)."""
        return cls(lambda: connector, owns=False)

    @classmethod
    def for_settings(
        cls, settings: Settings, *, clock: Clock = utc_now, name: str = "policyline-pas"
    ) -> SyncPas:
        """A facade that builds the process's connector from ``settings`` on first use."""
        return cls(lambda: connector_for(settings, clock=clock), name=name)

    def _started(self) -> tuple[LoopThread, PasConnector]:
        with self._lock:
            if self._loop is None or self._connector is None:
                self._connector = self._connect()
                self._loop = LoopThread(self._name)
            return self._loop, self._connector

    @property
    def connector(self) -> PasConnector:
        """The connector (coroutines on it must be run with ``run``)."""
        return self._started()[1]

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = DEFAULT_TIMEOUT_S) -> T:
        """Run ``coro`` (built on ``connector``) on the PAS loop and wait for its result."""
        return self._started()[0].run(coro, timeout)

    def call(
        self,
        operation: Callable[[PasConnector], Coroutine[Any, Any, T]],
        timeout: float = DEFAULT_TIMEOUT_S,
    ) -> T:
        """``operation(connector)`` on the PAS loop: ``pas.call(lambda c: c.get_policy(n))``."""
        loop, connector = self._started()
        return loop.run(operation(connector), timeout)

    def close(self) -> None:
        """Close the connector (when this facade built it) and stop the loop."""
        with self._lock:
            loop, connector = self._loop, self._connector
            self._loop = self._connector = None
        if loop is not None and connector is not None:
            loop.close(connector.aclose() if self._owns else None)
