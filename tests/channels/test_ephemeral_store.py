"""Replay de-duplication and short-lived state: in-process and in a real Redis."""

from __future__ import annotations

import uuid

import pytest
import redis
from redis import asyncio as aioredis

from channels.ephemeral_store import (
    KEY_PREFIX,
    EphemeralStore,
    InMemoryEphemeralStore,
    RedisEphemeralStore,
    build_ephemeral_store,
    claim_once,
)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_the_first_claim_wins_until_the_ttl_expires():
    clock = FakeClock()
    store = InMemoryEphemeralStore(clock)
    assert await claim_once(store, "sms:sid:SM1", 60)
    assert not await claim_once(store, "sms:sid:SM1", 60)
    assert await claim_once(store, "sms:sid:SM2", 60)
    clock.now += 61
    assert await claim_once(store, "sms:sid:SM1", 60)


async def test_values_expire_and_can_be_replaced_or_deleted():
    clock = FakeClock()
    store = InMemoryEphemeralStore(clock)
    await store.put("k", "one", 10)
    await store.put("k", "two", 10)
    assert await store.get("k") == "two"
    clock.now += 10
    assert await store.get("k") is None
    await store.put("k", "three", 10)
    await store.delete("k")
    assert await store.get("k") is None


async def test_expired_entries_are_swept_so_memory_stays_bounded():
    clock = FakeClock()
    store = InMemoryEphemeralStore(clock)
    for i in range(InMemoryEphemeralStore.SWEEP_EVERY):
        await store.add(f"old{i}", "1", 1)
    clock.now += 2
    for i in range(InMemoryEphemeralStore.SWEEP_EVERY):
        await store.add(f"new{i}", "1", 60)
    assert len(store) == InMemoryEphemeralStore.SWEEP_EVERY


class BrokenStore(EphemeralStore):
    async def add(self, key, value, ttl_s):
        raise redis.exceptions.ConnectionError("redis is down")

    async def put(self, key, value, ttl_s):
        raise redis.exceptions.ConnectionError("redis is down")

    async def get(self, key):
        raise redis.exceptions.ConnectionError("redis is down")

    async def delete(self, key):
        raise redis.exceptions.ConnectionError("redis is down")


async def test_an_unreachable_store_lets_the_request_through_rather_than_dropping_it():
    assert await claim_once(BrokenStore(), "sms:sid:SM1", 60)


async def test_the_redis_store_degrades_to_in_process_state_when_redis_is_unreachable():
    store = RedisEphemeralStore.from_url("redis://127.0.0.1:1/0")  # nothing listens on port 1
    try:
        assert await store.add("sms:sid:SM1", "1", 60)
        assert not await store.add("sms:sid:SM1", "1", 60)
        await store.put("sms:menu:c1", "[1]", 60)
        assert await store.get("sms:menu:c1") == "[1]"
        await store.delete("sms:menu:c1")
        assert await store.get("sms:menu:c1") is None
    finally:
        await store.close()


def test_the_store_is_redis_only_when_a_url_is_configured():
    assert isinstance(build_ephemeral_store(None), InMemoryEphemeralStore)
    assert isinstance(build_ephemeral_store("redis://127.0.0.1:1/0"), RedisEphemeralStore)


@pytest.mark.redis
async def test_redis_claims_are_atomic_across_clients_and_carry_a_ttl(redis_url):
    key = f"sms:sid:{uuid.uuid4().hex}"
    one, two = RedisEphemeralStore.from_url(redis_url), RedisEphemeralStore.from_url(redis_url)
    raw = aioredis.Redis.from_url(redis_url)
    try:
        # Two servers see the same Twilio retry: exactly one of them wins.
        assert await claim_once(one, key, 120)
        assert not await claim_once(two, key, 120)
        ttl_ms = await raw.pttl(KEY_PREFIX + key)
        assert 0 < ttl_ms <= 120_000
        await one.put("voice:result:CA1:3", "<Response/>", 30)
        assert await two.get("voice:result:CA1:3") == "<Response/>"
        await two.delete("voice:result:CA1:3")
        assert await one.get("voice:result:CA1:3") is None
    finally:
        await raw.delete(KEY_PREFIX + key)
        for client in (one, two):
            await client.close()
        await raw.close()
