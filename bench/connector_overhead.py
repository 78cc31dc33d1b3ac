"""Connector overhead: what the PAS connector adds on top of the PAS's own latency.

Starts the PAS sandbox as a subprocess on a free loopback port, injects a fixed latency (50 ms by
default) and measures, over a few hundred sequential calls each:

- ``hit``: ``get_policy`` answered from the in-memory cache (includes the audit row insert into a
  SQLite application database, awaited before the call returns);
- ``miss_minus_latency``: ``get_policy`` with the cache invalidated first, minus the injected
  latency (signing, pool, rate limiter, breaker, retries wrapper, parsing, caching, audit, plus
  the sandbox's own handling);
- ``raw_minus_latency``: a bare signed ``httpx`` GET of the same resource minus the latency, the
  floor that the connector's own work sits on.

Prints the figures as JSON and a one-line summary, and writes the JSON to
``bench/results/connector_overhead.json``. Bounded: fixed call counts, a start-up timeout, and the
sandbox is stopped on the way out.

    .venv/bin/python -m bench.connector_overhead [--latency-ms 50] [--hits 300] [--misses 200]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import httpx

from bot.settings import LOCAL_SECRETS
from pas_connector.config import CacheSettings, PasSettings
from pas_connector.factory import build_connector
from pas_connector.signing import PasSigner

PROJECT_ROOT = Path(__file__).resolve().parent.parent
RESULTS = PROJECT_ROOT / "bench" / "results" / "connector_overhead.json"
POLICY = "AUT-1000001"
START_TIMEOUT_S = 90


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for_port(port: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"sandbox exited with code {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"sandbox did not listen within {START_TIMEOUT_S}s")


def _start_sandbox(workdir: Path, port: int) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PAS_", "REDIS_", "DATABASE_"))}
    env.update({"POLICYLINE_ENV": "test", "PYTHONUNBUFFERED": "1"})
    # The file handle is handed to the child process, which outlives this function.
    log = open(workdir / "sandbox.log", "wb")
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "devtools.sandbox",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--policyholders",
            "60",
            "--as-of",
            datetime.now(timezone.utc).date().isoformat(),
            "--replica-url",
            f"sqlite:///{workdir / 'replica.sqlite'}",
            "--latency",
            "none",  # set per measurement (_set_latency), not the launcher's default
        ],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def _set_latency(base_url: str, latency_ms: float) -> None:
    response = httpx.put(
        f"{base_url}/_sandbox/faults",
        json={"latency": {"distribution": "fixed", "median_ms": latency_ms}},
        headers={"X-Sandbox-Admin": LOCAL_SECRETS["PAS_SANDBOX_ADMIN_TOKEN"]},
        timeout=10,
    )
    response.raise_for_status()


def _summary(samples_ms: list[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)
    quantiles = statistics.quantiles(ordered, n=100, method="inclusive")
    return {
        "n": len(ordered),
        "p50_ms": round(statistics.median(ordered), 3),
        "p99_ms": round(quantiles[98], 3),
        "max_ms": round(ordered[-1], 3),
    }


async def _measure(
    base_url: str, workdir: Path, latency_ms: float, hits: int, misses: int
) -> dict[str, Any]:
    pas = replace(
        PasSettings(),
        base_url=base_url,
        hmac_secret=LOCAL_SECRETS["PAS_HMAC_SECRET"],
        rate_limit_per_s=1000.0,
    )
    connector = build_connector(
        pas,
        CacheSettings(),
        database_url=f"sqlite:///{workdir / 'app.sqlite'}",
        audit_hash_key="bench-audit-key",
    )
    hit_ms: list[float] = []
    miss_ms: list[float] = []
    raw_ms: list[float] = []
    try:
        await connector.get_policy(POLICY)  # warm the pool and the cache
        for _ in range(hits):
            started = time.perf_counter()
            fresh = await connector.get_policy(POLICY)
            hit_ms.append((time.perf_counter() - started) * 1000)
            assert fresh.from_cache
        for _ in range(misses):
            await connector.invalidate_policy(POLICY)
            started = time.perf_counter()
            fresh = await connector.get_policy(POLICY)
            miss_ms.append((time.perf_counter() - started) * 1000 - latency_ms)
            assert not fresh.from_cache
    finally:
        await connector.aclose()

    signer = PasSigner(pas.key_id, pas.hmac_secret)
    async with httpx.AsyncClient(base_url=base_url, auth=signer, trust_env=False) as raw:
        await raw.get(f"/api/v1/policies/{POLICY}")
        for _ in range(misses):
            started = time.perf_counter()
            response = await raw.get(f"/api/v1/policies/{POLICY}")
            response.json()
            raw_ms.append((time.perf_counter() - started) * 1000 - latency_ms)
            response.raise_for_status()

    hit, miss, floor = _summary(hit_ms), _summary(miss_ms), _summary(raw_ms)
    return {
        "benchmark": "connector_overhead",
        "injected_latency_ms": latency_ms,
        "hit": hit,
        "miss_minus_latency": miss,
        "raw_minus_latency": floor,
        "connector_overhead_p50_ms": round(miss["p50_ms"] - floor["p50_ms"], 3),
        "python": sys.version.split()[0],
        # Figures on a shared 2-core machine swing with its load: record it beside them.
        "loadavg_1m": round(os.getloadavg()[0], 2),
        "measured_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


def measure(latency_ms: float = 50.0, hits: int = 300, misses: int = 200) -> dict[str, Any]:
    """Start a sandbox, measure the connector against it, stop it; the figures."""
    with tempfile.TemporaryDirectory(prefix="bench-connector-") as tmp:
        workdir = Path(tmp)
        port = _free_port()
        proc = _start_sandbox(workdir, port)
        try:
            _wait_for_port(port, proc)
            base_url = f"http://127.0.0.1:{port}"
            _set_latency(base_url, latency_ms)
            return asyncio.run(_measure(base_url, workdir, latency_ms, hits, misses))
        except Exception:
            log_text = (workdir / "sandbox.log").read_text(errors="replace")[-2000:]
            print(f"--- sandbox log (tail) ---\n{log_text}", file=sys.stderr)
            raise
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run the benchmark, print JSON and a summary line, write the JSON under bench/results/."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--hits", type=int, default=300)
    parser.add_argument("--misses", type=int, default=200)
    args = parser.parse_args(argv)
    result = measure(args.latency_ms, args.hits, args.misses)

    print(json.dumps(result, indent=2))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(
        f"connector_overhead: cache hit p50 {result['hit']['p50_ms']:.2f} ms / p99 "
        f"{result['hit']['p99_ms']:.2f} ms; miss minus {args.latency_ms:.0f} ms latency p50 "
        f"{result['miss_minus_latency']['p50_ms']:.2f} ms / p99 "
        f"{result['miss_minus_latency']['p99_ms']:.2f} ms (bare signed GET p50 "
        f"{result['raw_minus_latency']['p50_ms']:.2f} ms)"
    )
    return result


if __name__ == "__main__":
    main()
