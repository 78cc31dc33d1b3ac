"""Connector configuration: small frozen value objects with named defaults.

Built from environment variables by ``bot.settings``; tests build them directly.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PasSettings:
    base_url: str = "http://127.0.0.1:8100"
    key_id: str = "policyline"
    # Public local default; bot.settings refuses it outside local and test environments.
    hmac_secret: str = "local-pas-hmac-secret-not-for-production"  # noqa: S105
    replica_url: str = ""
    connect_timeout_s: float = 1.0
    read_timeout_s: float = 2.0
    # Turn budget: at most this many attempts and seconds for one read (docs/architecture.md).
    read_attempts: int = 2
    read_budget_s: float = 4.5
    rate_limit_per_s: float = 50.0
    breaker_threshold: int = 5
    breaker_ttl_s: float = 30.0
    max_connections: int = 50


@dataclass(frozen=True)
class CacheSettings:
    redis_url: str | None = None
    # Namespace for every cache key in Redis (lets deployments and tests share one server).
    redis_prefix: str = "policyline:pas:"
    policy_ttl_s: float = 300.0
    billing_ttl_s: float = 60.0
    claims_ttl_s: float = 120.0
    # How long an expired entry is kept to answer (marked stale) while the PAS is failing.
    stale_max_s: float = 24 * 3600.0
