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


def _emit(metric: str, value: float | int, **extra: object) -> None:
    print(json.dumps({"bench": "sandbox_seed", "metric": metric, "value": value, **extra}),
          flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--policyholders", type=int, default=41_000)
    parser.add_argument("--seed", type=int, default=20261125)
    parser.add_argument("--as-of", type=date.fromisoformat, default=date(2026, 11, 25))
    parser.add_argument("--replica-url", default=None,
                        help="default: a SQLite file in a temporary folder")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="sandbox-seed-") as tmp:
        url = args.replica_url or f"sqlite:///{Path(tmp) / 'replica.sqlite'}"
        wall0, cpu0 = time.perf_counter(), time.process_time()
        book = generate(args.seed, args.policyholders, args.as_of)
        wall1, cpu1 = time.perf_counter(), time.process_time()
        replica = Replica.from_url(url)
        replica.reseed(book)
        replica.dispose()
        wall2, cpu2 = time.perf_counter(), time.process_time()

    n = args.policyholders
    _emit("generate_s", round(wall1 - wall0, 2), policyholders=n, cpu_s=round(cpu1 - cpu0, 2))
    _emit("replica_s", round(wall2 - wall1, 2), policyholders=n, cpu_s=round(cpu2 - cpu1, 2),
          url=url.split("://", 1)[0])
    _emit("total_s", round(wall2 - wall0, 2), policyholders=n, cpu_s=round(cpu2 - cpu0, 2))
    _emit("rows", len(book.payment_rows) + len(book.claim_event_rows) + len(book.policies),
          policies=len(book.policies), claims=len(book.claims),
          replica_payments=len(book.payment_rows),
          replica_claim_events=len(book.claim_event_rows),
          replica_phone_index=len(book.policies))
    _emit("peak_rss_mb", round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))
    return 0


if __name__ == "__main__":
    sys.exit(main())
