"""A rolling restart under load loses no reply, answers none twice and keeps every conversation.

24 SMS conversations (signed Twilio webhooks through nginx, replies read from the outbox) ask for
PAS-backed answers (balance, claim status) while one action server and then one Rasa server are
stopped with SIGTERM, as systemd stops a unit, and started again:

- 12 conversations are verified (date of birth, ZIP) before the restarts and keep asking for
  their balance throughout; after both restarts they ask once more and are answered without
  being asked who they are again;
- 12 conversations have given their date of birth and been asked for the ZIP code when the Rasa
  server is stopped; they send the ZIP while it is down and are verified and answered the task
  they asked for before (the pending task completes on the other server, from the tracker store).

The client behaves as Twilio does with the connection overrides docs/deployment.md prescribes
(``#rc=3&rp=all``): a webhook that cannot connect, or that is answered 5xx, is sent again with
the same ``MessageSid`` (``SmsClient(connect_retry_s=...)``). nginx passes a refused connection
or a stopping server's 503 to the other server itself (``proxy_next_upstream error timeout
http_503 non_idempotent``, as deploy/nginx/policyline.conf), so the retry is the last line only;
the test reports how often it was needed.

Then the stores are checked, not only what the client saw: in the PostgreSQL tracker store every
text sent is one ``user`` event (no ``message_id`` twice), followed by its bot replies and one
``action_listen``; no event is stored twice; and in the outbox every reply the client collected
is there once, with no reply sent outside a turn (a late or duplicated answer).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import Engine

from bench.channel_clients import SmsClient, TurnFailed
from bench.load_driver import classify, next_user_turn
from bench.population import Script, personas, scripts
from bot.db import make_engine
from bot.keyed_digest import pseudonym
from bot.notifications.outbox import latest_outbox_id, read_outbox
from bot.notifications.sms_inbound import sms_inbound
from bot.settings import LOCAL_SECRETS, Settings
from channels.bot_messages import read_bot_turn
from channels.config import ChannelSettings
from channels.sms_rendering import render_sms_turn
from channels.sms_service import CONVERSATION_PURPOSE
from tests.scale.cluster import Cluster
from tests.scale.outbox import GaplessOutboxWatcher

pytestmark = [
    pytest.mark.scale,
    pytest.mark.extended,
    pytest.mark.rasa,
    pytest.mark.slow,
    pytest.mark.postgres,
    pytest.mark.redis,
]
TOKEN = LOCAL_SECRETS["TWILIO_AUTH_TOKEN"]
CONVERSATIONS = 24
# How long a reply may take: a text caught by the stop is answered by the drain or, released,
# by the next sweep of any server (every 10 s); a turn waiting for a Rasa server that is loading
# its model waits on the other one.
REPLY_TIMEOUT_S = 120.0
# Twilio's connection-override retries (rc=3) span a few seconds; the client retries for as long.
CLIENT_RETRY_S = 15.0
FOLLOW_UP = "what's my balance"
VERIFIED = "thanks, you're verified."
# Between two follow-ups a verified policyholder reads the answer: the pause ends early when the
# restarts are over. It keeps the load at a person's pace instead of a tight loop on one core.
READ_PAUSE_S = 1.5
# Only a hung server reaches this: the run takes 1-3 minutes, most of it Rasa A's model load.
RUN_LIMIT_S = 600.0


@dataclass
class Transcript:
    """One conversation as the client saw it: every text sent and the replies it collected."""

    script: Script
    turns: list[tuple[str, list[str]]] = field(default_factory=list)

    def said(self, turn: int) -> str:
        return " ".join(self.turns[turn][1]).lower()


@dataclass
class Phases:
    """What the restart sequence waits on, and what the conversations wait on."""

    verified: asyncio.Event = field(default_factory=asyncio.Event)
    pending: asyncio.Event = field(default_factory=asyncio.Event)
    rasa_down: asyncio.Event = field(default_factory=asyncio.Event)
    restarted: asyncio.Event = field(default_factory=asyncio.Event)
    ready_count: Counter[str] = field(default_factory=Counter)


def _scripts(cluster: Cluster) -> list[Script]:
    """Payment and claim questions (PAS-backed, verified) of policyholders no other scale or
    fault test uses (they use the pool's first 50 and its last payments script)."""
    pool = list(scripts(personas(400, date.fromisoformat(cluster.sandbox.as_of))))
    chosen = [s for s in pool[50:-10] if s.category in ("payments", "claims")]
    return chosen[:CONVERSATIONS]


async def _say(client: SmsClient, conversation: Any, transcript: Transcript, said: str) -> str:
    """Send one text; a text without a reply is recorded with none (lost), not raised, so the
    other conversations and the restart go on and the checks name every lost turn."""
    try:
        texts = (await client.turn(conversation, said)).texts
    except TurnFailed:
        texts = []
    transcript.turns.append((said, texts))
    return " ".join(texts).lower()


async def _verify(client: SmsClient, conversation: Any, transcript: Transcript) -> str:
    """Answer what is asked (date of birth, ZIP) until the assistant stops asking."""
    last = " ".join(transcript.turns[-1][1]).lower()
    for _ in range(3):
        answer = next_user_turn([last], transcript.script.persona, keyed=False)
        if answer is None:
            break
        last = await _say(client, conversation, transcript, answer)
    return last


async def _stays_verified(client: SmsClient, transcript: Transcript, phases: Phases) -> None:
    conversation = await client.start(transcript.script)
    await _say(client, conversation, transcript, transcript.script.opener)
    await _verify(client, conversation, transcript)
    phases.ready_count["verified"] += 1
    if phases.ready_count["verified"] == CONVERSATIONS // 2:
        phases.verified.set()
    while not phases.restarted.is_set():
        await _say(client, conversation, transcript, FOLLOW_UP)
        try:
            await asyncio.wait_for(phases.restarted.wait(), READ_PAUSE_S)
        except asyncio.TimeoutError:
            pass
    await _say(client, conversation, transcript, FOLLOW_UP)


async def _pending_across_the_restart(
    client: SmsClient, transcript: Transcript, phases: Phases
) -> None:
    conversation = await client.start(transcript.script)
    persona = transcript.script.persona
    asked = await _say(client, conversation, transcript, transcript.script.opener)
    if "birth" in asked:
        await _say(client, conversation, transcript, persona.dob_text)
    phases.ready_count["pending"] += 1
    if phases.ready_count["pending"] == CONVERSATIONS // 2:
        phases.pending.set()
    await phases.rasa_down.wait()
    await _verify(client, conversation, transcript)


async def _restart_one_of_each(cluster: Cluster, phases: Phases, codes: dict[str, int]) -> None:
    """Action server 1, then Rasa server A: SIGTERM, wait for the exit, start, wait for health."""
    await phases.verified.wait()
    await phases.pending.wait()
    codes["actions_1"] = await asyncio.to_thread(cluster.terminate, "actions_1")
    await asyncio.to_thread(cluster.start_again, "actions_1")
    codes["rasa_a"] = await asyncio.to_thread(cluster.terminate, "rasa_a")
    phases.rasa_down.set()
    await asyncio.to_thread(cluster.start_again, "rasa_a")
    phases.restarted.set()


async def _run(cluster: Cluster) -> tuple[list[Transcript], dict[str, int], int, float]:
    chosen = _scripts(cluster)
    transcripts = [Transcript(s) for s in chosen]
    phases = Phases()
    codes: dict[str, int] = {}
    engine = make_engine(cluster.app_db_url)
    outbox = GaplessOutboxWatcher(engine)
    outbox.start()
    started = time.monotonic()
    try:
        async with httpx.AsyncClient(trust_env=False) as http:
            client = SmsClient(
                http,
                cluster.url("rasa_lb"),
                TOKEN,
                outbox,
                REPLY_TIMEOUT_S,
                connect_retry_s=CLIENT_RETRY_S,
            )
            half = CONVERSATIONS // 2
            await asyncio.wait_for(
                asyncio.gather(
                    _restart_one_of_each(cluster, phases, codes),
                    *(_stays_verified(client, t, phases) for t in transcripts[:half]),
                    *(_pending_across_the_restart(client, t, phases) for t in transcripts[half:]),
                ),
                RUN_LIMIT_S,
            )
    finally:
        await outbox.stop()
        engine.dispose()
    return transcripts, codes, client.connect_retries, time.monotonic() - started


def _tracker_events(cluster: Cluster, senders: list[str]) -> dict[str, list[dict[str, Any]]]:
    engine = make_engine(cluster.tracker_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT sender_id, type_name, data FROM events "
                    "WHERE sender_id = ANY(:senders) ORDER BY id"
                ),
                {"senders": senders},
            ).all()
    finally:
        engine.dispose()
    events: dict[str, list[dict[str, Any]]] = {s: [] for s in senders}
    for sender, type_name, data in rows:
        events[sender].append({"type_name": type_name, "raw": data, **json.loads(data)})
    return events


