"""The real ``policyline run`` stack: status, a second run, SIGTERM under SMS load, SIGKILL.

One stack (every port free and non-default, its own var/ folder, its own session) is started,
inspected, then stopped with SIGTERM in the middle of a burst of signed SMS; the same stack is
started again and must answer every text the first one acknowledged; then its supervisor is
killed with SIGKILL, and every child must still stop and free its port. Two stack starts in all
(the Rasa model load is most of the time).

Figures (stop times, texts accepted, answered before the stop and after the restart) go to
``test-artifacts/lifecycle-report.json``.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import Engine

from bot.db import make_engine
from bot.lifecycle import STOP_TIMEOUT_S
from bot.notifications.outbox import read_outbox
from bot.settings import LOCAL_SECRETS
from channels.sms_inbox import SmsInbox
from channels.twilio_requests import new_message_sid, signed_form_request, sms_webhook_params
from devtools.stack_commands import EXIT_ALREADY_RUNNING
from tests.support.policyline_stack import Stack, gone, launch, policyline, stack_env, stop
from tests.support.servers import PROJECT_ROOT, artifact_log_dir

pytestmark = [pytest.mark.rasa, pytest.mark.slow]

MODEL = PROJECT_ROOT / "models" / "policyline.tar.gz"
REPLY_TIMEOUT_S = 180.0
REPORT = PROJECT_ROOT / "test-artifacts" / "lifecycle-report.json"
# Fictional numbers (555-01XX) in several area codes: one conversation per text.
AREAS = ("512", "704", "614", "206", "718", "303", "404", "617")
BURST = 32
CONCURRENCY = 8
_report: dict[str, Any] = {}


@pytest.fixture(scope="module")
def start_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[], Stack]]:
    if not MODEL.exists():
        pytest.fail("no trained model at models/policyline.tar.gz: run `make test`")
    workdir = tmp_path_factory.mktemp("lifecycle")
    env = stack_env(workdir / "var")
    log_dir = artifact_log_dir(workdir)
    started: list[Stack] = []

    def start() -> Stack:
        stack = launch(env, log_dir / f"stack-{len(started) + 1}.log")
        started.append(stack)
        return stack

    yield start
    for stack in started:  # whatever a test did: no process left behind
        stop(stack)
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(_report, indent=2) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def stack(start_stack: Callable[[], Stack]) -> Stack:
    return start_stack()


_later: dict[str, Stack] = {}


def test_status_shows_every_process_healthy_and_a_second_run_says_the_stack_runs(
    stack: Stack,
) -> None:
    status = policyline(stack.env, "status", "--json")
    assert status.returncode == 0, status.stdout + status.stderr
    report = json.loads(status.stdout)
    assert report["running"] is True
    assert report["supervisor_pid"] == stack.proc.pid
    rows = {row["name"]: row for row in report["processes"]}
    assert set(rows) == {"sandbox", "localstripe", "actions", "rasa", "web", "notifier"}
    assert all(row["healthy"] and row["running"] for row in rows.values()), rows
    assert {name: row["pid"] for name, row in rows.items()} == stack.pids
    assert rows["rasa"]["port"] == int(stack.env["RASA_PORT"])

    again = policyline(stack.env, "run")
    assert again.returncode == EXIT_ALREADY_RUNNING, again.stdout + again.stderr
    assert again.stdout.startswith(
        f"Policyline is already running (supervisor pid {stack.proc.pid}, since "
    )
    assert stack.proc.poll() is None  # and the running stack is untouched


@dataclass
class Burst:
    accepted: dict[str, str] = field(default_factory=dict)  # sender -> MessageSid
    refused: dict[str, str] = field(default_factory=dict)  # sender -> why
    sigterm_at: float | None = None
    answered_before_stop: set[str] = field(default_factory=set)
    waiting_at_stop: set[str] = field(default_factory=set)


def senders(n: int) -> list[str]:
    return [f"+1{AREAS[i % len(AREAS)]}55501{i // len(AREAS):02d}" for i in range(n)]


def answered(engine: Engine, numbers: list[str]) -> set[str]:
    replied = {m.to for m in read_outbox(engine, limit=100_000)}
    return {n for n in numbers if n in replied}


async def sms_burst(stack: Stack, engine: Engine) -> Burst:
    """Texts from ``BURST`` numbers; SIGTERM once some are acknowledged and not yet answered."""
    url = stack.rasa_url + "/webhooks/twilio_sms/webhook"
    token = LOCAL_SECRETS["TWILIO_AUTH_TOKEN"]
    burst, queue = Burst(), list(senders(BURST))

    checking = asyncio.Lock()

    async def maybe_stop() -> None:
        if len(burst.accepted) < CONCURRENCY or checking.locked():
            return
        async with checking:  # one look at a time, one SIGTERM in all
            if burst.sigterm_at is not None:
                return
            accepted = list(burst.accepted)
            waiting = set(accepted) - await asyncio.to_thread(answered, engine, accepted)
            if waiting:
                burst.answered_before_stop = set(accepted) - waiting
                burst.waiting_at_stop = waiting
                burst.sigterm_at = time.monotonic()
                stack.proc.send_signal(signal.SIGTERM)

    async def sender(http: httpx.AsyncClient) -> None:
        while queue:
            number = queue.pop(0)
            sid = new_message_sid()
            params = sms_webhook_params(from_number=number, body="claim status", message_sid=sid)
            request = signed_form_request(token, url, params)
            try:
                response = await http.post(url, content=request.body, headers=request.headers)
            except httpx.HTTPError as exc:
                burst.refused[number] = type(exc).__name__
            else:
                if response.status_code == 200:
                    burst.accepted[number] = sid
                else:
                    burst.refused[number] = f"HTTP {response.status_code}"
            await maybe_stop()

    async with httpx.AsyncClient(timeout=60, trust_env=False) as http:
        await asyncio.gather(*(sender(http) for _ in range(CONCURRENCY)))
    return burst


def test_sigterm_during_an_sms_burst_stops_in_bound_and_every_accepted_text_is_answered(
    stack: Stack, start_stack: Callable[[], Stack]
) -> None:
    engine = make_engine(f"sqlite:///{stack.var / 'policyline.sqlite'}")
    try:
        burst = asyncio.run(sms_burst(stack, engine))
        assert burst.sigterm_at is not None, f"the burst ended before a stop: {burst}"
        assert stack.proc.wait(timeout=STOP_TIMEOUT_S + 10) == 128 + signal.SIGTERM
        took = stack.stopped_within(5)  # the supervisor waits for its children
        stop_s = time.monotonic() - burst.sigterm_at
        assert took is not None, stack.output()[-6000:]
        assert stop_s <= STOP_TIMEOUT_S, stack.output()[-6000:]
        assert burst.accepted, burst
        answered_at_stop = answered(engine, list(burst.accepted))
        kept = SmsInbox(engine, LOCAL_SECRETS["TRACKER_ENCRYPTION_KEY"]).pending()

        restarted = start_stack()
        _later["restarted"] = restarted
        deadline = time.monotonic() + REPLY_TIMEOUT_S
        while (waiting := set(burst.accepted) - answered(engine, list(burst.accepted))) and (
            time.monotonic() < deadline
        ):
            time.sleep(0.5)
        assert not waiting, f"accepted, never answered: {sorted(waiting)}"
        _report["sigterm_under_sms_load"] = {
            "texts_sent": BURST,
            "accepted": len(burst.accepted),
            "refused_while_stopping": sorted(set(burst.refused.values())),
            "refused": len(burst.refused),
            "answered_before_sigterm": len(burst.answered_before_stop),
            "acknowledged_unanswered_at_sigterm": len(burst.waiting_at_stop),
            "answered_by_the_stopping_stack": len(answered_at_stop - burst.answered_before_stop),
            "kept_for_the_next_start": kept,
            "answered_after_restart": len(set(burst.accepted) - answered_at_stop),
            "sigterm_to_all_ports_free_s": round(stop_s, 2),
        }
        assert SmsInbox(engine, LOCAL_SECRETS["TRACKER_ENCRYPTION_KEY"]).pending() == 0
    finally:
        engine.dispose()


def test_sigkill_of_the_supervisor_still_stops_every_child_and_frees_every_port(
    start_stack: Callable[[], Stack],
) -> None:
    stack = _later.get("restarted") or start_stack()
    assert stack.pids and all(not gone(pid) for pid in stack.pids.values())

    began = time.monotonic()
    os.kill(stack.proc.pid, signal.SIGKILL)
    stack.proc.wait(timeout=10)
    took = stack.stopped_within(STOP_TIMEOUT_S)

    assert took is not None, f"left running: {[n for n, p in stack.pids.items() if not gone(p)]}"
    _report["sigkill_of_the_supervisor_idle"] = {
        "sigkill_to_all_ports_free_s": round(time.monotonic() - began, 2)
    }
