"""Counts for the security checks, printed at the end of the run and saved under test-artifacts/.

``fuzz_counts`` collects, per server, how many inputs the fuzzer tried and which statuses came
back; the summary lists inputs tried and 5xx seen (target 0) and is written to
test-artifacts/fuzz-report.json. ``fuzz_runs`` collects the bounded fuzz loops (tests/security/
fuzzing.py ``FuzzBudget``): inputs sent, seconds taken and the seed, printed with the counts.
"""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from dataclasses import asdict
from typing import Any

import pytest

from tests.security.fuzzing import FuzzBudget
from tests.support.servers import PROJECT_ROOT

REPORT = PROJECT_ROOT / "test-artifacts" / "fuzz-report.json"
_counts: dict[str, Counter[str]] = {}
_runs: list[FuzzBudget] = []
# Logs written after this moment belong to this run (the PII scan looks at those only). `make test`
# runs the scan in a second pytest invocation after the parallel one, and passes the first one's
# start (seconds since the epoch) as POLICYLINE_TEST_RUN_STARTED.
SESSION_STARTED = float(os.environ.get("POLICYLINE_TEST_RUN_STARTED") or time.time())


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The PII scan reads what every other test left behind: run it after all of them (in one
    process; with parallel workers, run it in an invocation of its own afterwards, as `make test`
    does)."""
    last = [item for item in items if item.get_closest_marker("pii_scan")]
    items[:] = [item for item in items if not item.get_closest_marker("pii_scan")] + last


def pytest_sessionfinish(session: pytest.Session) -> None:
    """On an xdist worker: hand this worker's counts to the controller, which prints the report."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["fuzz_counts"] = {server: dict(c) for server, c in _counts.items()}
        workeroutput["fuzz_runs"] = [asdict(run) for run in _runs]


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """On the xdist controller: add up what each worker's fuzzers counted."""
    output = getattr(node, "workeroutput", {})
    for server, statuses in output.get("fuzz_counts", {}).items():
        _counts.setdefault(server, Counter()).update(statuses)
    _runs.extend(FuzzBudget(**run) for run in output.get("fuzz_runs", []))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not _counts and not _runs:
        return
    terminalreporter.section("endpoint fuzzing: inputs tried / 5xx seen")
    report = {}
    for server, statuses in sorted(_counts.items()):
        tried = sum(statuses.values())
        errors = sum(n for s, n in statuses.items() if s.startswith("5"))
        report[server] = {"inputs": tried, "5xx": errors, "statuses": dict(statuses)}
        terminalreporter.write_line(
            f"{server:<10} inputs {tried:>5}  5xx {errors:>3}  statuses {dict(statuses)}"
        )
    for run in _runs:
        terminalreporter.write_line(run.summary())
        report.setdefault("runs", {})[run.name] = {
            "inputs": run.sent,
            "seconds": round(run.elapsed, 1),
            "seed": run.seed,
        }
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


@pytest.fixture
def fuzz_counts() -> dict[str, Counter[str]]:
    return _counts


@pytest.fixture
def fuzz_runs() -> list[FuzzBudget]:
    return _runs
