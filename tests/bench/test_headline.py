"""The one benchmark table: its figures, the keys of latest.json, the PAS call counting, the
scripted and thinking conversations, and the sandbox latency the benchmark and ``make run`` share.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import httpx

from bench.__main__ import select, write_latest_json
from bench.channel_clients import ChannelClient, Conversation, Reply
from bench.end_to_end import PAS_LATENCY
from bench.headline import (
    DOCUMENT_TASKS,
    SandboxCounter,
    TaskSample,
    _lost,
    certificate_answer,
    keys,
    render_by_type,
    request_counts,
    table,
    task_figures,
    tracker_figures,
)
from bench.load_driver import LevelResult, converse, next_user_turn
from bench.population import Persona, Script
from bot.settings import Settings
from pas_sandbox.faults import FaultSettings, LatencySpec

PERSONA = Persona("H1", "+15125550199", date(1985, 4, 12), "78704", "AUT-1000009")
REQUIRED_KEYS = {
    "mix_to_simple_ratio_c10",
    "mix_to_simple_ratio_c50",
    "verified_answer_cold_p50_ms",
    "verified_answer_warm_p50_ms",
    "pas_round_trip_p50_ms",
    "sms_reply_p95_ms",
    "pdf_render_p99_ms",
    "pas_calls_per_verified_answer",
}


def _latency(p50: float, p95: float | None = None, p99: float | None = None) -> dict[str, Any]:
    return {"n": 10, "p50_ms": p50, "p95_ms": p95 or p50, "p99_ms": p99 or p50}


def _level(turns_per_s: float, p50: float = 100.0) -> dict[str, Any]:
    return {"turns_per_s": turns_per_s, "latency": _latency(p50), "lost": 0, "concurrency": 4}


def _result() -> dict[str, Any]:
    return {
        "pas_latency_injected": PAS_LATENCY,
        "simple": {"1": _level(40.0), "10": _level(45.0), "50": _level(50.0)},
        "mix": {"1": _level(8.0), "10": _level(36.0), "50": _level(20.0)},
        "think_time": _level(3.0, 140.0),
        "tasks": {
            "by_task": {
                "ID card": {
                    "samples": 2,
                    "verification_calls": 2.0,
                    "answer_calls": 1.0,
                    "first_task_calls": 3.0,
                    "second_task_calls": 0.0,
                    "answer": _latency(400.0, 900.0, 950.0),
                },
            },
            "verified_answer_cold": _latency(350.0),
            "verified_answer_warm": _latency(55.0),
            "pas_calls_per_verified_answer": 3.0,
            "pas_calls_per_second_task": 0.0,
            "verification_calls": 2.0,
        },
        "pas_round_trip": _latency(300.0),
        "sms": _level(2.0) | {"latency": _latency(200.0, 700.0)},
        "voice": _level(2.0),
        "pdf_render": {
            "id_card": {"runs": 6, "p50_ms": 40.0, "p95_ms": 90.0, "p99_ms": 120.0},
            "declarations": {"runs": 6, "p50_ms": 45.0, "p95_ms": 100.0, "p99_ms": 160.0},
        },
        "tracker": {"user_turns": 40, "events_per_turn": 9.5, "bytes_per_turn": 2100},
        "servers": {
            "start_s": {"rasa": 60.0, "actions": 5.0},
            "rss_mb_idle": {},
            "rss_mb_after_load": {"rasa": 1100.0, "actions": 250.0},
        },
    }


def test_the_keys_hold_every_figure_the_issue_names() -> None:
    figures = keys(_result())
    assert REQUIRED_KEYS <= set(figures)
    assert figures["mix_to_simple_ratio_c10"] == 0.8  # 36 / 45 turns per second
    assert figures["mix_to_simple_ratio_c50"] == 0.4
    assert figures["verified_answer_cold_p50_ms"] == 350.0
    assert figures["verified_answer_warm_p50_ms"] == 55.0
    assert figures["pas_round_trip_p50_ms"] == 300.0
    assert figures["sms_reply_p95_ms"] == 700.0
    assert figures["pdf_render_p99_ms"] == 160.0  # the worst type
    assert figures["pas_calls_per_verified_answer"] == 3.0
    assert figures["training_s"] is None
    assert keys(_result(), {"runs": [{"wall_s": 131.5}]})["training_s"] == 131.5


def test_missing_figures_are_none_rather_than_an_error() -> None:
    figures = keys({})
    assert REQUIRED_KEYS <= set(figures)
    assert all(figures[k] is None for k in REQUIRED_KEYS)


def test_latest_json_is_written_only_when_the_headline_ran(tmp_path: Path) -> None:
    meta = {"measured_at": "now", "quick": True}
    path = write_latest_json({"headline": _result()}, meta, tmp_path)
    assert path == tmp_path / "latest.json"
    written = json.loads(path.read_text())
    assert REQUIRED_KEYS <= set(written)
    assert written["meta"] == meta
    assert write_latest_json({"headline": {"error": "boom"}}, meta, tmp_path / "x") is None
    assert write_latest_json({"documents": {}}, meta, tmp_path / "x") is None


def test_latest_json_is_ignored_by_git() -> None:
    ignored = (Path(__file__).resolve().parents[2] / ".gitignore").read_text().splitlines()
    assert "bench/results/" in ignored


def test_the_table_puts_every_figure_in_one_table_with_its_goal() -> None:
    text = table(_result(), {"runs": [{"wall_s": 131.5}]}).markdown()
    assert text.count("### ") == 1
    for label in (
        "simple turns x10",
        "PAS mix x50",
        "mix ÷ simple 0.8",
        "think 3-8 s",
        "verified answer, cold",
        "p50 <= 350 (1 round trip + 50)",
        "PAS sandbox round trip",
        "SMS webhook",
        "voice turn",
        "PDF render only: declarations",
        "document end to end: id_card",
        "start 60.0 s, RSS 1100.0 MB",
        "rasa train (cold cache)",
        "PAS calls: ID card",
        "first 3.0 (2.0 on the verification turns + 1.0 on the answer turn), second 0.0",
        "tracker store per user turn",
    ):
        assert label in text, label


def test_a_plain_bench_run_is_the_one_table_and_the_rest_is_opt_in() -> None:
    assert [b.name for b in select(None, with_training=False)] == ["headline"]
    assert [b.name for b in select(None, with_training=True)] == ["headline", "training", "nlu"]
    everything = [b.name for b in select(None, with_training=False, everything=True)]
    assert "end_to_end" in everything and "documents" in everything
    assert "training" not in everything


def test_sandbox_counts_become_calls_per_route_and_differences() -> None:
    counts = [
        {"total": 3, "requests": {"GET /a": {"200": 2, "404": 1}}},
        {"total": 6, "requests": {"GET /a": {"200": 3, "404": 1}, "GET /b": {"503": 2}}},
    ]
    assert request_counts(counts[0]) == Counter({"GET /a": 3})

    async def scenario() -> Counter[str]:
        answers = iter(counts)

        def handler(request: httpx.Request) -> httpx.Response:
            assert request.headers["X-Sandbox-Admin"] == "admin"
            assert request.url.path == "/_sandbox/stats"
            return httpx.Response(200, json=next(answers))

        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
            counter = SandboxCounter(http, "http://sandbox", "admin")
            before = await counter.snapshot()
            return await counter.since(before)

    assert asyncio.run(scenario()) == Counter({"GET /a": 1, "GET /b": 2})


def test_task_figures_split_verification_from_the_answer_and_the_second_ask() -> None:
    samples = [
        TaskSample(
            "balance",
            verification_calls=Counter({"GET /policy": 1, "GET /holder": 1}),
            answer_calls=Counter({"GET /billing": 1}),
            answer_s=0.4,
            answer_outcome="answered",
            second_calls=Counter(),
            second_s=0.05,
        ),
        TaskSample(
            "balance",
            verification_calls=Counter({"GET /policy": 1}),
            answer_calls=Counter({"GET /billing": 1, "GET /policies": 1}),
            answer_s=0.6,
            answer_outcome="answered",
            second_calls=Counter({"GET /billing": 1}),
            second_s=0.07,
        ),
    ]
    figures = task_figures(samples)
    balance = figures["by_task"]["balance"]
    assert balance["verification_calls"] == 1.5
    assert balance["answer_calls"] == 1.5
    assert balance["first_task_calls"] == 3.0
    assert balance["second_task_calls"] == 0.5
    assert balance["first_task_routes"]["GET /billing"] == 1.0
    assert figures["pas_calls_per_verified_answer"] == 3.0
    assert figures["verified_answer_cold"]["p50_ms"] == 400.0
    assert figures["verified_answer_warm"]["p50_ms"] == 50.0


def test_the_certificate_questions_are_answered_before_the_zip_question() -> None:
    address_question = ["What's their mailing address? (street, city, state, ZIP)"]
    assert next_user_turn(address_question, PERSONA, False) == PERSONA.zip_code  # the trap
    assert certificate_answer(address_question) == "12 Main St, Austin, TX 78701"
    assert certificate_answer(["Who should the certificate be made out to?"]) is not None
    assert certificate_answer(["What's the 5-digit ZIP code of your mailing address?"]) is None


def test_render_figures_per_type_are_the_slowest_case_of_that_type() -> None:
    rows = [
        {"document": "id_card", "runs": 5, "p50_ms": 40.0, "p95_ms": 60.0, "p99_ms": 90.0,
         "cpu_p50_ms": 30.0},
        {"document": "id_card", "runs": 5, "p50_ms": 45.0, "p95_ms": 50.0, "p99_ms": 70.0,
         "cpu_p50_ms": 35.0},
    ]  # fmt: skip
    assert render_by_type(rows)["id_card"] == {
        "cases": 2,
        "runs": 10,
        "p50_ms": 45.0,
        "p95_ms": 60.0,
        "p99_ms": 90.0,
        "cpu_p50_ms": 35.0,
    }
    assert set(DOCUMENT_TASKS.values()) == {"id_card", "declarations", "certificate"}


class _Scripted(ChannelClient):
    """Answers every turn with ``reply`` and records what it was sent."""

    name = "scripted"

    def __init__(self, reply: str) -> None:
        self.reply = reply
        self.sent: list[str] = []

    async def start(self, script: Script) -> Conversation:
        return Conversation(script, sender="s1")

    async def turn(self, conversation: Conversation, text: str) -> Reply:
        self.sent.append(text)
        return Reply([self.reply], 0.01)


def test_simple_conversations_send_their_follow_ups_whatever_the_reply() -> None:
    client = _Scripted("What's your date of birth?")  # would be answered in a task script
    script = Script(PERSONA, "simple", "hi", ("thanks", "bye"))
    result = LevelResult("scripted", 1)
    asyncio.run(converse(client, script, result, max_turns=5))
    assert client.sent == ["hi", "thanks", "bye"]
    assert [t.outcome for t in result.turns] == ["answered"] * 3


def test_a_thinking_person_thinks_before_every_turn() -> None:
    client = _Scripted("Hello!")
    thoughts: list[int] = []

    async def think() -> None:
        thoughts.append(len(client.sent))

    script = Script(PERSONA, "simple", "hi", ("thanks", "bye"))
    asyncio.run(converse(client, script, LevelResult("scripted", 1), 5, think))
    assert thoughts == [0, 1, 2]


def test_make_run_and_the_benchmark_use_the_same_pas_latency() -> None:
    launcher_default = LatencySpec.parse(
        Settings.from_env({"POLICYLINE_ENV": "test"}).sandbox.latency
    )
    assert launcher_default == FaultSettings().updated({"latency": PAS_LATENCY}).latency


def test_tracker_figures_count_events_and_bytes_per_user_turn(tmp_path: Path) -> None:
    path = tmp_path / "tracker.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE events (sender_id TEXT, type_name TEXT, data TEXT)")
        db.executemany(
            "INSERT INTO events VALUES (?, ?, ?)",
            [("a", "user", "x" * 10), ("a", "bot", "y" * 20), ("a", "action", "z" * 30),
             ("a", "user", "x" * 10), ("a", "bot", "y" * 30)],
        )  # fmt: skip
    figures = tracker_figures(path)
    assert (figures["events"], figures["user_turns"], figures["event_bytes"]) == (5, 2, 100)
    assert (figures["events_per_turn"], figures["bytes_per_turn"]) == (2.5, 50)
    assert tracker_figures(tmp_path / "missing.sqlite") == {}


def test_lost_turns_without_failures_are_called_empty_replies() -> None:
    assert _lost({"lost": 0, "failures": {}}) == "lost 0"
    assert _lost({"lost": 3, "failures": {}}) == "lost 3 (empty replies, no error)"
    assert _lost({"lost": 3, "failures": {"ReadTimeout": 3}}) == "lost 3"
