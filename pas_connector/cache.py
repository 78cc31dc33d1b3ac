"""The PAS response cache: a small port with an in-memory and a Redis backend.

Values are the PAS's own JSON payloads (dicts and lists), stored as JSON text with the time they
were stored (``stored_at``). Whether an entry is fresh or only good enough to serve stale is the
connector's decision; a backend only keeps an entry for the ``keep_s`` it was given (TTL plus the
stale-if-error window) and forgets it after that.

Never pickle: a cache shared through Redis must not be a way to run code (docs/architecture.md,
"Budgets and library facts").
"""

from __future__ import annotations

import abc
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from redis import asyncio as aioredis
from redis.exceptions import RedisError

log = logging.getLogger("pas_connector.cache")

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The current time, UTC-aware."""
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class CacheEntry:
    """A cached JSON value and when it was stored."""

    value: Any
    stored_at: datetime

    def age_s(self, now: datetime) -> float:
        """Seconds since the entry was stored (never negative)."""
        return max(0.0, (now - self.stored_at).total_seconds())


def encode_entry(value: Any, stored_at: datetime) -> str:
    """The JSON text a backend stores for ``value``."""
    # ISO 8601 keeps the instant exact (a float timestamp can lose a microsecond).
    return json.dumps(
        {"stored_at": stored_at.astimezone(timezone.utc).isoformat(), "value": value},
        separators=(",", ":"),
        allow_nan=False,
    )


def decode_entry(text: str | bytes) -> CacheEntry | None:
    """The entry from stored JSON text, or ``None`` when it is not an entry we wrote."""
    try:
        raw = json.loads(text)
        stored_at = datetime.fromisoformat(raw["stored_at"])
        if stored_at.tzinfo is None:
            return None
        return CacheEntry(value=raw["value"], stored_at=stored_at)
    except (ValueError, TypeError, KeyError, AttributeError):
        return None


class CacheBackend(abc.ABC):
    """Where PAS responses are kept between calls."""

    @abc.abstractmethod
    async def get(self, key: str) -> CacheEntry | None:
        """The entry under ``key``, or ``None`` if there is none (or the cache is unreachable)."""

    @abc.abstractmethod
    async def set(self, key: str, value: Any, keep_s: float) -> None:
        """Store JSON-serialisable ``value`` under ``key``, stamped now, kept for ``keep_s``."""

    @abc.abstractmethod
    async def delete(self, *keys: str) -> None:
        """Forget ``keys``."""

    @abc.abstractmethod
    async def delete_prefix(self, prefix: str) -> None:
        """Forget every key that starts with ``prefix``."""

    async def aclose(self) -> None:  # noqa: B027 - optional hook, nothing to release by default
        """Release connections."""


class MemoryCache(CacheBackend):
    """A per-process cache for local runs and tests; ``clock`` decides both age and expiry."""

    def __init__(self, clock: Clock = utc_now) -> None:
        self._clock = clock
        self._entries: dict[str, tuple[str, datetime]] = {}

    async def get(self, key: str) -> CacheEntry | None:
        item = self._entries.get(key)
        if item is None:
            return None
        text, expires_at = item
        if self._clock() >= expires_at:
            del self._entries[key]
            return None
        return decode_entry(text)

    async def set(self, key: str, value: Any, keep_s: float) -> None:
        now = self._clock()
        # Stored as JSON text, like Redis, so nothing mutable is shared with callers.
        expires_at = datetime.fromtimestamp(now.timestamp() + keep_s, tz=timezone.utc)
        self._entries[key] = (encode_entry(value, now), expires_at)

    async def delete(self, *keys: str) -> None:
        for key in keys:
            self._entries.pop(key, None)

    async def delete_prefix(self, prefix: str) -> None:
        for key in [k for k in self._entries if k.startswith(prefix)]:
            del self._entries[key]


class RedisCache(CacheBackend):
    """A cache shared by every process through Redis (redis-py 4.6 ``redis.asyncio``).

    Keys are namespaced by ``prefix``. When Redis fails, the cache degrades to no cache: reads miss,
    writes are dropped, the first failure is logged once, and Redis is not tried again for
    ``cooldown_s`` (so an outage costs at most one short timeout per cool-down, not one per call).
    Deletes are always attempted, because skipping one could leave an outdated balance behind.
    """

    def __init__(
        self,
        url: str,
        *,
        prefix: str = "policyline:pas:",
        clock: Clock = utc_now,
        socket_timeout_s: float = 0.25,
        cooldown_s: float = 5.0,
        client: aioredis.Redis | None = None,
    ) -> None:
        self._redis = client or aioredis.Redis.from_url(
            url,
            socket_connect_timeout=socket_timeout_s,
            socket_timeout=socket_timeout_s,
            health_check_interval=30,
        )
        self._prefix = prefix
        self._clock = clock
        self._cooldown_s = cooldown_s
        self._degraded = False
        self._retry_at = 0.0

    async def get(self, key: str) -> CacheEntry | None:
        if self._cooling_down():
            return None
        try:
            text = await self._redis.get(self._prefix + key)
        except (RedisError, OSError) as exc:
            self._failed("get", exc)
            return None
        self._recovered()
        return None if text is None else decode_entry(text)

    async def set(self, key: str, value: Any, keep_s: float) -> None:
        if self._cooling_down():
            return
        text = encode_entry(value, self._clock())
        try:
            await self._redis.set(self._prefix + key, text, px=max(1, int(keep_s * 1000)))
        except (RedisError, OSError) as exc:
            self._failed("set", exc)
            return
        self._recovered()

    async def delete(self, *keys: str) -> None:
        if not keys:
            return
        try:
            await self._redis.delete(*(self._prefix + k for k in keys))
        except (RedisError, OSError) as exc:
            self._failed("delete", exc)
            return
        self._recovered()

    async def delete_prefix(self, prefix: str) -> None:
        pattern = _glob_escape(self._prefix + prefix) + "*"
        try:
            batch: list[bytes] = []
            async for key in self._redis.scan_iter(match=pattern, count=500):
                batch.append(key)
                if len(batch) >= 500:
                    await self._redis.delete(*batch)
                    batch = []
            if batch:
                await self._redis.delete(*batch)
        except (RedisError, OSError) as exc:
            self._failed("delete_prefix", exc)
            return
        self._recovered()

    async def aclose(self) -> None:
        await self._redis.close()
        await self._redis.connection_pool.disconnect()

    def _cooling_down(self) -> bool:
        return self._degraded and time.monotonic() < self._retry_at

    def _failed(self, what: str, exc: BaseException) -> None:
        self._retry_at = time.monotonic() + self._cooldown_s
        if not self._degraded:
            self._degraded = True
            log.warning(
                "Redis cache unavailable (%s: %s); serving PAS calls without cache",
                what,
                type(exc).__name__,
            )

    def _recovered(self) -> None:
        if self._degraded:
            self._degraded = False
            log.warning("Redis cache reachable again")


def _glob_escape(text: str) -> str:
    """Escape Redis glob metacharacters so a prefix matches only itself."""
    return "".join("\\" + c if c in "*?[]\\" else c for c in text)
