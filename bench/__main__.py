"""``python -m bench`` (``make bench``): measure, print one table, write JSON.

    python -m bench                      the one table (bench.headline), full size (~10 minutes)
    python -m bench --quick              the same figures with fewer samples (make bench-quick)
    python -m bench --with-training      also cold ``rasa train`` (its row in the table) and the
                                         NLU held-out evaluation
    python -m bench --all                also every older benchmark (connector, documents, ...)
    python -m bench --only end_to_end,documents
    python -m bench --list

Writes ``bench/results/<UTC timestamp>.json`` (every figure, plus the machine's load),
``bench/results/latest.md`` (the tables) and, when the headline benchmark ran,
``bench/results/latest.json`` (the flat figures of ``bench.headline.keys``, for scripts and CI).
A benchmark that fails is recorded with its error and the others still run; the exit code is 1
if any failed. Each benchmark is a function returning structured results; add one to
``BENCHMARKS``.
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
    default: bool = True  # part of plain ``make bench``
    training: bool = False  # trains a model: only with --with-training


def _headline(quick: bool) -> dict[str, Any]:
    from bench import headline

    return headline.run(quick)


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
        "headline",
        "the one table: simple vs PAS mix at 1/10/50, think time, verified answer cold/warm, "
        "PAS calls per task, SMS/voice, PDF, servers",
        _headline,
    ),
    Benchmark(
        "end_to_end",
        "turn latency/throughput per channel at 1/10/50, PAS cache mix, server start and memory",
        _end_to_end,
        default=False,
    ),
    Benchmark("connector", "PAS connector overhead (cache hit, miss)", _connector, default=False),
    Benchmark("documents", "document generation per type, links", _documents, default=False),
    Benchmark("channels", "Twilio channel overhead (in-process)", _channels, default=False),
    Benchmark(
        "sandbox_seed", "PAS sandbox seeding of 41,000 policyholders", _sandbox_seed, default=False
    ),
    Benchmark(
        "claim_alerts", "claim status alerts processed per second", _claim_alerts, default=False
    ),
    Benchmark(
        "staff_console",
        "staff console queries on a month of conversations",
        _staff_console,
        default=False,
    ),
    Benchmark("training", "cold rasa train (~2 min; --with-training)", _training, training=True),
    Benchmark("nlu", "NLU held-out evaluation (trains; --with-training)", _nlu, training=True),
]


def select(only: str | None, with_training: bool, everything: bool = False) -> list[Benchmark]:
    if only:
        names = [n.strip() for n in only.split(",") if n.strip()]
        known = {b.name: b for b in BENCHMARKS}
        unknown = [n for n in names if n not in known]
        if unknown:
            raise SystemExit(f"unknown benchmark {unknown[0]!r}; known: {', '.join(known)}")
        return [known[n] for n in names]
    return [b for b in BENCHMARKS if (with_training if b.training else b.default or everything)]


def write_latest_json(
    results: dict[str, dict[str, Any]], meta: dict[str, Any], results_dir: Path
) -> Path | None:
    """``latest.json``: the headline's flat figures and the run's meta (None: it did not run)."""
    from bench import headline

    result = results.get("headline")
    if result is None or "error" in result:
        return None
    training = results.get("training")
    figures = headline.keys(result, training if training and "error" not in training else None)
    path = results_dir / "latest.json"
    path.write_text(json.dumps({**figures, "meta": meta}, indent=2) + "\n", encoding="utf-8")
    return path


def markdown(results: dict[str, dict[str, Any]], meta: dict[str, Any]) -> str:
    parts = [
        f"# Policyline benchmarks ({meta['measured_at']})",
        "",
        f"{meta['cpus']} CPUs, load average {meta['loadavg_1m']} at start, Python "
        f"{meta['python']}, quick={meta['quick']}. Figures on a shared machine swing with its "
        "load; the JSON beside this file has every figure.",
        "",
    ]
    headline_ran = "headline" in results and "error" not in results["headline"]
    for name, result in results.items():
        if name == "training" and headline_ran and "error" not in result:
            continue  # its row is in the headline table
        if name == "headline" and "error" not in result:
            from bench import headline

            parts.append(headline.table(result, results.get("training")).markdown())
            continue
        if "error" in result:
            parts += [f"### {name}: failed", "", f"`{result['error']}`", ""]
            continue
        if name not in TABLES:  # a benchmark without its own table: its figures as JSON
            parts += [f"### {name}", "", "```json", json.dumps(result, indent=2), "```", ""]
            continue
        parts += [t.markdown() for t in TABLES[name](result)]
    verdicts = goals(results)
    if verdicts.rows:
        parts.append(verdicts.markdown())
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
    parser.add_argument(
        "--all", action="store_true", help="also every benchmark that is not in the one table"
    )
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    args = parser.parse_args(argv)
    if args.list:
        for b in BENCHMARKS:
            tag = "(--with-training) " if b.training else "" if b.default else "(--all) "
            print(f"{b.name:<14} {tag}{b.summary}")
        return 0
    chosen = select(args.only, args.with_training, args.all)
    run_began = time.perf_counter()
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
    meta["wall_s"] = round(time.perf_counter() - run_began, 1)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    (RESULTS_DIR / f"{stamp}.json").write_text(
        json.dumps({"meta": meta, "results": results}, indent=2) + "\n", encoding="utf-8"
    )
    text = markdown(results, meta)
    (RESULTS_DIR / "latest.md").write_text(text, encoding="utf-8")
    latest = write_latest_json(results, meta, RESULTS_DIR)
    print(text)
    print(f"wall time {meta['wall_s']} s")
    print(
        f"written: bench/results/{stamp}.json, bench/results/latest.md"
        + (", bench/results/latest.json" if latest else "")
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
