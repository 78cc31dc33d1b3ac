"""Pretrained features, measured (issue 23, item 4): config.yml against an experimental pipeline.

For each config, back to back on one copy of ``data/nlu`` and ``domain.yml`` taken at the start
(other engineers may edit them meanwhile): an NLU-only model trained from scratch on all of it
into a temporary folder (neither the project's model cache nor Rasa's training cache, so the
seconds are real); the own
held-out set and the peer set scored as ``make nlu-report`` scores them (accuracy, macro-F1,
run-time split with the fallback on); parse time per message, one message at a time, all the
models taking turns on each text; and the resident memory of a ``rasa run --enable-api``
server that has loaded the model and answered one parse.

The budget (issue 23): parse p95 <= 15 ms per message on 2 cores, training <= 4 minutes, server
memory not above today's. Timings share the machine's 2 cores with whatever else runs: the
1-minute load average is printed with them, and parse times are only compared within one run.

    .venv/bin/python -m bench.pretrained_features [--configs CONFIG ...]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx

from bench.nlu_eval import PROJECT_ROOT, evaluate, load_data, train_nlu_model
from bench.nlu_report import HELD_OUT, PEER
from bench.processes import rss_mb
from tests.support.servers import free_port

DEFAULT_CONFIGS = (
    PROJECT_ROOT / "config.yml",
    PROJECT_ROOT / "bench" / "configs" / "pretrained_sentence.yml",
    PROJECT_ROOT / "bench" / "configs" / "pretrained.yml",
)
RESULTS = PROJECT_ROOT / "bench" / "results" / "pretrained_features.json"
SERVER_TIMEOUT_S = 300


def _load_average() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


def server_rss_mb(model: Path, workdir: Path) -> float:
    """VmRSS (with children) of ``rasa run --enable-api -m model`` once the model is loaded and
    one message has been parsed."""
    port = free_port()
    argv = [str(Path(sys.executable).parent / "rasa"), "run", "--enable-api", "-m", str(model)]
    argv += ["--port", str(port), "--interface", "127.0.0.1"]
    env = os.environ | {"RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2"}
    with open(workdir / "rasa.log", "ab") as log:
        proc = subprocess.Popen(argv, cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + SERVER_TIMEOUT_S
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"rasa run exited with {proc.returncode}: {workdir}/rasa.log")
            if time.monotonic() > deadline:
                raise RuntimeError(f"rasa run did not load {model} in {SERVER_TIMEOUT_S} s")
            try:
                status = httpx.get(f"{url}/status", timeout=2)
                if status.status_code == 200 and status.json().get("model_file"):
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        httpx.post(f"{url}/model/parse", json={"text": "i want to file a claim"}, timeout=60)
        return rss_mb(proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def interleaved_parse_ms(models: Sequence[Path], texts: Sequence[str]) -> list[dict[str, float]]:
    """Parse time per message of each model, one message at a time, the models taking turns
    on each text (the first one rotating), so the machine's other load falls on all alike."""
    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)
    agents = [Agent.load(str(model)) for model in models]
    times: list[list[float]] = [[] for _ in models]

    async def parse_all() -> None:
        for index, text in enumerate(texts):
            for turn in range(len(agents)):
                which = (index + turn) % len(agents)
                started = time.perf_counter()
                await agents[which].parse_message(text)
                times[which].append((time.perf_counter() - started) * 1000)

    asyncio.run(parse_all())
    return [
        {"p50": round(percentile(t, 0.50), 1), "p95": round(percentile(t, 0.95), 1)} for t in times
    ]


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def snapshot_inputs(workdir: Path) -> tuple[Path, Path, str]:
    """A copy of data/nlu and domain.yml in ``workdir`` (others may edit them meanwhile), and
    a SHA-256 over the copied files, so every config trains on the same data."""
    data = workdir / "snapshot" / "nlu"
    shutil.copytree(PROJECT_ROOT / "data" / "nlu", data)
    domain = workdir / "snapshot" / "domain.yml"
    shutil.copyfile(PROJECT_ROOT / "domain.yml", domain)
    digest = hashlib.sha256()
    for path in [*sorted(data.rglob("*.yml")), domain]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return data, domain, digest.hexdigest()[:16]


def measure(configs: Sequence[Path], workdir: Path) -> list[dict[str, Any]]:
    data_path, domain_path, inputs_sha = snapshot_inputs(workdir)
    # Rasa's training cache (.rasa/cache) would hand back a DIET trained earlier on the same
    # config and data: off, so every model is trained and timed.
    os.environ["RASA_MAX_CACHE_SIZE"] = "0"
    os.environ["RASA_CACHE_DIRECTORY"] = str(workdir / "rasa-cache")
    rows: list[dict[str, Any]] = []
    models = []
    for index, config in enumerate(configs):
        started = time.perf_counter()
        data = load_data(str(data_path))
        models.append(train_nlu_model(data, workdir / str(index), config, domain_path))
        rows.append(
            {
                "config": str(
                    config.relative_to(PROJECT_ROOT)
                    if config.is_relative_to(PROJECT_ROOT)
                    else config
                ),
                "inputs_sha256": inputs_sha,
                "train_seconds": round(time.perf_counter() - started, 1),
                "train_load_average": _load_average(),
            }
        )
    sets = {"own": load_data(str(HELD_OUT)), "peer": load_data(str(PEER))}
    for row, model in zip(rows, models, strict=True):
        for name, data in sets.items():
            report = evaluate(model, data)
            row[name] = {
                "accuracy": report.intent_accuracy,
                "macro_f1": report.intent_macro_f1,
                "runtime_split": report.runtime_split,
                "confident_wrong": report.confident_wrong,
            }
    texts = [m.get("text") for data in sets.values() for m in data.intent_examples]
    load = _load_average()
    for row, parse_ms in zip(rows, interleaved_parse_ms(models, texts), strict=True):
        row["parse_ms"] = parse_ms | {"load_average": load}
    for row, model in zip(rows, models, strict=True):
        row["server_rss_mb"] = server_rss_mb(model, workdir)
    return rows


def format_row(f: dict[str, Any]) -> str:
    own, peer = f["own"], f["peer"]
    split = peer["runtime_split"]
    return (
        f"{f['config']} (data and domain {f['inputs_sha256']})\n"
        f"  own acc/F1 {own['accuracy']:.3f}/{own['macro_f1']:.3f}   peer acc/F1 "
        f"{peer['accuracy']:.3f}/{peer['macro_f1']:.3f}   peer right/did-you-mean/rephrase/"
        f"wrong {split['routed_right']:.3f}/{split['did_you_mean']:.3f}/{split['rephrase']:.3f}/"
        f"{split['routed_wrong']:.3f}\n"
        f"  NLU training {f['train_seconds']:.0f} s (load {f['train_load_average']})   parse "
        f"p50/p95 {f['parse_ms']['p50']}/{f['parse_ms']['p95']} ms (load "
        f"{f['parse_ms']['load_average']})   rasa run RSS {f['server_rss_mb']:.0f} MB"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--configs", type=Path, nargs="+", default=list(DEFAULT_CONFIGS))
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="pretrained-features-") as tmp:
        rows = measure([config.resolve() for config in args.configs], Path(tmp))
    print("\n".join(format_row(row) for row in rows))
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(json.dumps(rows, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