def _turns_in_tracker(events: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """The events of each user turn: its ``user`` event up to (excluding) the next one."""
    turns: list[list[dict[str, Any]]] = []
    for event in events:
        if event["type_name"] == "user":
            turns.append([])
        if turns:
            turns[-1].append(event)
    return turns


def test_restarting_one_rasa_and_one_action_server_under_load_loses_and_repeats_no_reply(
    cluster: Cluster,
) -> None:
    engine = make_engine(cluster.app_db_url)
    try:
        first_id = latest_outbox_id(engine)
    finally:
        engine.dispose()
    transcripts, codes, retries, wall_s = asyncio.run(_run(cluster))
    print(
        f"\nrolling restart under load: {sum(len(t.turns) for t in transcripts)} turns in "
        f"{wall_s:.0f} s, client retries {retries}, exit codes {codes}"
    )

    # Both servers stopped on SIGTERM (exit code 0, or 128 + SIGTERM), not killed.
    assert set(codes) == {"actions_1", "rasa_a"}, codes
    assert all(code in (0, 143, -15) for code in codes.values()), codes

    # What the policyholders saw: every text answered, none with an apology.
    outcomes = Counter(classify(replies) for t in transcripts for _, replies in t.turns)
    assert outcomes["lost"] == 0 and outcomes["apology"] == 0, [
        (said, replies)
        for t in transcripts
        for said, replies in t.turns
        if classify(replies) != "answered"
    ]
    half = CONVERSATIONS // 2
    for t in transcripts[:half]:
        # Verified before the restarts, and still verified after: the last balance question is
        # answered without asking who they are.
        assert any("verified" in t.said(i) for i in range(len(t.turns))), t.turns
        follow_ups = [i for i, (said, _) in enumerate(t.turns) if i > 0 and said == FOLLOW_UP]
        assert follow_ups, t.turns
        for i in follow_ups:
            assert "policy" in t.said(i), t.turns[i]  # "Your balance on policy ..."
            assert "birth" not in t.said(i) and "zip" not in t.said(i), t.turns[i]
    for t in transcripts[half:]:
        # The ZIP sent while Rasa A was down verified them, and the task they asked for before
        # the restart was answered then.
        assert "zip" in t.said(-2), t.turns
        assert "verified" in t.said(-1), t.turns
        assert t.said(-1).replace(VERIFIED, "").strip(), t.turns  # and the task's answer
        assert "birth" not in t.said(-1) and "zip" not in t.said(-1), t.turns

    key = Settings.from_env(cluster.env).audit_hash_key
    senders = {
        "sms-" + pseudonym(key, CONVERSATION_PURPOSE, t.script.persona.phone): t
        for t in transcripts
    }
    stored = _tracker_events(cluster, list(senders))
    part_chars = ChannelSettings.from_settings(Settings.from_env(cluster.env)).sms_part_chars
    for sender, transcript in senders.items():
        events = stored[sender]
        raws = Counter((e["type_name"], e["raw"]) for e in events)
        assert [e for e, n in raws.items() if n > 1] == [], "an event stored twice"
        turns = _turns_in_tracker(events)
        # Every text is one user event, in order, none twice.
        assert [turn[0].get("text") is not None for turn in turns] == [True] * len(
            transcript.turns
        ), (len(turns), len(transcript.turns))
        ids = [turn[0].get("message_id") for turn in turns]
        assert len(set(ids)) == len(ids), ids
        for turn, (_, replies) in zip(turns, transcript.turns):
            # The turn ran once, to its end: its bot events, as the channel texts them, are
            # exactly the replies the client got for that text, and it ends with one
            # action_listen.
            assert _as_texted(turn, part_chars) == replies, turn
            listens = [i for i, e in enumerate(turn) if e.get("name") == "action_listen"]
            assert listens == [len(turn) - 1], [e.get("name") or e["type_name"] for e in turn]

    # Once no text waits for an answer, the outbox holds each collected reply once and nothing
    # the client did not collect (a late or second answer to a text would be an extra row).
    engine = make_engine(cluster.app_db_url)
    try:
        _wait_until_no_text_waits(engine)
        for t in transcripts:
            rows = read_outbox(engine, to=t.script.persona.phone, after_id=first_id, limit=10_000)
            collected = [reply for _, replies in t.turns for reply in replies]
            assert [row.body for row in rows] == collected, t.turns
    finally:
        engine.dispose()


def _as_texted(turn: list[dict[str, Any]], part_chars: int) -> list[str]:
    """The SMS the channel sends for a turn's stored bot events (split, menus, links added)."""
    said = [
        {"text": e.get("text"), **(e.get("data") or {})} for e in turn if e["type_name"] == "bot"
    ]
    return [m.body for m in render_sms_turn(read_bot_turn(said), part_chars).messages]


def _wait_until_no_text_waits(engine: Engine, timeout_s: float = 60) -> None:
    """Every acknowledged text is answered and its ``sms_inbound`` row deleted."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            if conn.execute(select(func.count()).select_from(sms_inbound)).scalar_one() == 0:
                return
        time.sleep(0.2)
    raise AssertionError(f"texts still unanswered after {timeout_s:.0f} s")
