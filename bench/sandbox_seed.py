"""How long the PAS sandbox takes to seed a book of N policyholders (default 41,000).

Prints one JSON object per line: generation seconds, replica seconds, total, CPU seconds, row
counts and peak memory. Wall time on a shared machine varies; CPU seconds are the steadier
figure. Run: ``.venv/bin/python bench/sandbox_seed.py [--policyholders N] [--replica-url URL]``.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from pas_sandbox.dataset import generate
from pas_sandbox.replica import Replica


def measure(policyholders: int = 41_000, seed: int = 20261125, as_of: date = date(2026, 11, 25),
            replica_url: str | None = None) -> list[dict[str, object]]:  # fmt: skip
    """Generate the book and seed the replica; one record per metric."""
    with tempfile.TemporaryDirectory(prefix="sandbox-seed-") as tmp:
        url = replica_url or f"sqlite:///{Path(tmp) / 'replica.sqlite'}"
        wall0, cpu0 = time.perf_counter(), time.process_time()
        book = generate(seed, policyholders, as_of)
        wall1, cpu1 = time.perf_counter(), time.process_time()
        replica = Replica.from_url(url)
        replica.reseed(book)
        replica.dispose()
        wall2, cpu2 = time.perf_counter(), time.process_time()

    n = policyholders

    def metric(name: str, value: float | int, **extra: object) -> dict[str, object]:
        return {"bench": "sandbox_seed", "metric": name, "value": value, **extra}

    return [
        metric("generate_s", round(wall1 - wall0, 2), policyholders=n,
               cpu_s=round(cpu1 - cpu0, 2)),
        metric("replica_s", round(wall2 - wall1, 2), policyholders=n,
               cpu_s=round(cpu2 - cpu1, 2), url=url.split("://", 1)[0]),
        metric("total_s", round(wall2 - wall0, 2), policyholders=n, cpu_s=round(cpu2 - cpu0, 2)),
        metric("rows", len(book.payment_rows) + len(book.claim_event_rows) + len(book.policies),
               policies=len(book.policies), claims=len(book.claims),
               replica_payments=len(book.payment_rows),
               replica_claim_events=len(book.claim_event_rows),
               replica_phone_index=len(book.policies)),
        metric("peak_rss_mb", round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)),
    ]  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--policyholders", type=int, default=41_000)
    parser.add_argument("--seed", type=int, default=20261125)
    parser.add_argument("--as-of", type=date.fromisoformat, default=date(2026, 11, 25))
    parser.add_argument(
        "--replica-url", default=None, help="default: a SQLite file in a temporary folder"
    )
    args = parser.parse_args(argv)
    for record in measure(args.policyholders, args.seed, args.as_of, args.replica_url):
        print(json.dumps(record), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
