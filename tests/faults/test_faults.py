"""Faults under load: a policyholder always gets an answer, or an apology with a way forward.

Each scenario drives real SMS conversations (signed Twilio webhooks, replies counted in the
outbox) through a Rasa stack while one part fails, and reports turns answered, apologies and
messages lost. Lost must be 0 in every scenario.
"""

from __future__ import annotations

from typing import Any

import pytest

from bench.load_driver import LevelResult
from tests.faults.support import WAY_FORWARD, FaultStack, figures

pytestmark = [pytest.mark.faults, pytest.mark.rasa, pytest.mark.slow]


def _apologies(result: LevelResult) -> list[str]:
    return [k.removeprefix("apology: ") for k in result.failures if k.startswith("apology: ")]


def _assert_nothing_lost(result: LevelResult, report: list[dict[str, Any]], fault: str) -> None:
    line = figures(fault, result)
    report.append(line)
    assert line["lost"] == 0, line
    assert line["turns"] > 0, line
    for text in _apologies(result):
        assert any(w in text.lower() for w in WAY_FORWARD), f"no way forward in: {text}"


def test_a_pas_outage_mid_conversation_gets_apologies_with_a_way_forward_and_loses_nothing(
    fault_stack: FaultStack, fault_report: list[dict[str, Any]]
) -> None:
    batch = fault_stack.take(8)

    def outage() -> None:
        fault_stack.sandbox.set_faults(outage=True)
        # What the openers read ahead of verification would answer from the cache: forgotten,
        # so the outage meets reads that need the PAS.
        fault_stack.forget_pas_cache()

    try:
        result = fault_stack.sms_two_phase(batch, between=outage)
    finally:
        fault_stack.pas_healthy_again()
    _assert_nothing_lost(result, fault_report, "PAS outage mid-conversation")
    assert result.summary()["apologies"] > 0, "the outage never reached a policyholder"


def test_a_slow_pas_times_out_into_apologies_within_the_turn_budget(
    fault_stack: FaultStack, fault_report: list[dict[str, Any]]
) -> None:
    # Every PAS call is held 5 s, past the connector's 2 s read timeout.
    fault_stack.sandbox.set_faults(timeout_rate=1.0, timeout_hold_s=5.0)
    try:
        result = fault_stack.sms_load(fault_stack.take(8, "payments"), concurrency=8)
    finally:
        fault_stack.pas_healthy_again()
    _assert_nothing_lost(result, fault_report, "PAS slow (every call past the timeout)")
    assert result.summary()["apologies"] > 0
    # Two attempts within a 4.5 s read budget, a couple of reads per turn: well inside 20 s.
    assert result.summary()["latency"]["max_ms"] < 20_000


def test_redis_down_degrades_the_cache_and_every_turn_is_still_answered(
    fault_stack: FaultStack, fault_report: list[dict[str, Any]]
) -> None:
    fault_stack.stop_redis()
    try:
        result = fault_stack.sms_load(fault_stack.take(10), concurrency=5)
    finally:
        fault_stack.start_redis_again()
    _assert_nothing_lost(result, fault_report, "Redis down")
    assert result.summary()["apologies"] == 0, _apologies(result)


def test_an_action_server_restart_under_load_answers_every_turn_and_turns_after_it_succeed(
    fault_stack: FaultStack, fault_report: list[dict[str, Any]]
) -> None:
    # Ten conversations at once, each to its end; the action server is stopped (SIGTERM) and
    # started again once five turns were answered. During the gap an apology with a way forward
    # is the answer; the policyholder sends the same text again once it is back.
    batch = fault_stack.take(10)
    result, outage, finished = fault_stack.sms_through_outage(
        batch, fault_stack.restart_actions, after_answers=5
    )
    _assert_nothing_lost(result, fault_report, "action server restart during load")
    during = [t for t in result.turns if outage.began <= t.started_at < outage.ended]
    assert during, "no turn was sent while the action server was down"
    after = [t for t in result.turns if t.started_at >= outage.ended]
    assert after, "no turn was sent after the restart"
    not_answered = [t.outcome for t in after if t.outcome != "answered"]
    assert not_answered == [], f"turns after the restart: {not_answered} {_apologies(result)}"
    # Every conversation went on to its end (its questions answered) despite the gap.
    assert all(finished), f"{finished.count(False)} of {len(batch)} conversations did not finish"


@pytest.mark.extended
def test_a_rasa_server_restart_during_load_loses_no_message(
    fault_stack: FaultStack, fault_report: list[dict[str, Any]]
) -> None:
    # Texts acknowledged before the restart must still be answered (the channel drains its
    # turns on shutdown). While a single server is down nothing can connect: in production the
    # second server behind the balancer takes those texts (tests/scale); here the client keeps
    # retrying the connection, as Twilio's fallback URL or connection-override retries would.
    result = fault_stack.sms_load(
        fault_stack.take(20),
        concurrency=10,
        disrupt=fault_stack.restart_rasa,
        disrupt_after_s=2.0,
        connect_retry_s=300.0,
    )
    _assert_nothing_lost(result, fault_report, "Rasa server restart during load")
