"""Driving SMS load against a fault stack, and breaking its parts on purpose.

The load goes through the real Twilio SMS webhook (signed) and is counted from the outbox: a
message is answered when a reply lands there (``bench.channel_clients.SmsClient``). Each turn
ends as ``answered``, ``apology`` (an error surfaced to the policyholder, with a way forward) or
``lost`` (no reply at all): the one outcome that must never happen.
"""

from __future__ import annotations

import asyncio
import subprocess
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

import httpx
import redis

from bench.channel_clients import Conversation, OutboxWatcher, SmsClient, TurnFailed
from bench.load_driver import LevelResult, TurnRecord, classify, drive, next_user_turn
from bench.population import Script, personas, scripts
from bench.stats import latency_summary
from bot.db import make_engine
from bot.settings import LOCAL_SECRETS
from tests.support.rasa_stack import (
    RasaStack,
    _wait_until_model_loaded,
    actions_argv,
    rasa_argv,
    spawn_logged,
)
from tests.support.servers import RedisServer, SandboxHandle, _stop, wait_for_port

T = TypeVar("T")
REPLY_TIMEOUT_S = 45.0
BREAKER_TTL_S = 2.0
# A policyholder's way forward in an apology: try again, or a number to call.
WAY_FORWARD = ("try again", "call", "(800)", "800-", "text ")


@dataclass
class Outage:
    """When a broken part was down: from its stop to when it listened again (monotonic s)."""

    began: float = 0.0
    ended: float = 0.0


@dataclass
class FaultStack:
    sandbox: SandboxHandle
    stack: RasaStack
    redis: RedisServer
    _pool: Iterator[Script] = field(init=False)

    def __post_init__(self) -> None:
        self._pool = iter(scripts(personas(400, date.fromisoformat(self.sandbox.as_of))))
        self.engine = make_engine(self.stack.env["DATABASE_URL"])

    def __enter__(self) -> FaultStack:
        return self

    def __exit__(self, *exc: object) -> None:
        self.engine.dispose()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.stack.rasa_port}"

    def take(self, n: int, category: str | None = None) -> list[Script]:
        """``n`` conversations with policyholders no earlier test of the module used."""
        found: list[Script] = []
        while len(found) < n:
            script = next(self._pool)
            if category is None or script.category == category:
                found.append(script)
        return found

    # -- breaking things ---------------------------------------------------------------------

    def pas_healthy_again(self) -> None:
        """Clear sandbox faults and wait out the breaker, so the next scenario starts clean."""
        self.sandbox.reset()
        time.sleep(BREAKER_TTL_S + 0.5)

    def restart_actions(self) -> float:
        """Stop the action server (SIGTERM) and start it again on its port; seconds it was down."""
        began = time.monotonic()
        _stop(self.stack.procs[0], timeout=20)
        proc = spawn_logged(
            actions_argv(self.stack.actions_port),
            self.stack.env,
            self.stack.log_dir / "actions.log",
        )
        self.stack.procs[0] = proc
        wait_for_port(self.stack.actions_port, proc, 120, "action server")
        return time.monotonic() - began

    def restart_rasa(self) -> float:
        """Stop the Rasa server (SIGTERM, graceful) and start it again; seconds until ready."""
        began = time.monotonic()
        _stop(self.stack.procs[1], timeout=30)
        proc = spawn_logged(
            rasa_argv(self.stack.rasa_port, self.stack.endpoints),
            self.stack.env,
            self.stack.log_dir / "rasa.log",
        )
        self.stack.procs[1] = proc
        wait_for_port(self.stack.rasa_port, proc, 300, "Rasa server")
        _wait_until_model_loaded(self.stack)
        return time.monotonic() - began

    def stop_redis(self) -> None:
        _stop(self.redis.proc)

    def forget_pas_cache(self) -> None:
        """Drop the action server's PAS cache (in Redis), what was read ahead of verification
        included: the next reads have to reach the PAS."""
        client = redis.Redis.from_url(self.redis.url)
        try:
            keys = list(client.scan_iter(match="policyline:pas:*", count=500))
            if keys:
                client.delete(*keys)
        finally:
            client.close()

    def start_redis_again(self) -> None:
        """A fresh redis-server on the same port (the stack keeps its REDIS_URL)."""
        proc = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.redis.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--loglevel",
                "warning",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.redis.port, proc, 15, "redis-server")
        self.redis.proc = proc

    # -- load --------------------------------------------------------------------------------

    def sms_load(
        self,
        batch: Sequence[Script],
        concurrency: int,
        *,
        disrupt: Callable[[], Any] | None = None,
        disrupt_after_s: float = 0.0,
        connect_retry_s: float = 0.0,
    ) -> LevelResult:
        """Whole conversations over SMS; ``disrupt`` runs (in a thread) during the load."""

        async def load(client: SmsClient) -> LevelResult:
            async def disruption() -> None:
                if disrupt is not None:
                    await asyncio.sleep(disrupt_after_s)
                    await asyncio.to_thread(disrupt)

            result, _ = await asyncio.gather(
                drive(client, batch, concurrency, time_limit_s=300), disruption()
            )
            return result

        return asyncio.run(self._with_client(load, connect_retry_s))

    def sms_two_phase(self, batch: Sequence[Script], between: Callable[[], Any]) -> LevelResult:
        """Every conversation sends its opener; then ``between`` runs; then they go on."""

        async def load(client: SmsClient) -> LevelResult:
            result = LevelResult(client.name, len(batch))
            began = time.monotonic()
            conversations = [await client.start(s) for s in batch]
            first = await asyncio.gather(
                *(_turn(client, c, c.script.opener, result) for c in conversations)
            )
            await asyncio.to_thread(between)
            await asyncio.gather(
                *(_go_on(client, c, nxt, result) for c, nxt in zip(conversations, first))
            )
            result.conversations = len(batch)
            result.wall_s = time.monotonic() - began
            return result

        return asyncio.run(self._with_client(load, 0.0))

    def sms_through_outage(
        self,
        batch: Sequence[Script],
        outage: Callable[[], Any],
        *,
        after_answers: int,
        max_turns: int = 8,
        time_limit_s: float = 300.0,
    ) -> tuple[LevelResult, Outage, list[bool]]:
        """Every conversation of ``batch`` at once, each to its end; ``outage`` (stop and start a
        part again, in a thread) begins once ``after_answers`` turns were answered. A
        policyholder told to try again sends the same text again once the part is back, as
        people do; the list says which conversations reached their end."""

        async def load(client: SmsClient) -> tuple[LevelResult, Outage, list[bool]]:
            result = LevelResult(client.name, len(batch))
            window = Outage()
            back = asyncio.Event()
            enough = asyncio.Event()
            answered = 0
            began = time.monotonic()

            def record(conversation: Conversation, started: float, outcome: str) -> None:
                nonlocal answered
                result.turns.append(
                    TurnRecord(
                        conversation.script.category, time.monotonic() - started, outcome, started
                    )
                )
                if outcome == "answered":
                    answered += 1
                    if answered >= after_answers:
                        enough.set()

            async def converse(script: Script) -> bool:
                conversation = await client.start(script)
                text: str | None = script.opener
                for _ in range(max_turns):
                    if text is None:
                        return True
                    started = time.monotonic()
                    try:
                        reply = await client.turn(conversation, text)
                    except TurnFailed as exc:
                        result.failures[str(exc)] += 1
                        record(conversation, started, "lost")
                        return False
                    outcome = classify(reply.texts)
                    record(conversation, started, outcome)
                    if outcome == "apology":
                        result.failures["apology: " + " / ".join(reply.texts)[:200]] += 1
                        await asyncio.wait_for(back.wait(), time_limit_s)
                        continue  # the same text again, now that the part is back
                    text = next_user_turn(reply.texts, script.persona, keyed=False)
                return text is None

            async def break_it() -> None:
                await asyncio.wait_for(enough.wait(), time_limit_s)
                window.began = time.monotonic()
                await asyncio.to_thread(outage)
                window.ended = time.monotonic()
                back.set()

            *finished, _ = await asyncio.wait_for(
                asyncio.gather(*(converse(s) for s in batch), break_it()), time_limit_s
            )
            result.conversations = len(batch)
            result.wall_s = time.monotonic() - began
            return result, window, list(finished)

        return asyncio.run(self._with_client(load, 0.0))

    async def _with_client(
        self, load: Callable[[SmsClient], Awaitable[T]], connect_retry_s: float
    ) -> T:
        outbox = OutboxWatcher(self.engine)
        outbox.start()
        try:
            async with httpx.AsyncClient(trust_env=False) as http:
                client = SmsClient(
                    http,
                    self.base_url,
                    LOCAL_SECRETS["TWILIO_AUTH_TOKEN"],
                    outbox,
                    REPLY_TIMEOUT_S,
                    connect_retry_s=connect_retry_s,
                )
                return await load(client)
        finally:
            await outbox.stop()


