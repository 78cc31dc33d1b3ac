"""Short-lived channel state with a TTL: replay de-duplication, menus, voice turn results.

One small async interface, two backends: Redis when ``REDIS_URL`` is set (required for
correctness with more than one Rasa server), in-process otherwise. Values are text (JSON where
structured): never pickled.

- ``add(key, value, ttl_s)``: store only if absent; True for the first caller. This is the
  de-duplication primitive (Redis ``SET NX EX``: atomic across servers).
- ``put`` / ``get`` / ``delete``: plain TTL'd values.
"""

from __future__ import annotations

import abc
import logging
import time
from collections.abc import Callable

from redis import asyncio as aioredis
from redis.exceptions import RedisError

log = logging.getLogger("channels.ephemeral_store")

KEY_PREFIX = "policyline:channels:"


class EphemeralStore(abc.ABC):
    """Text values that expire."""

    @abc.abstractmethod
    async def add(self, key: str, value: str, ttl_s: float) -> bool:
        """Store ``value`` only if ``key`` is absent (or expired). True when it was stored."""

    @abc.abstractmethod
    async def put(self, key: str, value: str, ttl_s: float) -> None:
        """Store ``value`` under ``key`` for ``ttl_s`` seconds, replacing any value."""

    @abc.abstractmethod
    async def get(self, key: str) -> str | None:
        """The live value under ``key``, or ``None``."""

    @abc.abstractmethod
    async def delete(self, key: str) -> None:
        """Forget ``key``."""

    async def close(self) -> None:  # noqa: B027 - optional hook, nothing to close in memory
        """Release connections."""


class InMemoryEphemeralStore(EphemeralStore):
    """Per-process store for one local Rasa server. Expired entries are swept as writes arrive."""

    SWEEP_EVERY = 512

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._values: dict[str, tuple[str, float]] = {}
        self._writes = 0

    def _live(self, key: str) -> str | None:
        entry = self._values.get(key)
        if entry is None:
            return None
        value, expires_at = entry
        if expires_at <= self._clock():
            del self._values[key]
            return None
        return value

    def _written(self) -> None:
        self._writes += 1
        if self._writes % self.SWEEP_EVERY == 0:
            now = self._clock()
            for key in [k for k, (_, exp) in self._values.items() if exp <= now]:
                del self._values[key]

    async def add(self, key: str, value: str, ttl_s: float) -> bool:
        if self._live(key) is not None:
            return False
        self._values[key] = (value, self._clock() + ttl_s)
        self._written()
        return True

    async def put(self, key: str, value: str, ttl_s: float) -> None:
        self._values[key] = (value, self._clock() + ttl_s)
        self._written()

    async def get(self, key: str) -> str | None:
        return self._live(key)

    async def delete(self, key: str) -> None:
        self._values.pop(key, None)

    def __len__(self) -> int:
        return len(self._values)


class RedisEphemeralStore(EphemeralStore):
    """Shared store in Redis; keys are prefixed ``policyline:channels:``.

    When Redis fails, every operation degrades to a per-process store (menus, voice turn results
    and replay claims keep working on this server) and the outage is logged once; Redis is used
    again as soon as it answers. A policyholder's text must never be dropped because a cache is
    down (tests/faults).
    """

    def __init__(self, client: aioredis.Redis) -> None:
        self._client = client
        self._fallback = InMemoryEphemeralStore()
        self._degraded = False

    @classmethod
    def from_url(cls, url: str) -> RedisEphemeralStore:
        """A store on the Redis at ``url`` (connects lazily, on the caller's event loop)."""
        return cls(aioredis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2))

    @staticmethod
    def _ms(ttl_s: float) -> int:
        return max(1, int(ttl_s * 1000))

    def _failed(self, exc: Exception) -> None:
        if not self._degraded:
            self._degraded = True
            log.warning("Redis unavailable for channel state (%s); using in-process state",
                        type(exc).__name__)  # fmt: skip

    def _answered(self) -> None:
        if self._degraded:
            self._degraded = False
            log.warning("Redis reachable again for channel state")

    async def add(self, key: str, value: str, ttl_s: float) -> bool:
        try:
            stored = await self._client.set(KEY_PREFIX + key, value, px=self._ms(ttl_s), nx=True)
        except (RedisError, OSError) as exc:
            self._failed(exc)
            return await self._fallback.add(key, value, ttl_s)
        self._answered()
        return bool(stored)

    async def put(self, key: str, value: str, ttl_s: float) -> None:
        try:
            await self._client.set(KEY_PREFIX + key, value, px=self._ms(ttl_s))
        except (RedisError, OSError) as exc:
            self._failed(exc)
            await self._fallback.put(key, value, ttl_s)
            return
        self._answered()

    async def get(self, key: str) -> str | None:
        try:
            raw = await self._client.get(KEY_PREFIX + key)
        except (RedisError, OSError) as exc:
            self._failed(exc)
            return await self._fallback.get(key)
        self._answered()
        if raw is None:
            return await self._fallback.get(key) if len(self._fallback) else None
        return raw.decode() if isinstance(raw, bytes) else str(raw)

    async def delete(self, key: str) -> None:
        await self._fallback.delete(key)
        try:
            await self._client.delete(KEY_PREFIX + key)
        except (RedisError, OSError) as exc:
            self._failed(exc)
            return
        self._answered()

    async def close(self) -> None:
        await self._client.close()


def build_ephemeral_store(redis_url: str | None) -> EphemeralStore:
    """Redis when a URL is configured, else in-process."""
    return RedisEphemeralStore.from_url(redis_url) if redis_url else InMemoryEphemeralStore()


async def claim_once(store: EphemeralStore, key: str, ttl_s: float) -> bool:
    """True the first time ``key`` is claimed within ``ttl_s`` (replay de-duplication).

    If the store is unreachable the request is treated as new: answering a retry twice is better
    than leaving a policyholder without an answer.
    """
    try:
        return await store.add(key, "1", ttl_s)
    except (RedisError, OSError):
        log.warning("replay check unavailable (store error); processing anyway")
        return True
