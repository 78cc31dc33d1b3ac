"""The benchmark suite's own logic: percentiles, the case-study latency shape, turn outcomes,
the intent mix and the Markdown report."""

from __future__ import annotations

import math
import random
from collections import Counter
from datetime import date

import pytest

from bench.__main__ import BENCHMARKS, markdown, select
from bench.end_to_end import CASE_STUDY, PAS_LATENCY, PAS_MEDIAN_MS, PAS_SIGMA
from bench.load_driver import classify, next_user_turn
from bench.population import INTENT_MIX, Persona, personas, scripts
from bench.report import goals
from bench.stats import latency_summary, percentile
from pas_sandbox.faults import FaultSettings

PERSONA = Persona("H1", "+15125550199", date(1985, 4, 12), "78704", "AUT-1000009")


def test_percentiles_are_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50
    assert percentile(values, 99) == 99
    assert percentile([1.0, 2.0], 99) == 2.0
    summary = latency_summary([0.1, 0.2, 0.3])
    assert summary == {
        "n": 3,
        "mean_ms": 200.0,
        "p50_ms": 200.0,
        "p95_ms": 300.0,
        "p99_ms": 300.0,
        "max_ms": 300.0,
    }


def test_the_injected_pas_latency_has_the_case_studys_mean_and_p99() -> None:
    median, sigma = PAS_MEDIAN_MS, PAS_SIGMA
    assert median * math.exp(sigma**2 / 2) == pytest.approx(CASE_STUDY["mean_ms"], rel=0.01)
    assert median * math.exp(2.3263 * sigma) == pytest.approx(CASE_STUDY["p99_ms"], rel=0.01)
    # What the sandbox makes of the fault setting the benchmark sends it (PAS_LATENCY).
    spec = FaultSettings().updated({"latency": PAS_LATENCY}).latency
    rng = random.Random(1)
    draws = sorted(spec.draw_ms(rng) for _ in range(20_000))
    assert sum(draws) / len(draws) == pytest.approx(CASE_STUDY["mean_ms"], rel=0.03)
    assert percentile(draws, 99) == pytest.approx(CASE_STUDY["p99_ms"], rel=0.05)


def test_the_policyholder_answers_what_the_assistant_asks() -> None:
    assert next_user_turn(["What's your date of birth? (MM/DD/YYYY)"], PERSONA, False) == (
        "4/12/1985"
    )
    assert next_user_turn(["What's your date of birth?"], PERSONA, True) == "04121985"
    assert next_user_turn(["What's the 5-digit ZIP code?"], PERSONA, False) == "78704"
    assert next_user_turn(["What's your policy number?"], PERSONA, False) == "AUT-1000009"
    assert next_user_turn(["Your balance is $12.00."], PERSONA, False) is None


def test_turn_outcomes_tell_answers_from_apologies_and_silence() -> None:
    assert classify([]) == "lost"
    assert classify(["", "  "]) == "lost"
    assert classify(["Your balance is $412.50."]) == "answered"
    assert classify(["Sorry, something went wrong on our side. Please try again."]) == "apology"
    assert classify(["Thanks.", "Sorry, I can't reach our policy system right now."]) == "apology"


def test_conversations_follow_the_case_study_intent_mix() -> None:
    pool = personas(1500, date(2026, 11, 25))
    assert len({p.phone for p in pool}) == len(pool)  # one SMS conversation each
    counts = Counter(s.category for s in scripts(pool))
    total = sum(counts.values())
    for category, share in INTENT_MIX.items():
        assert counts[category] / total == pytest.approx(share, abs=0.05)


def test_training_is_opt_in_and_unknown_benchmarks_are_refused() -> None:
    assert "training" not in [b.name for b in select(None, with_training=False)]
    assert "training" in [b.name for b in select(None, with_training=True)]
    assert [b.name for b in select("documents", False)] == ["documents"]
    with pytest.raises(SystemExit):
        select("nope", False)
    assert len({b.name for b in BENCHMARKS}) == len(BENCHMARKS)


def test_the_report_marks_each_goal_met_or_missed() -> None:
    level = {
        "channel": "SMS",
        "concurrency": 1,
        "conversations": 1,
        "turns": 2,
        "answered": 2,
        "apologies": 0,
        "lost": 0,
        "throughput_turns_per_s": 1.0,
        "latency": {
            "n": 2,
            "mean_ms": 250.0,
            "p50_ms": 200.0,
            "p95_ms": 900.0,
            "p99_ms": 900.0,
            "max_ms": 900.0,
        },
    }
    e2e = {
        "case_study": CASE_STUDY,
        "pas_latency_injected": PAS_LATENCY,
        "levels": [level],
        "pas_calls": {"by_operation": {}, "cache_hit_ratio": None, "pas_read_latency": {"n": 0}},
        "servers": {"start_s": {}, "rss_mb_idle": {}, "rss_mb_after_load": {}},
    }
    rows = goals({"end_to_end": e2e}).rows
    assert [r[2] for r in rows] == ["met", "missed", "met"]
    text = markdown(
        {"end_to_end": e2e, "documents": {"error": "boom"}},
        {"measured_at": "now", "cpus": 2, "loadavg_1m": 1.0, "python": "3.10", "quick": True},
    )
    assert "| SMS | 1 |" in text and "documents: failed" in text
