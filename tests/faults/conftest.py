"""A Rasa stack of its own for fault tests: its own sandbox, its own Redis (so stopping it harms
no other test) and helpers to drive SMS load and restart servers under it.

Every fault test reports turns answered, errors surfaced to the policyholder (apologies) and
messages lost; the figures are printed at the end of the run and written to
test-artifacts/fault-report.json. Tests marked ``extended`` take longer than CI's budget: they
run with ``make test-faults`` (``-m faults``) and are skipped otherwise.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bench.population import SANDBOX_SEED
from tests.faults.support import BREAKER_TTL_S, FaultStack
from tests.support.rasa_stack import start_rasa_stack
from tests.support.servers import PROJECT_ROOT, RedisServer, start_sandbox

REPORT = PROJECT_ROOT / "test-artifacts" / "fault-report.json"
_figures: list[dict[str, Any]] = []


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if "faults" in (config.option.markexpr or ""):
        return
    skip = pytest.mark.skip(reason="longer than CI's budget: run with `make test-faults`")
    for item in items:
        if item.get_closest_marker("extended") and item.get_closest_marker("faults"):
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not _figures:
        return
    terminalreporter.section("fault tests: turns answered / apologies / lost")
    for f in _figures:
        terminalreporter.write_line(
            f"{f['fault']:<44} turns {f['turns']:>3}  answered {f['answered']:>3}  "
            f"apologies {f['apologies']:>3}  lost {f['lost']:>2}  p95 {f['p95_ms']} ms"
        )
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(_figures, indent=2) + "\n", encoding="utf-8")


@pytest.fixture
def fault_report() -> list[dict[str, Any]]:
    """Append one figure dict per fault scenario; printed and saved at the end of the run."""
    return _figures


@pytest.fixture(scope="module")
def fault_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaultStack]:
    workdir: Path = tmp_path_factory.mktemp("faults")
    redis = RedisServer.start(workdir)
    sandbox = start_sandbox(workdir, policyholders=400, extra_args=["--seed", str(SANDBOX_SEED)])
    stack = None
    try:
        # A short breaker TTL lets each scenario start with the PAS circuit closed again.
        stack = start_rasa_stack(
            sandbox,
            workdir,
            extra_env={"REDIS_URL": redis.url, "PAS_BREAKER_TTL_S": str(BREAKER_TTL_S)},
        )
        with FaultStack(sandbox, stack, redis) as faults:
            yield faults
    finally:
        if stack is not None:
            stack.stop()
        sandbox.stop()
        redis.stop()
