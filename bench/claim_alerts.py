"""Claim alert throughput: timeline changes processed per second by one notifier.

Starts a real PAS sandbox (subprocess, SQLite replica), opts half of the policies with an open
claim in to SMS and e-mail, advances every open claim once (one timeline row each), then times a
notifier draining them: reading the feed, looking up claim/policy/holder over signed HTTP,
planning deliveries (unique key rows) and sending to the local outboxes. Also: the cost of an
empty poll, and of re-reading already-handled changes (a rewound cursor: de-duplication only).

Prints one JSON object per line. Run: ``.venv/bin/python -m bench.claim_alerts [--claims N]
[--postgres]`` (``--postgres``: the notifier's database is a private PostgreSQL server, as in
production; the default is a SQLite file, as locally).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from bot.db import make_engine
from bot.migrations import upgrade
from bot.notifications.claim_alerts import FEED
from tests.notifications.conftest import AlertRig, SettableClock
from tests.support.servers import PostgresServer, start_sandbox


def _open_claims(replica_url: str, limit: int) -> list[str]:
    engine = create_engine(replica_url)
    try:
        with engine.connect() as conn:
            rows = (
                conn.execute(
                    text(
                        "SELECT claim_number FROM replica_claim_events GROUP BY claim_number "
                        "HAVING SUM(CASE WHEN milestone = 'closed' THEN 1 ELSE 0 END) = 0 "
                        "ORDER BY claim_number LIMIT :n"
                    ),
                    {"n": limit},
                )
                .scalars()
                .all()
            )
    finally:
        engine.dispose()
    return [str(r) for r in rows]


async def _measure(
    workdir: Path, policyholders: int, claims: int, database_url: str | None
) -> list[dict[str, Any]]:
    sandbox = start_sandbox(workdir, policyholders=policyholders)
    url = database_url or f"sqlite:///{workdir / 'app.sqlite'}"
    rig = AlertRig(sandbox, url, make_engine(url), SettableClock())
    try:
        numbers = _open_claims(sandbox.replica_url, claims)
        setup = rig.connector()
        upgrade(rig.store.engine)
        opted = 0
        for i, claim in enumerate(numbers):
            if i % 2 == 0:
                policy = (await setup.get_claim(claim)).value.policy_number
                rig.store.opt_in(policy, "sms", "cli")
                rig.store.opt_in(policy, "email", "cli")
                opted += 1
        notifier = rig.notifier()
        await notifier.poll_once()
        start = rig.store.cursor(FEED) or 0

        t0 = time.perf_counter()
        await notifier.poll_once()
        empty_poll_ms = (time.perf_counter() - t0) * 1000

        for claim in numbers:
            sandbox.advance_claim(claim)
        rig.clock.now = datetime.now(timezone.utc)  # the advances happened after set-up

        t0, planned, sent, polls, plan_s, send_s = time.perf_counter(), 0, 0, 0, 0.0, 0.0
        while True:
            t_poll = time.perf_counter()
            polled = await notifier.poll_once()
            t_send = time.perf_counter()
            delivered = await notifier.deliver_due()
            plan_s += t_send - t_poll
            send_s += time.perf_counter() - t_send
            polls += 1
            planned += polled.planned
            sent += delivered.sent
            if polled.read == 0 and delivered.sent == 0:
                break
        elapsed = time.perf_counter() - t0

        rig.store.reset_cursor(FEED, start)
        t1 = time.perf_counter()
        reread = await notifier.poll_once()
        reread_s = time.perf_counter() - t1
        counts = rig.store.count_by_state()
    finally:
        await rig.aclose()
        sandbox.stop()

    def metric(name: str, value: float | int, **extra: Any) -> dict[str, Any]:
        return {"bench": "claim_alerts", "metric": name, "value": value, **extra}

    changes = len(numbers)
    return [
        metric(
            "changes_per_s",
            round(changes / elapsed, 1),
            changes=changes,
            opted_in_claims=opted,
            deliveries_planned=planned,
            sent=sent,
            polls=polls,
            seconds=round(elapsed, 2),
            policyholders=policyholders,
            database=url.split(":", 1)[0],
        ),
        metric("planning_changes_per_s", round(changes / plan_s, 1), seconds=round(plan_s, 2)),
        metric("sending_deliveries_per_s", round(sent / send_s, 1), seconds=round(send_s, 2)),
        metric("empty_poll_ms", round(empty_poll_ms, 1)),
        metric("reread_changes_per_s", round(reread.read / reread_s, 1), planned=reread.planned),
        metric("delivery_states", 0, **counts),
    ]


def measure(
    policyholders: int = 2_000, claims: int = 300, postgres: bool = False
) -> list[dict[str, Any]]:
    """Run the benchmark in a temporary folder."""
    with tempfile.TemporaryDirectory(prefix="claim-alerts-") as tmp:
        server = PostgresServer.start(Path(tmp)) if postgres else None
        try:
            url = server.url if server else None
            return asyncio.run(_measure(Path(tmp), policyholders, claims, url))
        finally:
            if server is not None:
                server.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--policyholders", type=int, default=2_000)
    parser.add_argument("--claims", type=int, default=300, help="open claims to advance")
    parser.add_argument("--postgres", action="store_true", help="notifier database on PostgreSQL")
    args = parser.parse_args(argv)
    for record in measure(args.policyholders, args.claims, args.postgres):
        print(json.dumps(record), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
