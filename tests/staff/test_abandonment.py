"""Tasks left open by a person who walked away are recorded as abandoned, once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.conversation.outcomes import Outcome, OutcomeRecorder, task_outcomes
from bot.transcripts.abandonment import sweep_abandoned
from tests.staff.tracker_writer import Script
from tests.staff.world import BASE, HASH_KEY, MovableClock, World
from tests.support.app_database import upgrade

LATER = BASE + timedelta(hours=6)


def outcomes_of(dbs, conversation_id: str) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    with dbs.app_engine.connect() as conn:
        rows = conn.execute(
            select(task_outcomes.c.intent, task_outcomes.c.outcome)
            .where(task_outcomes.c.conversation_id == conversation_id)
            .order_by(task_outcomes.c.at)
        )
        return [(r.intent, r.outcome) for r in rows]


def test_a_task_left_mid_way_is_recorded_as_abandoned_at_the_last_activity(dbs) -> None:  # type: ignore[no-untyped-def]
    dbs.writer.write(
        Script("sms-left", "sms", BASE)
        .user(0, "I need my id card", "request_id_card")
        .bot(0.2, "Sure. What's your date of birth?")
    )
    found = sweep_abandoned(dbs.tracker_engine, dbs.app_engine, hash_key=HASH_KEY, now=LATER)
    assert [(a.conversation_id, a.intent, a.channel, a.verified) for a in found] == [
        ("sms-left", "request_id_card", "sms", False)
    ]
    assert found[0].at == BASE + timedelta(minutes=0.2)
    assert outcomes_of(dbs, "sms-left") == [("request_id_card", "abandoned")]


def test_sweeping_twice_records_nothing_new(dbs) -> None:  # type: ignore[no-untyped-def]
    dbs.writer.write(Script("voice-left", "voice", BASE).user(0, "claim status", "claim_status"))
    first = sweep_abandoned(dbs.tracker_engine, dbs.app_engine, hash_key=HASH_KEY, now=LATER)
    again = sweep_abandoned(dbs.tracker_engine, dbs.app_engine, hash_key=HASH_KEY, now=LATER)
    assert len(first) == 1 and again == []


def test_finished_tasks_recent_conversations_and_small_talk_are_left_alone(
    dbs,  # type: ignore[no-untyped-def]
    world: World,
) -> None:
    # every task in the world ended with an outcome; the REST test was small talk
    dbs.writer.write(
        Script("web-still-typing", "webchat", LATER - timedelta(minutes=5)).user(
            0, "my balance?", "check_balance"
        )
    )
    found = sweep_abandoned(dbs.tracker_engine, dbs.app_engine, hash_key=HASH_KEY, now=LATER)
    assert found == []  # web-still-typing is only 5 minutes idle


def test_a_new_task_after_a_finished_one_can_be_abandoned(dbs) -> None:  # type: ignore[no-untyped-def]
    dbs.writer.write(
        Script("sms-two-tasks", "sms", BASE)
        .user(0, "balance", "check_balance")
        .verified(1, holder_id="H0000001")
        .bot(2, "Your balance is $84.00.")
        .user(3, "and my id card", "request_id_card")
    )
    OutcomeRecorder(
        dbs.app_engine, hash_key=HASH_KEY, clock=MovableClock(BASE + timedelta(minutes=2))
    ).record(
        conversation_id="sms-two-tasks",
        channel="sms",
        intent="check_balance",
        outcome=Outcome.CONTAINED,
        holder_id="H0000001",
    )
    found = sweep_abandoned(dbs.tracker_engine, dbs.app_engine, hash_key=HASH_KEY, now=LATER)
    assert [(a.intent, a.verified) for a in found] == [("request_id_card", True)]
    assert outcomes_of(dbs, "sms-two-tasks") == [
        ("check_balance", "contained"),
        ("request_id_card", "abandoned"),
    ]
    # the verified holder is linked, so a repeat contact can count against it
    with dbs.app_engine.connect() as conn:
        hashes = {r.holder_hash for r in conn.execute(select(task_outcomes.c.holder_hash))}
    assert len(hashes) == 1 and None not in hashes


def test_conversations_idle_longer_than_the_lookback_are_not_read(dbs) -> None:  # type: ignore[no-untyped-def]
    dbs.writer.write(
        Script("sms-old", "sms", BASE - timedelta(days=5)).user(0, "id card", "request_id_card")
    )
    assert sweep_abandoned(dbs.tracker_engine, dbs.app_engine, hash_key=HASH_KEY, now=LATER) == []
    wider = sweep_abandoned(
        dbs.tracker_engine, dbs.app_engine, hash_key=HASH_KEY, now=LATER, lookback=timedelta(days=7)
    )
    assert [a.conversation_id for a in wider] == ["sms-old"]


def test_a_fresh_install_without_rasa_tables_sweeps_nothing(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from bot.db import make_engine

    tracker = make_engine(f"sqlite:///{tmp_path / 'empty_tracker.sqlite'}")
    app = make_engine(f"sqlite:///{tmp_path / 'app.sqlite'}")
    upgrade(app)
    assert sweep_abandoned(tracker, app, hash_key=HASH_KEY, now=LATER) == []


def test_cli_sweeps_and_reports_counts_by_intent_only(sqlite_dbs, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import os
    import subprocess
    import sys
    from datetime import datetime, timezone
    from pathlib import Path

    an_hour_ago = datetime.now(timezone.utc) - timedelta(hours=1)
    sqlite_dbs.writer.write(
        Script("sms-cli-left", "sms", an_hour_ago).user(0, "id card please", "request_id_card")
    )
    env = {
        **os.environ,
        "POLICYLINE_ENV": "test",
        "POLICYLINE_VAR_DIR": str(tmp_path / "var"),
        "DATABASE_URL": sqlite_dbs.app_url,
        "TRACKER_DATABASE_URL": sqlite_dbs.tracker_url,
    }
    cli = str(Path(sys.executable).with_name("policyline"))
    run = subprocess.run(
        [cli, "outcomes", "sweep-abandoned"], env=env, capture_output=True, text=True, check=True
    )
    assert run.stdout.splitlines() == ["recorded 1 abandoned task(s)", "  request_id_card: 1"]
    assert "sms-cli-left" not in run.stdout + run.stderr
    again = subprocess.run(
        [cli, "outcomes", "sweep-abandoned"], env=env, capture_output=True, text=True, check=True
    )
    assert again.stdout.startswith("recorded 0")
    refused = subprocess.run(
        [cli, "outcomes", "sweep-abandoned", "--idle-minutes", "0"], env=env, capture_output=True
    )
    assert refused.returncode == 2
