"""The resilient PAS HTTP client: rate limit, retries for reads, circuit breaker, error mapping.

One logical call goes through, outside in:

    circuit breaker  (``pas_connector.breaker``, in memory: one failure per logical call; 4xx
                      other than 429 never count)
      retries        (reads only: ``read_attempts`` attempts inside ``read_budget_s``,
                      exponential backoff with jitter, a 429's Retry-After honoured if it fits)
        rate limit   (aiolimiter: waits for capacity, never fails)
          signed send (httpx; ``PasSigner`` signs each attempt afresh)

Writes (POST/PUT/DELETE) are sent exactly once: a timed-out payment may or may not have been
posted, and only the caller, holding the idempotency key, can decide to try again.

Responses map onto the tree in ``pas_connector.errors``. Error messages name the operation and
status, never the path (it holds policy numbers) or the body.

Time is injected: ``sleep`` waits between attempts, ``monotonic`` measures the read budget and
the breaker's reset time, ``jitter`` draws the random part of each backoff. Tests pass virtual
ones and never wait.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
from aiolimiter import AsyncLimiter

from pas_connector.breaker import BreakerState, CircuitBreaker
from pas_connector.config import PasSettings
from pas_connector.errors import (
    CircuitOpen,
    PasAuthError,
    PasError,
    PasNotFound,
    PasProtocolError,
    PasRateLimited,
    PasRejected,
    PasUnavailable,
)

log = logging.getLogger("pas_connector.client")

Sleep = Callable[[float], Awaitable[None]]
Monotonic = Callable[[], float]
# Returns a number in [0, 1): the share of BACKOFF_JITTER_S added to one backoff.
Jitter = Callable[[], float]
# Backoff between read attempts: exponential from 100 ms, capped at 1 s, plus up to 200 ms jitter.
# Small on purpose: the whole read must fit the turn budget (docs/architecture.md, Budgets).
BACKOFF_INITIAL_S = 0.1
BACKOFF_MAX_S = 1.0
BACKOFF_JITTER_S = 0.2
# Smallest per-attempt timeout worth sending when the read budget is nearly spent.
MIN_ATTEMPT_TIMEOUT_S = 0.05

# Errors that say the PAS is up and answering: they never trip the breaker.
BREAKER_EXCLUDED: tuple[type[BaseException], ...] = (
    PasNotFound,
    PasRejected,
    PasAuthError,
    PasProtocolError,
)


@dataclass
class CallStats:
    """What happened on the wire during one logical call (filled in by ``PasClient``)."""

    attempts: int = 0
    status_code: int | None = None


def retry_backoff(exc: Exception, *, elapsed_s: float, budget_s: float) -> bool | float:
    """Whether (and after how long) a failed read attempt may be tried again.

    Only ``PasUnavailable`` is retried, never an open circuit. A 429 with ``Retry-After`` is
    retried after exactly that delay if the attempt can still start inside the budget, and not at
    all otherwise; anything else retryable gets the exponential backoff (``True``).
    """
    if isinstance(exc, CircuitOpen) or not isinstance(exc, PasUnavailable):
        return False
    if isinstance(exc, PasRateLimited) and exc.retry_after is not None:
        if elapsed_s + exc.retry_after >= budget_s:
            return False
        return float(exc.retry_after)
    return True


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP date), or ``None``."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    now = now or datetime.now(timezone.utc)
    return max(0.0, (when - now).total_seconds())


def _error_code(response: httpx.Response, default: str) -> str:
    try:
        body = response.json()
    except ValueError:
        return default
    code = body.get("error") if isinstance(body, dict) else None
    return code if isinstance(code, str) and code else default


def error_for_status(operation: str, response: httpx.Response) -> PasError | None:
    """The connector error for a non-2xx response, or ``None`` for a success."""
    status = response.status_code
    if 200 <= status < 300:
        return None
    where = f"PAS {operation}: HTTP {status}"
    if status == 401:
        return PasAuthError(f"{where} (signature refused: check key id, secret and clock)")
    if status == 404:
        return PasNotFound(where)
    if status == 400:
        return PasRejected(where, code=_error_code(response, "bad_request"))
    if status in (409, 422):
        return PasRejected(where, code=_error_code(response, "rejected"))
    if status == 429:
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        return PasRateLimited(where, retry_after=retry_after)
    if status >= 500:
        return PasUnavailable(where)
    return PasProtocolError(f"{where} (unexpected status)")


def parse_json(operation: str, response: httpx.Response) -> Any:
    """The JSON body of a successful response, or ``PasProtocolError``."""
    try:
        return response.json()
    except ValueError as exc:
        raise PasProtocolError(f"PAS {operation}: response is not JSON") from exc


def make_limiter(rate_per_s: float) -> AsyncLimiter:
    """A leaky bucket allowing ``rate_per_s`` request starts per second (bursts up to one second's
    worth); callers over the rate wait for capacity."""
    if rate_per_s <= 0:
        raise ValueError("rate_limit_per_s must be positive")
    if rate_per_s >= 1:
        return AsyncLimiter(rate_per_s, 1.0)
    # aiolimiter needs room for at least one request per period: 0.5/s is 1 per 2 s.
    return AsyncLimiter(1, 1.0 / rate_per_s)


def backoff_delay(attempt: int, jitter: float) -> float:
    """Seconds to wait after failed attempt number ``attempt`` (1-based): exponential from
    ``BACKOFF_INITIAL_S``, plus ``jitter`` (in [0, 1)) times ``BACKOFF_JITTER_S``, at most
    ``BACKOFF_MAX_S``."""
    delay = BACKOFF_INITIAL_S * 2.0 ** (attempt - 1) + jitter * BACKOFF_JITTER_S
    return min(delay, BACKOFF_MAX_S)


class PasClient:
    """Sends PAS requests with the resilience rules above; returns parsed JSON bodies."""

    def __init__(
        self,
        settings: PasSettings,
        http: httpx.AsyncClient,
        *,
        limiter: AsyncLimiter | None = None,
        sleep: Sleep = asyncio.sleep,
        monotonic: Monotonic = time.monotonic,
        jitter: Jitter = random.random,
    ) -> None:
        self._settings = settings
        self._http = http
        self._limiter = limiter or make_limiter(settings.rate_limit_per_s)
        self._sleep = sleep
        self._monotonic = monotonic
        self._jitter = jitter
        self._breaker = CircuitBreaker(
            threshold=settings.breaker_threshold,
            ttl_s=settings.breaker_ttl_s,
            exclude=BREAKER_EXCLUDED,
            monotonic=monotonic,
        )

    async def get(self, operation: str, path: str, stats: CallStats) -> Any:
        """An idempotent read, retried within the read budget."""
        return await self._guarded(operation, "GET", path, stats)

    async def post(
        self,
        operation: str,
        path: str,
        body: dict[str, Any],
        stats: CallStats,
        *,
        idempotency_key: str | None = None,
    ) -> Any:
        """A write, sent once."""
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else None
        return await self._guarded(operation, "POST", path, stats, body=body, headers=headers)

    async def put(self, operation: str, path: str, body: dict[str, Any], stats: CallStats) -> Any:
        """A write, sent once."""
        return await self._guarded(operation, "PUT", path, stats, body=body)

    async def delete(self, operation: str, path: str, stats: CallStats) -> Any:
        """A write, sent once."""
        return await self._guarded(operation, "DELETE", path, stats)

    async def breaker_state(self) -> BreakerState:
        """``closed``, ``opened`` or ``half-opened`` (for health checks and tests)."""
        return self._breaker.state

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    async def _guarded(
        self,
        operation: str,
        method: str,
        path: str,
        stats: CallStats,
        *,
        body: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        if not self._breaker.allow():
            log.warning("PAS circuit open: %s not sent", operation)
            raise CircuitOpen(f"PAS {operation}: circuit open, request not sent")
        try:
            if method == "GET":
                result = await self._read_with_retries(operation, path, stats)
            else:
                result = await self._send_once(
                    operation, method, path, stats, body=body, headers=headers
                )
        except Exception as exc:
            self._breaker.record_failure(exc)
            raise
        self._breaker.record_success()
        return result

    async def _read_with_retries(self, operation: str, path: str, stats: CallStats) -> Any:
        budget = self._settings.read_budget_s
        started = self._monotonic()
        attempt = 0
        while True:
            attempt += 1
            remaining = budget - (self._monotonic() - started)
            try:
                return await self._send_once(
                    operation, "GET", path, stats, timeout=self._attempt_timeout(remaining)
                )
            except PasError as exc:
                if attempt >= self._settings.read_attempts:
                    raise
                elapsed = self._monotonic() - started
                decision = retry_backoff(exc, elapsed_s=elapsed, budget_s=budget)
                if decision is False:
                    raise
                delay = backoff_delay(attempt, self._jitter()) if decision is True else decision
                if elapsed + delay >= budget:  # the next attempt could not start in time
                    raise
                log.info("PAS %s: attempt %d again in %.2f s", operation, attempt + 1, delay)
                await self._sleep(delay)

    def _attempt_timeout(self, remaining_s: float) -> httpx.Timeout:
        # No single attempt may outlive the read budget.
        cap = max(MIN_ATTEMPT_TIMEOUT_S, remaining_s)
        return httpx.Timeout(
            min(self._settings.read_timeout_s, cap),
            connect=min(self._settings.connect_timeout_s, cap),
        )

    async def _send_once(
        self,
        operation: str,
        method: str,
        path: str,
        stats: CallStats,
        *,
        body: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        timeout: httpx.Timeout | None = None,
    ) -> Any:
        await self._limiter.acquire()
        stats.attempts += 1
        try:
            response = await self._http.request(
                method,
                path,
                json=body,
                headers=headers,
                timeout=timeout if timeout is not None else httpx.USE_CLIENT_DEFAULT,
            )
        except httpx.TimeoutException as exc:
            log.info("PAS %s attempt %d timed out", operation, stats.attempts)
            raise PasUnavailable(f"PAS {operation}: timed out ({type(exc).__name__})") from exc
        except httpx.TransportError as exc:
            log.info("PAS %s attempt %d failed: %s", operation, stats.attempts, type(exc).__name__)
            raise PasUnavailable(f"PAS {operation}: unreachable ({type(exc).__name__})") from exc
        stats.status_code = response.status_code
        error = error_for_status(operation, response)
        if error is not None:
            log.info(
                "PAS %s attempt %d answered %d", operation, stats.attempts, response.status_code
            )
            raise error
        return parse_json(operation, response)