async def _turn(
    client: SmsClient, conversation: Conversation, text: str, result: LevelResult
) -> str | None:
    """One recorded turn; what the policyholder says next (None when nothing is asked)."""
    started = time.monotonic()
    try:
        reply = await client.turn(conversation, text)
    except TurnFailed as exc:
        result.failures[str(exc)] += 1
        result.turns.append(
            TurnRecord(conversation.script.category, time.monotonic() - started, "lost", started)
        )
        return None
    outcome = classify(reply.texts)
    result.turns.append(TurnRecord(conversation.script.category, reply.latency_s, outcome, started))
    if outcome == "apology":
        result.failures["apology: " + " / ".join(reply.texts)[:200]] += 1
    return next_user_turn(reply.texts, conversation.script.persona, keyed=False)


async def _go_on(
    client: SmsClient,
    conversation: Conversation,
    text: str | None,
    result: LevelResult,
    max_turns: int = 4,
) -> None:
    for _ in range(max_turns):
        if text is None:
            return
        text = await _turn(client, conversation, text, result)


def figures(fault: str, result: LevelResult) -> dict[str, Any]:
    """The line a fault test reports: turns, answered, apologies, lost, latency."""
    summary = result.summary()
    latency = latency_summary([t.latency_s for t in result.turns if t.outcome != "lost"])
    return {
        "fault": fault,
        "turns": summary["turns"],
        "answered": summary["answered"],
        "apologies": summary["apologies"],
        "lost": summary["lost"],
        "p95_ms": latency.get("p95_ms"),
        "max_ms": latency.get("max_ms"),
        "failures": summary["failures"],
    }
