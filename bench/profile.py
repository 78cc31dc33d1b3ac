"""Where the Rasa server and the action server spend their CPU under the PAS-backed mix.

``python -m bench.profile [--seconds 40] [--concurrency 10]`` starts the bench stack (sandbox with
the carrier-like latency, action server, Rasa server), drives the case study's intent mix at the
given concurrency, and samples both servers with py-spy for ``--seconds``. It prints, per
server, the share of samples spent inside each of a few named places (inclusive) and the
functions with the most samples of their own, and keeps the collapsed stacks in
``bench/results/profile-<server>.txt`` for a flame graph. py-spy is a measuring tool, not a
dependency of the project: install it with ``pip install py-spy`` when you want a profile.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import subprocess
import tempfile
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path

import httpx

from bench.channel_clients import OutboxWatcher, RestClient
from bench.end_to_end import PAS_LATENCY, POLICYHOLDERS, TURN_TIMEOUT_S
from bench.load_driver import drive
from bench.population import SANDBOX_SEED, personas, scripts
from bench.processes import BenchStack
from bot.db import make_engine
from pas_sandbox.dataset import generate

RESULTS = Path(__file__).with_name("results")

# Named places (a substring of a py-spy frame) whose inclusive share is reported per server.
PLACES: Mapping[str, Mapping[str, str]] = {
    "rasa": {
        "action reply check (jsonschema)": "validate_action_result (",
        "remote action call (all of it)": "run (rasa/core/actions/action.py",
        "tracker store retrieve": "retrieve (",
        "tracker store save": "save (channels/redacting_tracker_store.py",
        "NLU parse": "parse_message (",
        "policy prediction": "_predict_next_with_tracker (",
        "tracker (de)serialisation for the action server": "current_state (",
    },
    "actions": {
        "PDF rendering": "fpdf",
        "PAS audit": "pas_connector/audit.py",
        "PAS connector (client side)": "pas_connector/",
        "SQL (SQLAlchemy)": "sqlalchemy",
        "argon2": "argon2",
        "request JSON (de)serialisation": "json",
    },
}


# Leaf frames of a thread that waits (py-spy samples some waiting threads as active).
IDLE_LEAVES = (
    "_worker (concurrent/futures/thread.py",
    "serve (sanic/server/runners.py",
    "select (selectors.py",
    "wait (threading.py",
    "_run_once (asyncio/base_events.py",
)


def collapsed(path: Path) -> Counter[str]:
    """py-spy's raw output (``frame;frame;...;frame count`` per distinct stack), without the
    samples of threads that were only waiting."""
    stacks: Counter[str] = Counter()
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        leaf = stack.rsplit(";", 1)[-1]
        if stack and count.isdigit() and not leaf.startswith(IDLE_LEAVES):
            stacks[stack] += int(count)
    return stacks


def shares(stacks: Counter[str], places: Mapping[str, str]) -> dict[str, float]:
    """The share of samples with a frame containing each place's substring (inclusive)."""
    total = sum(stacks.values()) or 1
    return {
        name: round(100 * sum(n for stack, n in stacks.items() if needle in stack) / total, 1)
        for name, needle in places.items()
    }


def top_self(stacks: Counter[str], most: int = 12) -> list[tuple[str, float]]:
    """The frames with the most samples of their own (the leaf of the stack)."""
    total = sum(stacks.values()) or 1
    leaves: Counter[str] = Counter()
    for stack, n in stacks.items():
        leaves[stack.rsplit(";", 1)[-1]] += n
    return [(frame, round(100 * n / total, 1)) for frame, n in leaves.most_common(most)]


def _record(pid: int, seconds: int, out: Path) -> subprocess.Popen[bytes]:
    py_spy = shutil.which("py-spy")
    if py_spy is None:
        raise SystemExit("py-spy is not installed: pip install py-spy")
    argv = [py_spy, "record", "--pid", str(pid), "--duration", str(seconds), "--rate", "200",
            "--format", "raw", "--output", str(out), "--subprocesses", "--nonblocking"]  # fmt: skip
    return subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


async def _load(stack: BenchStack, concurrency: int, seconds: int) -> dict[str, object]:
    engine = make_engine(stack.database_url)
    outbox = OutboxWatcher(engine)
    outbox.start()
    try:
        limits = httpx.Limits(max_connections=200, max_keepalive_connections=100)
        async with httpx.AsyncClient(trust_env=False, limits=limits) as http:
            rest = RestClient(http, stack.rasa_url, outbox, TURN_TIMEOUT_S)
            book = generate(SANDBOX_SEED, POLICYHOLDERS, date.today())
            mix = scripts(list(personas(POLICYHOLDERS, date.today(), book)))
            batch = [next(mix) for _ in range(concurrency * 40)]
            done = await drive(rest, batch, concurrency, time_limit_s=seconds)
            return done.summary()
    finally:
        await outbox.stop()
        engine.dispose()


def report(server: str, stacks: Counter[str]) -> Iterable[str]:
    yield f"{server}: {sum(stacks.values())} samples"
    for name, share in shares(stacks, PLACES[server]).items():
        yield f"  {share:5.1f}%  {name}"
    yield "  most samples of their own:"
    for frame, share in top_self(stacks):
        yield f"  {share:5.1f}%  {frame}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    parser.add_argument("--seconds", type=int, default=40)
    parser.add_argument("--concurrency", type=int, default=10)
    args = parser.parse_args(argv)
    RESULTS.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bench-profile-") as tmp:
        stack = BenchStack.start(
            Path(tmp), policyholders=POLICYHOLDERS, seed=SANDBOX_SEED, web=False
        )
        try:
            stack.sandbox.set_faults(latency=PAS_LATENCY)
            outs = {name: RESULTS / f"profile-{name}.txt" for name in ("rasa", "actions")}
            spies = [_record(stack.procs[n].pid, args.seconds, out) for n, out in outs.items()]
            summary = asyncio.run(_load(stack, args.concurrency, args.seconds + 5))
            for spy in spies:
                spy.wait(timeout=120)
        finally:
            stack.stop()
    print(
        f"mix x{args.concurrency}: {summary.get('turns')} turns, "
        f"{summary.get('throughput_turns_per_s')} turns/s, p50 "
        f"{summary.get('latency', {}).get('p50_ms')} ms"  # type: ignore[union-attr]
    )
    for name, out in outs.items():
        for line in report(name, collapsed(out)):
            print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
