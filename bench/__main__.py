"""``python -m bench`` (``make bench``): run the benchmark suite, write JSON and a Markdown table.

    python -m bench                      every default benchmark, full size
    python -m bench --quick              smaller counts (a few minutes)
    python -m bench --only end_to_end,documents
    python -m bench --with-training      also cold ``rasa train`` and the NLU held-out evaluation
    python -m bench --list

Writes ``bench/results/<UTC timestamp>.json`` (every figure, plus the machine's load) and
``bench/results/latest.md`` (the tables and the goals), and prints the tables. A benchmark that
fails is recorded with its error and the others still run; the exit code is 1 if any failed.
Each benchmark is a function returning structured results; add one to ``BENCHMARKS``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from bench.report import TABLES, goals

RESULTS_DIR = Path(__file__).resolve().parent / "results"


@dataclass(frozen=True)
class Benchmark:
    name: str
    summary: str
    run: Callable[[bool], dict[str, Any]]  # quick -> results
    default: bool = True


def _end_to_end(quick: bool) -> dict[str, Any]:
    from bench import end_to_end

    return end_to_end.run(quick)


def _connector(quick: bool) -> dict[str, Any]:
    from bench import connector_overhead

    return connector_overhead.measure(50.0, *((100, 60) if quick else (300, 200)))


def _documents(quick: bool) -> dict[str, Any]:
    from bench import documents

    return documents.measure(15 if quick else 60)


def _channels(quick: bool) -> dict[str, Any]:
    from bench import channel_latency

    return channel_latency.measure(50 if quick else 200, 2.0)


def _training(quick: bool) -> dict[str, Any]:
    from bench import training_time

    return training_time.measure(breakdown=False)


def _nlu(quick: bool) -> dict[str, Any]:
    from bench import nlu_eval

    report = nlu_eval.run(
        nlu_eval.PROJECT_ROOT / "config.yml", nlu_eval.DEFAULT_TRAIN_FRACTION, nlu_eval.DEFAULT_SEED
    )
    return dict(report.as_json())


def _sandbox_seed(quick: bool) -> dict[str, Any]:
    from bench import sandbox_seed

    return {"metrics": sandbox_seed.measure(5_000 if quick else 41_000)}


def _claim_alerts(quick: bool) -> dict[str, Any]:
    from bench import claim_alerts

    return {"metrics": claim_alerts.measure(claims=100 if quick else 300)}


def _staff_console(quick: bool) -> dict[str, Any]:
    from bench import staff_console

    return staff_console.measure(4_000 if quick else 20_000, 3)


BENCHMARKS = [
    Benchmark(
        "end_to_end",
        "turn latency/throughput per channel at 1/10/50, PAS cache mix, server start and memory",
        _end_to_end,
    ),
    Benchmark("connector", "PAS connector overhead (cache hit, miss)", _connector),
    Benchmark("documents", "document generation per type, links", _documents),
    Benchmark("channels", "Twilio channel overhead (in-process)", _channels),
    Benchmark("sandbox_seed", "PAS sandbox seeding of 41,000 policyholders", _sandbox_seed),
    Benchmark("claim_alerts", "claim status alerts processed per second", _claim_alerts),
    Benchmark("staff_console", "staff console queries on a month of conversations", _staff_console),
    Benchmark("training", "cold rasa train (~2 min; --with-training)", _training, default=False),
    Benchmark("nlu", "NLU held-out evaluation (trains; --with-training)", _nlu, default=False),
]


def select(only: str | None, with_training: bool) -> list[Benchmark]:
    if only:
        names = [n.strip() for n in only.split(",") if n.strip()]
        known = {b.name: b for b in BENCHMARKS}
        unknown = [n for n in names if n not in known]
        if unknown:
            raise SystemExit(f"unknown benchmark {unknown[0]!r}; known: {', '.join(known)}")
        return [known[n] for n in names]
    return [b for b in BENCHMARKS if b.default or with_training]


def markdown(results: dict[str, dict[str, Any]], meta: dict[str, Any]) -> str:
    parts = [
        f"# Policyline benchmarks ({meta['measured_at']})",
        "",
        f"{meta['cpus']} CPUs, load average {meta['loadavg_1m']} at start, Python "
        f"{meta['python']}, quick={meta['quick']}. Figures on a shared machine swing with its "
        "load; the JSON beside this file has every figure.",
        "",
    ]
    for name, result in results.items():
        if "error" in result:
            parts += [f"### {name}: failed", "", f"`{result['error']}`", ""]
            continue
        if name not in TABLES:  # a benchmark without its own table: its figures as JSON
            parts += [f"### {name}", "", "```json", json.dumps(result, indent=2), "```", ""]
            continue
        parts += [t.markdown() for t in TABLES[name](result)]
    parts.append(goals(results).markdown())
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller counts")
    parser.add_argument("--only", help="comma-separated benchmark names (see --list)")
    parser.add_argument(
        "--with-training",
        action="store_true",
        help="also time rasa train and run the NLU evaluation",
    )
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    args = parser.parse_args(argv)
    if args.list:
        for b in BENCHMARKS:
            print(f"{b.name:<14} {'' if b.default else '(opt-in) '}{b.summary}")
        return 0
    chosen = select(args.only, args.with_training)
    started = datetime.now(timezone.utc)
    meta = {
        "measured_at": started.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "quick": args.quick,
        "cpus": os.cpu_count(),
        "loadavg_1m": round(os.getloadavg()[0], 2),
        "python": platform.python_version(),
    }
    results: dict[str, dict[str, Any]] = {}
    failed = False
    for bench in chosen:
        print(f"== {bench.name}: {bench.summary}", flush=True)
        began = time.perf_counter()
        try:
            results[bench.name] = bench.run(args.quick)
        except Exception as exc:  # record it and go on with the rest
            traceback.print_exc()
            results[bench.name] = {"error": f"{type(exc).__name__}: {exc}"[:500]}
            failed = True
        results[bench.name]["duration_s"] = round(time.perf_counter() - began, 1)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    (RESULTS_DIR / f"{stamp}.json").write_text(
        json.dumps({"meta": meta, "results": results}, indent=2) + "\n", encoding="utf-8"
    )
    text = markdown(results, meta)
    (RESULTS_DIR / "latest.md").write_text(text, encoding="utf-8")
    print(text)
    print(f"written: bench/results/{stamp}.json, bench/results/latest.md")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
