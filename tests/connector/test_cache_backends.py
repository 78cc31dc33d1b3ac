"""Cache backends: in-memory with an exact clock, and Redis against a real redis-server."""

from __future__ import annotations

import json
import logging
import pickle
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from decimal import Decimal

import pytest
from redis import asyncio as aioredis

from pas_connector.cache import MemoryCache, RedisCache
from tests.connector.fakes import FakeClock
from tests.support.servers import free_port

VALUE = {"policy_number": "AUT-1000001", "balance": "412.50", "items": [1, 2, None]}


async def test_memory_cache_returns_what_was_stored_with_its_time(clock: FakeClock):
    cache = MemoryCache(clock=clock)
    await cache.set("policy:AUT-1000001:billing", VALUE, keep_s=60)
    clock.advance(59)
    entry = await cache.get("policy:AUT-1000001:billing")
    assert entry is not None
    assert entry.value == VALUE
    assert entry.stored_at == clock.now - timedelta(seconds=59)
    assert entry.age_s(clock()) == 59


async def test_memory_cache_forgets_an_entry_after_keep_s(clock: FakeClock):
    cache = MemoryCache(clock=clock)
    await cache.set("k", VALUE, keep_s=60)
    clock.advance(60)
    assert await cache.get("k") is None


async def test_memory_cache_hands_out_copies_not_the_stored_object(clock: FakeClock):
    cache = MemoryCache(clock=clock)
    original = {"a": [1]}
    await cache.set("k", original, keep_s=60)
    original["a"].append(2)
    entry = await cache.get("k")
    assert entry is not None and entry.value == {"a": [1]}


async def test_memory_cache_deletes_by_key_and_by_prefix(clock: FakeClock):
    cache = MemoryCache(clock=clock)
    for key in ("policy:A-1:billing", "policy:A-1:summary", "policy:A-10:billing", "claim:C-1"):
        await cache.set(key, VALUE, keep_s=60)
    await cache.delete_prefix("policy:A-1:")
    assert await cache.get("policy:A-1:billing") is None
    assert await cache.get("policy:A-1:summary") is None
    assert await cache.get("policy:A-10:billing") is not None
    await cache.delete("claim:C-1", "never-set")
    assert await cache.get("claim:C-1") is None


async def test_values_that_are_not_json_are_refused_rather_than_pickled(clock: FakeClock):
    cache = MemoryCache(clock=clock)
    with pytest.raises(TypeError):
        await cache.set("k", {"amount": Decimal("1.00")}, keep_s=60)


# --- Redis ---------------------------------------------------------------------------------------


@pytest.fixture
async def redis_cache(redis_url: str, clock: FakeClock) -> AsyncIterator[RedisCache]:
    cache = RedisCache(redis_url, prefix=f"test:{uuid.uuid4().hex}:", clock=clock)
    yield cache
    await cache.aclose()


@pytest.mark.redis
async def test_redis_cache_round_trips_json_with_stored_at(redis_cache: RedisCache, clock):
    await redis_cache.set("policy:AUT-1000001:summary", VALUE, keep_s=300)
    entry = await redis_cache.get("policy:AUT-1000001:summary")
    assert entry is not None
    assert entry.value == VALUE
    assert entry.stored_at == clock()
    assert await redis_cache.get("policy:AUT-9999999:summary") is None


@pytest.mark.redis
async def test_redis_cache_stores_plain_json_under_its_prefix_with_an_expiry(redis_url, clock):
    prefix = f"test:{uuid.uuid4().hex}:"
    cache = RedisCache(redis_url, prefix=prefix, clock=clock)
    raw_client = aioredis.Redis.from_url(redis_url)
    try:
        await cache.set("policy:AUT-1000001:billing", VALUE, keep_s=90)
        raw = await raw_client.get(prefix + "policy:AUT-1000001:billing")
        decoded = json.loads(raw)
        assert decoded["value"] == VALUE
        assert decoded["stored_at"] == "2026-11-25T20:41:00+00:00"
        ttl_ms = await raw_client.pttl(prefix + "policy:AUT-1000001:billing")
        assert 0 < ttl_ms <= 90_000
    finally:
        await raw_client.close()
        await cache.aclose()


@pytest.mark.redis
async def test_redis_cache_treats_a_pickled_value_as_a_miss(redis_url, clock):
    prefix = f"test:{uuid.uuid4().hex}:"
    cache = RedisCache(redis_url, prefix=prefix, clock=clock)
    raw_client = aioredis.Redis.from_url(redis_url)
    try:
        await raw_client.set(prefix + "k", pickle.dumps({"value": VALUE}))
        assert await cache.get("k") is None
    finally:
        await raw_client.close()
        await cache.aclose()


@pytest.mark.redis
async def test_redis_cache_deletes_keys_and_prefixes_only_in_its_namespace(redis_url, clock):
    ours = RedisCache(redis_url, prefix=f"test:{uuid.uuid4().hex}:", clock=clock)
    theirs = RedisCache(redis_url, prefix=f"test:{uuid.uuid4().hex}:", clock=clock)
    try:
        for cache in (ours, theirs):
            for key in ("policy:A-1:billing", "policy:A-1:claims", "policy:A-10:billing"):
                await cache.set(key, VALUE, keep_s=60)
        await ours.delete_prefix("policy:A-1:")
        assert await ours.get("policy:A-1:billing") is None
        assert await ours.get("policy:A-1:claims") is None
        assert await ours.get("policy:A-10:billing") is not None
        assert await theirs.get("policy:A-1:billing") is not None
        await ours.delete("policy:A-10:billing")
        assert await ours.get("policy:A-10:billing") is None
    finally:
        await ours.aclose()
        await theirs.aclose()


async def test_redis_outage_degrades_to_no_cache_and_logs_once(clock, caplog):
    dead = RedisCache(f"redis://127.0.0.1:{free_port()}/0", clock=clock, cooldown_s=0)
    caplog.set_level(logging.WARNING, logger="pas_connector.cache")
    try:
        assert await dead.get("k") is None
        await dead.set("k", VALUE, keep_s=60)
        await dead.delete("k")
        await dead.delete_prefix("policy:")
        assert await dead.get("k") is None
    finally:
        await dead.aclose()
    warnings = [r for r in caplog.records if r.name == "pas_connector.cache"]
    assert len(warnings) == 1
    assert "unavailable" in warnings[0].getMessage()


async def test_a_connector_with_redis_down_still_answers_from_the_pas(make_connector, fake_pas):
    pas = await make_connector(cache={"redis_url": f"redis://127.0.0.1:{free_port()}/0"})
    first = await pas.get_billing("AUT-1000001")
    second = await pas.get_billing("AUT-1000001")
    assert first.value.balance == Decimal("412.50")
    assert (first.from_cache, second.from_cache) == (False, False)
    assert len(fake_pas.calls("/api/v1/policies/AUT-1000001/billing")) == 2


@pytest.mark.redis
async def test_two_connectors_share_entries_and_invalidation_through_redis(
    make_connector, fake_pas, redis_url
):
    shared = {"redis_url": redis_url, "redis_prefix": f"test:{uuid.uuid4().hex}:"}
    web = await make_connector(cache=shared)
    actions = await make_connector(cache=shared)
    await web.get_billing("AUT-1000001")
    assert (await actions.get_billing("AUT-1000001")).from_cache is True
    await web.post_payment("AUT-1000001", Decimal("12.50"), "card", "r", "shared-k")
    after = await actions.get_billing("AUT-1000001")
    assert after.from_cache is False
    assert after.value.balance == Decimal("400.00")
