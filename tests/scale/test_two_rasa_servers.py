"""Two Rasa servers share conversations: state survives alternating servers, and concurrent load
through the load balancer loses and duplicates no event in the shared tracker store."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from datetime import date
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from bench.channel_clients import RestClient, SmsClient
from bench.load_driver import LevelResult, asks_for_code, drive, next_user_turn
from bench.population import Script, personas, scripts
from bot.db import make_engine
from bot.settings import LOCAL_SECRETS
from tests.scale.cluster import Cluster
from tests.scale.outbox import GaplessOutboxWatcher

pytestmark = [
    pytest.mark.scale,
    pytest.mark.rasa,
    pytest.mark.slow,
    pytest.mark.postgres,
    pytest.mark.redis,
]
TOKEN = LOCAL_SECRETS["TWILIO_AUTH_TOKEN"]


def _pool(cluster: Cluster, category: str | None = None) -> list[Script]:
    pool = scripts(personas(400, date.fromisoformat(cluster.sandbox.as_of)))
    return [s for s in pool if category is None or s.category == category]


def _user_events(cluster: Cluster) -> list[tuple[str, dict[str, Any]]]:
    engine = make_engine(cluster.tracker_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text("SELECT sender_id, data FROM events WHERE type_name = 'user'")
            ).all()
    finally:
        engine.dispose()
    return [(sender, json.loads(data)) for sender, data in rows]


async def _alternate(cluster: Cluster, script: Script, channel: str) -> list[list[str]]:
    """Each turn of one conversation on the other server (A, B, A, ...), answering what is asked."""
    engine = make_engine(cluster.app_db_url)
    outbox = GaplessOutboxWatcher(engine)
    outbox.start()
    replies: list[list[str]] = []
    try:
        async with httpx.AsyncClient(trust_env=False) as http:
            clients = [
                RestClient(http, cluster.url(s), outbox, 60)
                if channel == "web"
                else SmsClient(http, cluster.url(s), TOKEN, outbox, 60)
                for s in ("rasa_a", "rasa_b")
            ]
            conversation = await clients[0].start(script)
            message: str | None = script.opener
            turn = 0
            while message is not None and turn < 6:
                client = clients[turn % 2]
                reply = await client.turn(conversation, message)
                replies.append(reply.texts)
                message = next_user_turn(reply.texts, script.persona, keyed=False)
                if message is None and asks_for_code(reply.texts):
                    message = await client.one_time_code(conversation)
                turn += 1
    finally:
        await outbox.stop()
        engine.dispose()
    return replies


@pytest.mark.parametrize("channel", ["web", "sms"])
def test_a_conversation_whose_turns_alternate_between_servers_keeps_its_state(
    cluster: Cluster, channel: str
) -> None:
    script = _pool(cluster, "payments")[0 if channel == "web" else 1]
    replies = asyncio.run(_alternate(cluster, script, channel))
    # opener (A) asks who you are; then B and A take the answers; verification only succeeds if
    # every server saw the slots the other one filled.
    assert len(replies) >= 3, replies
    assert any("verified" in " ".join(r).lower() for r in replies), replies
    assert not any("birth" in " ".join(r).lower() for r in replies[-1:]), replies


def test_concurrent_load_through_nginx_loses_and_duplicates_no_event(cluster: Cluster) -> None:
    before = Counter(sender for sender, _ in _user_events(cluster))
    served_before = cluster.upstream_counts()
    batch = _pool(cluster)[10:50]

    async def load() -> tuple[LevelResult, LevelResult]:
        engine = make_engine(cluster.app_db_url)
        outbox = GaplessOutboxWatcher(engine)
        outbox.start()
        try:
            async with httpx.AsyncClient(trust_env=False) as http:
                web = RestClient(http, cluster.url("rasa_lb"), outbox, 120)
                sms = SmsClient(http, cluster.url("rasa_lb"), TOKEN, outbox, 120)
                return await asyncio.gather(
                    drive(web, batch[:20], 10, time_limit_s=240),
                    drive(sms, batch[20:], 10, time_limit_s=240),
                )
        finally:
            await outbox.stop()
            engine.dispose()

    web, sms = asyncio.run(load())
    for result in (web, sms):
        summary = result.summary()
        assert summary["lost"] == 0, summary
        assert summary["conversations"] == 20, summary

    events = _user_events(cluster)
    after = Counter(sender for sender, _ in events)
    new = after - before
    turns_sent = len(web.turns) + len(sms.turns)
    # Every message sent is exactly one user event: none lost, none stored twice.
    assert sum(new.values()) == turns_sent, (sum(new.values()), turns_sent)
    message_ids = Counter(data.get("message_id") for _, data in events)
    assert [m for m, n in message_ids.items() if n > 1] == []
    # Both servers served this load (the count before it includes other tests' restarts).
    counts = {name: n - served_before[name] for name, n in cluster.upstream_counts().items()}
    assert min(counts.values()) > 0.3 * sum(counts.values()), counts
