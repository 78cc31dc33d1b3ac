"""A Rasa server killed in the middle of a verification, in the two-server set-up (tests/scale).

The conversation's state lives in what the servers share: the PostgreSQL tracker store (slots,
the form in progress, every event), the Redis lock store (one turn at a time) and Redis channel
state (SMS menus, de-duplication). So when server A dies between two texts, the next text
reaches server B through nginx and goes on where A left off, and A, started again, goes on where
B left off: nothing of the conversation was only in A's memory.

Killing (SIGKILL, no graceful shutdown) and starting a Rasa server takes 70-100 s of model
loading on top of a cluster of its own: ``extended`` (``make test-faults``), skipped by
``make test``.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from datetime import date

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from bench.channel_clients import OutboxWatcher, SmsClient
from bench.population import Script, personas, scripts
from bot.db import make_engine
from bot.keyed_digest import pseudonym
from bot.settings import LOCAL_SECRETS, Settings
from channels.sms_service import CONVERSATION_PURPOSE
from tests.scale.cluster import Cluster

pytestmark = [
    pytest.mark.faults,
    pytest.mark.extended,
    pytest.mark.scale,
    pytest.mark.rasa,
    pytest.mark.slow,
    pytest.mark.postgres,
    pytest.mark.redis,
]
TOKEN = LOCAL_SECRETS["TWILIO_AUTH_TOKEN"]
REPLY_TIMEOUT_S = 120.0
SMS_WEBHOOK = "POST /webhooks/twilio_sms/webhook"


@pytest.fixture(scope="module")
def cluster(
    tmp_path_factory: pytest.TempPathFactory, postgres_url: str, redis_url: str
) -> Iterator[Cluster]:
    started = Cluster.start(tmp_path_factory.mktemp("restart"), postgres_url, redis_url)
    try:
        yield started
    finally:
        started.stop()


def _sms_conversation_id(cluster: Cluster, phone: str) -> str:
    """The Rasa sender id the SMS channel gives texts from ``phone``."""
    key = Settings.from_env(cluster.env).audit_hash_key
    return "sms-" + pseudonym(key, CONVERSATION_PURPOSE, phone)


def _turns_stored(tracker: Engine, sender: str) -> tuple[int, str | None]:
    """User messages stored for ``sender``, and the name of its last stored action."""
    with tracker.connect() as conn:
        users = conn.execute(
            text("SELECT count(*) FROM events WHERE sender_id = :s AND type_name = 'user'"),
            {"s": sender},
        ).scalar_one()
        last = conn.execute(
            text(
                "SELECT action_name FROM events WHERE sender_id = :s AND type_name = 'action' "
                "ORDER BY id DESC LIMIT 1"
            ),
            {"s": sender},
        ).scalar()
    return int(users), last


def _wait_until_stored(tracker: Engine, sender: str, turns: int, timeout_s: float = 30) -> None:
    """Rasa texts its answer before it saves the turn: wait until the turn is in the store."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if _turns_stored(tracker, sender) == (turns, "action_listen"):
            return
        time.sleep(0.1)
    raise AssertionError(f"turn {turns} was not stored: {_turns_stored(tracker, sender)}")


def _last_sms_upstream(cluster: Cluster) -> str:
    """The upstream(s) nginx tried for the last text it passed on."""
    lines = (cluster.workdir / "nginx" / "access.log").read_text().splitlines()
    last = [line for line in lines if line.startswith(SMS_WEBHOOK)][-1]
    return last.split("upstream=", 1)[1]


async def _verify_across_a_kill(
    cluster: Cluster, script: Script, sender: str, tracker: Engine
) -> tuple[list[str], list[str], list[str], str]:
    """Opener on A; A killed; date of birth through nginx (B); A started again; ZIP on A."""
    persona = script.persona
    app_db = make_engine(cluster.app_db_url)
    outbox = OutboxWatcher(app_db)
    outbox.start()
    try:
        async with httpx.AsyncClient(trust_env=False) as http:
            on_a = SmsClient(http, cluster.url("rasa_a"), TOKEN, outbox, REPLY_TIMEOUT_S)
            via_nginx = SmsClient(http, cluster.url("rasa_lb"), TOKEN, outbox, REPLY_TIMEOUT_S)
            conversation = await on_a.start(script)
            opened = await on_a.turn(conversation, script.opener)
            await asyncio.to_thread(_wait_until_stored, tracker, sender, 1)
            await asyncio.to_thread(cluster.kill, "rasa_a")
            while_a_was_down = await via_nginx.turn(conversation, persona.dob_text)
            upstream = _last_sms_upstream(cluster)
            await asyncio.to_thread(_wait_until_stored, tracker, sender, 2)
            await asyncio.to_thread(cluster.start_again, "rasa_a")
            after_restart = await on_a.turn(conversation, persona.zip_code)
            await asyncio.to_thread(_wait_until_stored, tracker, sender, 3)
    finally:
        await outbox.stop()
        app_db.dispose()
    return opened.texts, while_a_was_down.texts, after_restart.texts, upstream


def test_a_rasa_server_killed_mid_verification_and_restarted_keeps_the_conversation_going(
    cluster: Cluster,
) -> None:
    pool = scripts(personas(400, date.fromisoformat(cluster.sandbox.as_of)))
    # The last "payments" policyholder: tests/scale's conversations use the first ones, and the
    # tracker database outlives each cluster within a run.
    script = [s for s in pool if s.category == "payments"][-1]
    sender = _sms_conversation_id(cluster, script.persona.phone)
    tracker = make_engine(cluster.tracker_url)
    try:
        assert _turns_stored(tracker, sender) == (0, None)
        opened, while_down, after, upstream = asyncio.run(
            _verify_across_a_kill(cluster, script, sender, tracker)
        )
        with tracker.connect() as conn:
            stored = conn.execute(
                text("SELECT data FROM events WHERE sender_id = :s AND type_name = 'user'"),
                {"s": sender},
            ).scalars()
            message_ids = [json.loads(data).get("message_id") for data in stored]
    finally:
        tracker.dispose()

    said = [" ".join(t).lower() for t in (opened, while_down, after)]
    # A started the verification: it asked for the date of birth.
    assert "birth" in said[0], opened
    # A was dead: nginx passed the text on to B, which took the date of birth A had asked for
    # (the form in progress came from PostgreSQL) and asked for the ZIP code.
    assert upstream.endswith(f"127.0.0.1:{cluster.ports['rasa_b']}"), upstream
    assert "zip" in said[1] and "birth" not in said[1], while_down
    # A, started again, finished the verification B had carried on.
    assert "verified" in said[2], after
    assert "birth" not in said[2] and "zip" not in said[2], after
    assert not any(s.startswith("sorry") for s in said), said
    # Every text is stored once, none lost across the kill.
    assert len(message_ids) == 3 and len(set(message_ids)) == 3, message_ids
