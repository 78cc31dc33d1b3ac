"""Fixtures for connector tests: a fake PAS behind ``httpx.MockTransport``, an exact clock, virtual
monotonic time (backoff sleeps move it instead of waiting), and a connector built exactly as the
composition root builds it (``build_connector``)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select

from pas_connector.audit import pas_audit
from pas_connector.config import CacheSettings, PasSettings
from pas_connector.connector import PasConnector
from pas_connector.factory import build_connector

# The action tests' services (production composition on the sandbox) and domain, for the tests
# that count the PAS requests a whole conversation makes (test_read_ahead).
from tests.actions.conftest import domain, services  # noqa: F401
from tests.connector.fakes import KEY_ID, SECRET, FakeClock, FakePas, VirtualTime
from tests.support.app_database import migrated_sqlite

AUDIT_KEY = "unit-test-audit-key"


@pytest.fixture
def virtual_time() -> VirtualTime:
    return VirtualTime()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def fake_pas() -> FakePas:
    return FakePas()


@pytest.fixture
def pas_settings() -> PasSettings:
    return PasSettings(
        base_url="http://pas.test",
        key_id=KEY_ID,
        hmac_secret=SECRET,
        read_attempts=2,
        read_budget_s=4.5,
        rate_limit_per_s=1000.0,
        breaker_threshold=3,
        breaker_ttl_s=30.0,
    )


@pytest.fixture
def cache_settings() -> CacheSettings:
    return CacheSettings(
        redis_url=None, policy_ttl_s=300, billing_ttl_s=60, claims_ttl_s=120, stale_max_s=3600
    )


@pytest.fixture
def audit_db_url(tmp_path: Path) -> str:
    return migrated_sqlite(tmp_path / "app.sqlite")


ConnectorFactory = Callable[..., Awaitable[PasConnector]]


@pytest.fixture
async def make_connector(
    fake_pas: FakePas,
    clock: FakeClock,
    virtual_time: VirtualTime,
    pas_settings: PasSettings,
    cache_settings: CacheSettings,
    audit_db_url: str,
) -> AsyncIterator[ConnectorFactory]:
    """Builds connectors on the fake PAS; ``pas=``/``cache=`` keyword overrides change settings."""
    built: list[PasConnector] = []

    async def factory(**overrides: Any) -> PasConnector:
        pas = replace(pas_settings, **overrides.pop("pas", {}))
        cache = replace(cache_settings, **overrides.pop("cache", {}))
        connector = build_connector(
            pas,
            cache,
            database_url=audit_db_url,
            audit_hash_key=AUDIT_KEY,
            clock=clock,
            transport=overrides.pop("transport", fake_pas.transport()),
            sleep=virtual_time.sleep,
            monotonic=virtual_time.monotonic,
        )
        built.append(connector)
        return connector

    yield factory
    for connector in built:
        await connector.aclose()


@pytest.fixture
def audit_rows(audit_db_url: str) -> Callable[[], list[dict[str, Any]]]:
    """Reads every ``pas_audit`` row written so far, oldest first."""

    def read() -> list[dict[str, Any]]:
        engine = create_engine(audit_db_url)
        try:
            with engine.connect() as conn:
                rows = conn.execute(select(pas_audit).order_by(pas_audit.c.id)).mappings().all()
                return [dict(r) for r in rows]
        finally:
            engine.dispose()

    return read


@pytest.fixture
def pg_database(postgres_url: str) -> Iterator[str]:
    """A fresh, empty PostgreSQL database on the shared test server (dropped afterwards), so our
    fixed table names never meet another test's."""
    import psycopg2
    from sqlalchemy.engine import make_url

    url = make_url(postgres_url)
    name = f"connector_{uuid.uuid4().hex[:12]}"

    def admin(sql: str) -> None:
        conn = psycopg2.connect(host=url.host, port=url.port, user=url.username, dbname="postgres")
        conn.autocommit = True
        try:
            with conn.cursor() as cur:
                cur.execute(sql)
        finally:
            conn.close()

    admin(f"CREATE DATABASE {name}")
    try:
        yield str(url.set(database=name))
    finally:
        admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
