"""End-to-end turn latency and throughput through each channel's real endpoint.

Starts the real stack (PAS sandbox, action server, Rasa server with our channels, web app) from the
trained model, makes the sandbox answer with lognormal latency shaped like the reference
deployment's API (median 282 ms, sigma 0.44: mean 310 ms, p99 780 ms; docs/architecture.md,
"Reference figures"), and drives conversations in its intent mix through every channel at 1, 10 and
50 concurrent conversations (``bench.load_driver``). Each policyholder verifies (date of birth and
ZIP; the web stand-in first gives the policy number) and gets their answer, so turns range from a
form question to a PAS-backed answer with a document.

Reported per channel and level: turns, answered / apologies / lost, p50/p95/p99/mean latency of a
turn as the policyholder experiences it, and sustained throughput (answered turns per second of
wall time). From the same run: every PAS call the connector made (``pas_audit``), with the cache
hit ratio per operation and the PAS latency the connector saw, for comparison with the case
study; server start times and resident memory before and after the load.

    .venv/bin/python -m bench.end_to_end [--quick] [--channels sms,voice,web]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.engine import Engine

from bench.channel_clients import (
    ChannelClient,
    OutboxWatcher,
    RestClient,
    SmsClient,
    SocketIoClient,
    VoiceClient,
)
from bench.load_driver import drive
from bench.population import SANDBOX_SEED, Script, personas, scripts
from bench.processes import BenchStack
from bench.stats import latency_summary
from bot.db import make_engine
from bot.settings import LOCAL_SECRETS
from pas_connector.audit import pas_audit

# Case study: "average API response time across all portal actions was 310ms", "P99 response
# time: 780ms". A lognormal with median m and shape s has mean m*exp(s^2/2) and p99
# m*exp(2.326 s): s = 0.438 and m = 282 ms give 310 ms and 780 ms.
CASE_STUDY = {"mean_ms": 310.0, "p99_ms": 780.0}
PAS_MEDIAN_MS, PAS_SIGMA = 282.0, 0.438
PAS_LATENCY: dict[str, str | float] = {
    "distribution": "lognormal",
    "median_ms": PAS_MEDIAN_MS,
    "sigma": PAS_SIGMA,
}
LEVELS = (1, 10, 50)
CONVERSATIONS = {1: 12, 10: 40, 50: 100}
QUICK_CONVERSATIONS = {1: 4, 10: 10, 50: 50}
TURN_TIMEOUT_S = 60.0
POLICYHOLDERS = 2000
# The web chat page's origin (PUBLIC_BASE_URL of the bench stack): the socket.io server checks it.
WEB_ORIGIN = "http://127.0.0.1:8000"


@dataclass(frozen=True)
class ClientContext:
    http: httpx.AsyncClient
    base_url: str
    twilio_auth_token: str
    outbox: OutboxWatcher


# One entry per channel endpoint.
CHANNELS: dict[str, Callable[[ClientContext], ChannelClient]] = {
    "webchat": lambda c: SocketIoClient(c.base_url, WEB_ORIGIN, c.outbox, TURN_TIMEOUT_S),
    "rest": lambda c: RestClient(c.http, c.base_url, c.outbox, TURN_TIMEOUT_S),
    "sms": lambda c: SmsClient(c.http, c.base_url, c.twilio_auth_token, c.outbox, TURN_TIMEOUT_S),
    "voice": lambda c: VoiceClient(c.http, c.base_url, c.twilio_auth_token, TURN_TIMEOUT_S),
}


def pas_call_figures(engine: Engine) -> dict[str, Any]:
    """Cache use per PAS operation and the latency of calls that went to the PAS."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                pas_audit.c.operation,
                pas_audit.c.cache,
                pas_audit.c.outcome,
                pas_audit.c.latency_ms,
            )
        ).all()
    operations: dict[str, dict[str, int]] = {}
    wire_s = []
    for operation, cache, outcome, latency_ms in rows:
        counts = operations.setdefault(operation, {"hit": 0, "miss": 0, "stale": 0, "none": 0})
        counts[cache] = counts.get(cache, 0) + 1
        if cache == "miss" and outcome == "ok":
            wire_s.append(latency_ms / 1000)
    hits = sum(c["hit"] + c["stale"] for c in operations.values())
    cacheable = hits + sum(c["miss"] for c in operations.values())
    return {
        "calls": len(rows),
        "cache_hit_ratio": round(hits / cacheable, 3) if cacheable else None,
        "by_operation": {
            op: {
                **c,
                "hit_ratio": round((c["hit"] + c["stale"]) / (c["hit"] + c["stale"] + c["miss"]), 3)
                if c["hit"] + c["miss"]
                else None,
            }
            for op, c in sorted(operations.items())
        },
        "pas_read_latency": latency_summary(wire_s),
    }


