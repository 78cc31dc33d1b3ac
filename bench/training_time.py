"""Wall time of a full ``rasa train`` (NLU + dialogue policies) from a cold cache.

Runs ``rasa train`` as a subprocess into a temporary folder, with Rasa's training cache pointed
at an empty temporary folder too, so nothing is reused from earlier runs (``make`` trains the same
way on a fresh checkout). ``--breakdown`` also times ``rasa train nlu`` and ``rasa train core``
separately, each cold. Besides the wall time, each run reports the CPU seconds the training
process used (user + system) and the one-minute load average when it started: on a machine that
others share, the wall time grows with their load while the CPU seconds barely move. Prints the
figures and a JSON line, and writes the JSON to ``bench/results/training_time.json``. Bounded by
``--timeout`` per training run.

    .venv/bin/python -m bench.training_time [--breakdown] [--timeout 1800]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
RESULTS = PROJECT_ROOT / "bench" / "results" / "training_time.json"
RASA = Path(sys.executable).with_name("rasa")


def _children_cpu_s() -> float:
    """User + system CPU seconds of the finished child processes so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_training(kind: Sequence[str], timeout_s: float) -> dict[str, float | str]:
    """Run one cold ``rasa train`` variant; return its wall and CPU time and model size."""
    with tempfile.TemporaryDirectory(prefix="rasa-train-bench-") as tmp:
        out = Path(tmp) / "models"
        env = os.environ | {
            "RASA_CACHE_DIRECTORY": str(Path(tmp) / "cache"),
            "RASA_TELEMETRY_ENABLED": "false",
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        }
        command = [str(RASA), "train", *kind, "--out", str(out), "--fixed-model-name", "bench"]
        load_1min = os.getloadavg()[0]
        cpu_before = _children_cpu_s()
        started = time.perf_counter()
        done = subprocess.run(
            command,
            cwd=PROJECT_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout_s,
            check=False,
        )
        wall = time.perf_counter() - started
        cpu = _children_cpu_s() - cpu_before
        if done.returncode != 0:
            tail = "\n".join((done.stdout + done.stderr).splitlines()[-20:])
            raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}):\n{tail}")
        models = list(out.glob("*.tar.gz"))
        size = models[0].stat().st_size if models else 0
    return {
        "command": "rasa train " + " ".join(kind),
        "wall_s": round(wall, 1),
        "cpu_s": round(cpu, 1),
        "load_1min_at_start": round(load_1min, 2),
        "model_mb": round(size / 1e6, 2),
    }


def measure(breakdown: bool = False, timeout_s: float = 1800.0) -> dict[str, object]:
    """Cold ``rasa train`` (and, with ``breakdown``, nlu and core alone); the figures."""
    variants: list[list[str]] = [[]]
    if breakdown:
        variants += [["nlu"], ["core"]]
    runs = [time_training(kind, timeout_s) for kind in variants]
    return {"bench": "training_time", "cpus": os.cpu_count(), "runs": runs}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--breakdown", action="store_true", help="also time nlu and core alone")
    parser.add_argument("--timeout", type=float, default=1800.0)
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args(argv)

    variants: list[list[str]] = [[]]
    if args.breakdown:
        variants += [["nlu"], ["core"]]
    runs = []
    for kind in variants:
        run = time_training(kind, args.timeout)
        runs.append(run)
        print(
            f"{run['command']:<18} {run['wall_s']:>7.1f} s wall  {run['cpu_s']:>7.1f} s CPU  "
            f"(load {run['load_1min_at_start']} at start)   model {run['model_mb']} MB"
        )
    summary = {"bench": "training_time", "cpus": os.cpu_count(), "runs": runs}
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(json.dumps(summary, indent=2), encoding="utf-8")
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
