"""Builds a ``PasConnector`` from settings: the composition root calls this, tests too.

Nothing connects at import time. ``build_connector`` creates the ``pas_audit`` table if it is
missing (a quick blocking call at start-up); the HTTP pool, Redis and the replica connect lazily.
A connector belongs to one event loop (its connection pool and rate limiter do): build one per
process, or per loop, and ``await connector.aclose()`` on the way out.
"""

from __future__ import annotations

import asyncio
import time

import httpx

from pas_connector.audit import AuditLog, audit_engine
from pas_connector.cache import CacheBackend, Clock, MemoryCache, RedisCache, utc_now
from pas_connector.client import Monotonic, PasClient, Sleep
from pas_connector.config import CacheSettings, PasSettings
from pas_connector.connector import PasConnector
from pas_connector.replica import ReplicaReader
from pas_connector.signing import PasSigner
from pas_connector.transport import make_http_client


def build_cache(settings: CacheSettings, clock: Clock = utc_now) -> CacheBackend:
    """Redis when ``redis_url`` is set (shared by every process), else in-process memory."""
    if settings.redis_url:
        return RedisCache(settings.redis_url, prefix=settings.redis_prefix, clock=clock)
    return MemoryCache(clock=clock)


def build_connector(
    pas: PasSettings,
    cache: CacheSettings,
    *,
    database_url: str,
    audit_hash_key: str,
    clock: Clock | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    sleep: Sleep = asyncio.sleep,
    monotonic: Monotonic = time.monotonic,
) -> PasConnector:
    """A ready connector.

    ``database_url`` is the application database that receives ``pas_audit`` rows;
    ``pas.replica_url`` (optional) is the PAS read replica; ``clock`` (UTC-aware ``datetime``)
    drives cache ages, ``Fresh.fetched_at`` and audit times; ``transport`` replaces the network
    (``httpx.MockTransport`` in unit tests); ``sleep`` and ``monotonic`` drive the client's
    backoff, read budget and circuit breaker (virtual time in tests). Request signatures always
    use the real time: the PAS refuses timestamps more than 300 s off.
    """
    if not database_url:
        raise ValueError("database_url is required for the PAS audit log")
    now = clock or utc_now
    signer = PasSigner(pas.key_id, pas.hmac_secret)
    client = PasClient(
        pas, make_http_client(pas, signer, transport=transport), sleep=sleep, monotonic=monotonic
    )
    audit = AuditLog(audit_engine(database_url), audit_hash_key, clock=now)
    replica = ReplicaReader.from_url(pas.replica_url) if pas.replica_url else None
    return PasConnector(
        client,
        build_cache(cache, now),
        audit,
        cache,
        replica=replica,
        clock=now,
        owns_audit_engine=True,
    )