async def _drive_all(
    stack: BenchStack,
    channels: Sequence[str],
    plan: dict[int, int],
    pool: list[Script],
    time_limit_s: float,
) -> list[dict[str, Any]]:
    engine = make_engine(stack.database_url)
    outbox = OutboxWatcher(engine)
    outbox.start()
    results = []
    remaining = iter(pool)
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=100)
    try:
        async with httpx.AsyncClient(trust_env=False, limits=limits) as http:
            context = ClientContext(
                http, stack.rasa_url, LOCAL_SECRETS["TWILIO_AUTH_TOKEN"], outbox
            )
            for name in channels:
                client = CHANNELS[name](context)
                for level, count in plan.items():
                    batch = [next(remaining) for _ in range(count)]
                    try:
                        level_result = await drive(client, batch, level, time_limit_s=time_limit_s)
                    except Exception as exc:  # one channel failing must not hide the others
                        results.append(
                            {
                                "key": name,
                                "channel": client.name,
                                "concurrency": level,
                                "error": repr(exc)[:300],
                            }
                        )
                        continue
                    summary = level_result.summary()
                    print(
                        f"  {name:<6} x{level:<3} {summary['turns']:>4} turns "
                        f"p50 {summary['latency'].get('p50_ms')} ms "
                        f"p99 {summary['latency'].get('p99_ms')} ms "
                        f"{summary['throughput_turns_per_s']} turns/s lost {summary['lost']}",
                        flush=True,
                    )
                    results.append({"key": name, **summary})
                await client.aclose()
    finally:
        await outbox.stop()
        engine.dispose()
    return results


def run(quick: bool = False, channels: Sequence[str] = tuple(CHANNELS)) -> dict[str, Any]:
    """Start the stack, drive every channel at every level, stop the stack; the figures."""
    plan = dict(QUICK_CONVERSATIONS if quick else CONVERSATIONS)
    unknown = set(channels) - set(CHANNELS)
    if unknown:
        raise ValueError(f"unknown channel {sorted(unknown)[0]!r}; known: {sorted(CHANNELS)}")
    needed = sum(plan.values()) * len(channels)
    pool = list(scripts(personas(POLICYHOLDERS, date.today())))
    if len(pool) < needed:
        raise RuntimeError(f"{len(pool)} policyholders for {needed} conversations")
    with tempfile.TemporaryDirectory(prefix="bench-e2e-") as tmp:
        stack = BenchStack.start(Path(tmp), policyholders=POLICYHOLDERS, seed=SANDBOX_SEED)
        try:
            idle = stack.memory_mb()
            stack.sandbox.set_faults(latency=PAS_LATENCY)
            levels = asyncio.run(
                _drive_all(stack, channels, plan, pool, time_limit_s=60 if quick else 180)
            )
            loaded = stack.memory_mb()
            engine = make_engine(stack.database_url)
            pas = pas_call_figures(engine)
            engine.dispose()
        finally:
            stack.stop()
    return {
        "case_study": CASE_STUDY,
        "pas_latency_injected": PAS_LATENCY,
        "quick": quick,
        "levels": levels,
        "pas_calls": pas,
        "servers": {"start_s": stack.start_s, "rss_mb_idle": idle, "rss_mb_after_load": loaded},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--channels", default=",".join(CHANNELS))
    args = parser.parse_args(argv)
    print(json.dumps(run(args.quick, [c for c in args.channels.split(",") if c]), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
