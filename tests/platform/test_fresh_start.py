"""A fresh clone's first ``make run``: the whole stack starts from an empty var/ folder.

Three times in a row, each time in a new, empty var/ folder on new free ports: the real
``policyline run`` upgrades the application database, then starts every process; each becomes
healthy, and no log says a table "already exists" (the failure this replaced: several processes
creating the same tables at start-up).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.migrations import current_revision, head_revision
from tests.support.policyline_stack import launch, policyline, stack_env, stop
from tests.support.servers import PROJECT_ROOT, artifact_log_dir

pytestmark = [pytest.mark.rasa, pytest.mark.slow]

MODEL = PROJECT_ROOT / "models" / "policyline.tar.gz"
STARTS = 3
PROCESSES = {"sandbox", "localstripe", "actions", "rasa", "web", "notifier"}


def _logs(var: Path, stack_log: Path) -> str:
    parts = [stack_log.read_text(errors="replace")]
    parts += [p.read_text(errors="replace") for p in sorted(var.rglob("*.log"))]
    return "\n".join(parts)


@pytest.mark.parametrize("attempt", range(1, STARTS + 1))
def test_the_stack_starts_healthy_from_an_empty_var_folder(
    attempt: int, tmp_path_factory: pytest.TempPathFactory
) -> None:
    if not MODEL.exists():
        pytest.fail("no trained model at models/policyline.tar.gz: run `make test`")
    workdir = tmp_path_factory.mktemp(f"fresh-{attempt}")
    var = workdir / "var"
    assert not var.exists()
    env = stack_env(var)
    stack = launch(env, artifact_log_dir(workdir) / f"fresh-start-{attempt}.log")
    try:
        status = policyline(env, "status", "--json")
        assert status.returncode == 0, status.stdout + status.stderr
        rows = {row["name"]: row for row in json.loads(status.stdout)["processes"]}
        assert set(rows) == PROCESSES
        assert all(row["healthy"] and row["running"] for row in rows.values()), rows
        assert current_revision(f"sqlite:///{var / 'policyline.sqlite'}") == head_revision()
    finally:
        stop(stack)
    logs = _logs(var, stack.log)
    assert "already exists" not in logs, logs[-8000:]
    assert stack.proc.returncode is not None
