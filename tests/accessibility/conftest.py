"""The accessibility suite's servers and its page x viewport table.

Each test walks real pages in Debian's Chromium and records one row per page state and
viewport (``record``); the rows are written to test-artifacts/accessibility/ and printed as a
table at the end of the run (also under pytest-xdist: the controller reads the workers' rows).
"""

from __future__ import annotations

import json
import shutil
from typing import Any

import pytest

from bot.settings import PROJECT_ROOT
from tests.payments.conftest import localstripe, pay_stack  # noqa: F401 - pytest fixtures
from tests.staff.conftest import personas  # noqa: F401 - pytest fixture

ARTIFACTS = PROJECT_ROOT / "test-artifacts" / "accessibility"
ROWS = ARTIFACTS / "rows"


def pytest_configure(config: pytest.Config) -> None:
    if not hasattr(config, "workerinput"):  # the controller (or a run without xdist)
        shutil.rmtree(ROWS, ignore_errors=True)


def record(test: str, rows: list[dict[str, Any]]) -> None:
    """Keep one test's rows for the table."""
    ROWS.mkdir(parents=True, exist_ok=True)
    (ROWS / f"{test}.json").write_text(json.dumps(rows, indent=1), encoding="utf-8")


def table() -> list[str]:
    """The page x viewport table of this run, as Markdown lines."""
    rows: list[dict[str, Any]] = []
    for path in sorted(ROWS.glob("*.json")) if ROWS.is_dir() else ():
        rows.extend(json.loads(path.read_text(encoding="utf-8")))
    if not rows:
        return []
    lines = [
        "| page state | viewport | axe violations | tab stops | weakest focus ring "
        "| keyboard problems | 320 px |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in rows:
        axe = ", ".join(row["axe"]) or "0"
        problems = "; ".join(row["keyboard"]) or "none"
        lines.append(
            f"| {row['state']} | {row['viewport']} | {axe} | {row['stops']} "
            f"| {row.get('ring', '-')} | {problems} | {row['reflow']} |"
        )
    return lines


def pytest_terminal_summary(terminalreporter: Any) -> None:
    lines = table()
    if not lines:
        return
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "table.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    terminalreporter.section("accessibility: page x viewport")
    for line in lines:
        terminalreporter.write_line(line)
