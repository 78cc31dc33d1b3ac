"""Scale-out per core: the same load on one Rasa server, on two behind nginx, and on one with
two Sanic workers; and what one turn writes to the PostgreSQL tracker store.

The set-up is tests/scale's cluster (two Rasa servers, two action servers behind nginx, the
PostgreSQL tracker store, the Redis lock store, the PAS sandbox without injected latency, so the
servers' CPU is the limit). Each configuration gets the same load: ``--conversations`` verified
web conversations (REST channel, code texted to the number on file), ``--concurrency`` at once,
fresh policyholders each time (nothing in the PAS cache), after a warm-up through nginx.

Per configuration it reports turns/s and the CPU seconds every process tree used while the load
ran (from /proc: Rasa servers, action servers, PostgreSQL, Redis, nginx, PAS sandbox), so
"turns/s per core" is turns per CPU second of the whole stack and per CPU second of the Rasa
servers alone. On a 2-core machine the whole stack (load driver included) shares both cores:
two Rasa servers can only show how much of the second core one server leaves unused, not a
linear gain; see docs/deployment.md ("Measured settings").

    .venv/bin/python -m bench.scale_out [--conversations 40] [--concurrency 20] [--json PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text

from bench.channel_clients import OutboxWatcher, RestClient
from bench.load_driver import asks_for_code, drive, next_user_turn
from bench.population import Script, personas, scripts
from bot.db import make_engine
from tests.scale.cluster import Cluster
from tests.support.servers import PostgresServer, RedisServer

TICKS = os.sysconf("SC_CLK_TCK")
TURN_TIMEOUT_S = 120.0


def _proc_table() -> dict[int, tuple[int, float]]:
    """pid -> (parent pid, CPU seconds used: user + system, own and of waited-for children)."""
    table: dict[int, tuple[int, float]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        # fields[0] is state (field 3): ppid is field 4, utime..cstime fields 14..17.
        ticks = sum(int(x) for x in fields[11:15])
        table[int(entry)] = (int(fields[1]), ticks / TICKS)
    return table


def _tree_cpu_s(root: int, table: dict[int, tuple[int, float]]) -> float:
    """CPU seconds of ``root`` and every live descendant (Sanic workers, PostgreSQL backends)."""
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    total, stack = 0.0, [root]
    while stack:
        pid = stack.pop()
        total += table.get(pid, (0, 0.0))[1]
        stack.extend(children.get(pid, []))
    return total


def _machine_busy_s() -> tuple[float, float]:
    """(busy CPU seconds, all CPU seconds) of the whole machine since boot."""
    with open("/proc/stat") as f:
        values = [int(x) for x in f.readline().split()[1:]]
    idle = values[3] + values[4]
    return (sum(values) - idle) / TICKS, sum(values) / TICKS


@dataclass
class Roots:
    """The process trees whose CPU time is counted, by group."""

    pids: dict[str, list[int]]

    def cpu_s(self) -> dict[str, float]:
        table = _proc_table()
        return {
            group: sum(_tree_cpu_s(p, table) for p in pids) for group, pids in self.pids.items()
        }


def _roots(cluster: Cluster, postgres: PostgresServer, redis: RedisServer) -> Roots:
    postmaster = int((postgres.datadir / "postmaster.pid").read_text().split()[0])
    procs = cluster.procs
    return Roots(
        {
            "rasa": [procs["rasa_a"].pid, procs["rasa_b"].pid],
            "actions": [procs["actions_1"].pid, procs["actions_2"].pid],
            "postgres": [postmaster],
            "redis": [redis.proc.pid],
            "nginx": [procs["nginx"].pid],
            "sandbox": [cluster.sandbox.proc.pid],
            "load client": [os.getpid()],
        }
    )


async def _load(cluster: Cluster, target: str, batch: list[Script], concurrency: int) -> Any:
    engine = make_engine(cluster.app_db_url)
    outbox = OutboxWatcher(engine)
    outbox.start()
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=100)
    try:
        async with httpx.AsyncClient(trust_env=False, limits=limits) as http:
            client = RestClient(http, cluster.url(target), outbox, TURN_TIMEOUT_S)
            return await drive(client, batch, concurrency, time_limit_s=240)
    finally:
        await outbox.stop()
        engine.dispose()


def measure(
    cluster: Cluster, roots: Roots, label: str, target: str, batch: list[Script], concurrency: int
) -> dict[str, Any]:
    """One configuration under the load: turns/s and CPU seconds per process group."""
    cpu_before, (busy_before, all_before) = roots.cpu_s(), _machine_busy_s()
    result = asyncio.run(_load(cluster, target, batch, concurrency))
    cpu_after, (busy_after, all_after) = roots.cpu_s(), _machine_busy_s()
    summary = result.summary()
    cpu = {g: round(cpu_after[g] - cpu_before[g], 1) for g in cpu_before}
    answered = summary["turns"] - summary["lost"]
    stack_cpu = sum(v for g, v in cpu.items() if g != "load client")
    figures = {
        "config": label,
        "turns": summary["turns"],
        "lost": summary["lost"],
        "apologies": summary["apologies"],
        "wall_s": summary["wall_s"],
        "turns_per_s": summary["throughput_turns_per_s"],
        "p50_ms": summary["latency"].get("p50_ms"),
        "p95_ms": summary["latency"].get("p95_ms"),
        "cpu_s": cpu,
        "machine_busy_cores": round((busy_after - busy_before) / summary["wall_s"], 2),
        "machine_cores": round((all_after - all_before) / summary["wall_s"], 2),
        "turns_per_stack_cpu_s": round(answered / stack_cpu, 2) if stack_cpu else None,
        "turns_per_rasa_cpu_s": round(answered / cpu["rasa"], 2) if cpu["rasa"] else None,
        "rasa_cpu_ms_per_turn": round(1000 * cpu["rasa"] / answered) if answered else None,
    }
    print(
        f"  {label:<34} {figures['turns_per_s']:>6} turns/s  p50 {figures['p50_ms']} ms  "
        f"p95 {figures['p95_ms']} ms  busy cores {figures['machine_busy_cores']}  "
        f"turns/CPU-s stack {figures['turns_per_stack_cpu_s']} rasa "
        f"{figures['turns_per_rasa_cpu_s']}  lost {figures['lost']}",
        flush=True,
    )
    return figures


def _wal_bytes(cluster: Cluster) -> int:
    engine = make_engine(cluster.tracker_url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("SELECT pg_current_wal_lsn() - '0/0'::pg_lsn")).scalar())
    finally:
        engine.dispose()


def _stored(cluster: Cluster, sender: str) -> tuple[int, int]:
    """Events stored for ``sender`` and the bytes of their JSON."""
    engine = make_engine(cluster.tracker_url)
    try:
        with engine.connect() as conn:
            row = conn.execute(
                text(
                    "SELECT count(*), coalesce(sum(octet_length(data)), 0) FROM events "
                    "WHERE sender_id = :s"
                ),
                {"s": sender},
            ).one()
    finally:
        engine.dispose()
    return int(row[0]), int(row[1])


async def _one_conversation_writes(cluster: Cluster, script: Script) -> list[dict[str, Any]]:
    """A verified conversation alone on the cluster, turn by turn: events and bytes each turn
    adds to the tracker store, and the WAL the whole PostgreSQL cluster wrote meanwhile (the
    tracker's insert and the application's own writes: audit, verification, outbox)."""
    engine = make_engine(cluster.app_db_url)
    outbox = OutboxWatcher(engine)
    outbox.start()
    rows: list[dict[str, Any]] = []
    try:
        async with httpx.AsyncClient(trust_env=False) as http:
            client = RestClient(http, cluster.url("rasa_a"), outbox, TURN_TIMEOUT_S)
            conversation = await client.start(script)
            said: str | None = script.opener
            follow_ups = 2
            while said is not None:
                events_before, bytes_before = _stored(cluster, conversation.sender)
                wal_before = _wal_bytes(cluster)
                reply = await client.turn(conversation, said)
                wal_after = _wal_bytes(cluster)
                events_after, bytes_after = _stored(cluster, conversation.sender)
                rows.append(
                    {
                        "turn": said if said == script.opener else "(answer)",
                        "events_added": events_after - events_before,
                        "event_bytes_added": bytes_after - bytes_before,
                        "events_loaded_next_turn": events_after,
                        "wal_bytes": wal_after - wal_before,
                        "reply": " ".join(reply.texts)[:60],
                    }
                )
                said = next_user_turn(reply.texts, script.persona, keyed=False)
                if said is None and asks_for_code(reply.texts):
                    said = await client.one_time_code(conversation)
                if said is None and follow_ups:
                    follow_ups -= 1
                    said = script.opener
    finally:
        await outbox.stop()
        engine.dispose()
    return rows


class Batches:
    """Consecutive slices of the script pool: every conversation gets a policyholder of its own."""

    def __init__(self, pool: list[Script]) -> None:
        self._pool, self._next = pool, 0

    def take(self, count: int) -> list[Script]:
        if self._next + count > len(self._pool):
            raise RuntimeError(f"{len(self._pool)} policyholders: too few for this run")
        self._next += count
        return self._pool[self._next - count : self._next]


def run(
    conversations: int, concurrency: int, sanic_workers: bool, sanic_only: bool = False
) -> dict[str, Any]:
    pool = [
        s
        for s in scripts(personas(400, date.today()))
        if s.category in ("payments", "claims", "coverage")
    ]
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        workdir = Path(tmp)
        for name in ("pg", "redis", "scale"):
            (workdir / name).mkdir()
        postgres = PostgresServer.start(workdir / "pg")
        redis: RedisServer | None = None
        cluster: Cluster | None = None
        try:
            redis = RedisServer.start(workdir / "redis")
            cluster = Cluster.start(workdir / "scale", postgres.url, redis.url)
            batches = Batches(pool)
            warm = batches.take(max(4, concurrency // 2))
            asyncio.run(_load(cluster, "rasa_lb", warm, len(warm)))
            results = [
                measure(
                    cluster,
                    _roots(cluster, postgres, redis),
                    "one Rasa server",
                    "rasa_a",
                    batches.take(conversations),
                    concurrency,
                )
            ]
            writes: list[dict[str, Any]] = []
            if not sanic_only:
                results.append(
                    measure(
                        cluster,
                        _roots(cluster, postgres, redis),
                        "two Rasa servers (nginx)",
                        "rasa_lb",
                        batches.take(conversations),
                        concurrency,
                    )
                )
                writes = asyncio.run(_one_conversation_writes(cluster, batches.take(1)[0]))
                for row in writes:
                    print(f"  tracker write: {row}", flush=True)
            if sanic_workers:
                cluster.terminate("rasa_a")
                started = time.monotonic()
                try:
                    # Each worker loads the model: two loads at once on a busy machine.
                    cluster.start_again("rasa_a", {"SANIC_WORKERS": "2"}, timeout_s=900)
                except RuntimeError as exc:
                    # The figures above stand; say why this one is missing.
                    results.append({"config": "1 Rasa server, 2 Sanic workers", "error": str(exc)})
                    print(f"  2 Sanic workers: {exc}", flush=True)
                    sanic_workers = False
            if sanic_workers:
                print(f"  rasa_a with 2 Sanic workers ready in {time.monotonic() - started:.0f} s")
                asyncio.run(_load(cluster, "rasa_a", batches.take(4), 4))  # warm both workers
                results.append(
                    measure(
                        cluster,
                        _roots(cluster, postgres, redis),
                        "one Rasa server, 2 Sanic workers",
                        "rasa_a",
                        batches.take(conversations),
                        concurrency,
                    )
                )
        finally:
            if cluster is not None:
                cluster.stop()
            if redis is not None:
                redis.stop()
            postgres.stop()
    return {
        "machine_cores": os.cpu_count(),
        "conversations": conversations,
        "concurrency": concurrency,
        "results": results,
        "tracker_writes": writes,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=40)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--no-sanic-workers", action="store_true")
    parser.add_argument(
        "--sanic-workers-only",
        action="store_true",
        help="one Rasa server with 1 then 2 Sanic workers (no two-server run, no write sizes)",
    )
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    figures = run(
        args.conversations,
        args.concurrency,
        not args.no_sanic_workers,
        args.sanic_workers_only,
    )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
