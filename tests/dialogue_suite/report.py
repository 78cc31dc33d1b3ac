"""Completion per category of the scripted-conversation suite: a table at the end of the run and
test-artifacts/dialogue-suite.json.

A pytest plugin (registered in tests/conftest.py, so the xdist controller loads it too: it never
collects the suite's own conftest). The suite's test attaches each conversation's category,
channel and first failed check to its report (``user_properties``).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from typing import Any

import pytest

from tests.support.servers import PROJECT_ROOT

REPORT = PROJECT_ROOT / "test-artifacts" / "dialogue-suite.json"
# The suite's test attaches every conversation's result as JSON (user_properties travel from
# xdist workers to the controller with the report).
RESULTS = "dialogue_results"


@dataclass(frozen=True)
class Result:
    name: str
    category: str
    channel: str
    completed: bool
    failure: str


_results: dict[str, Result] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    properties = dict(report.user_properties)
    if RESULTS not in properties or report.when != "call":
        return
    for row in json.loads(str(properties[RESULTS])):
        _results[row["name"]] = Result(
            name=row["name"],
            category=row["category"],
            channel=row["channel"],
            completed=bool(row["completed"]),
            failure=row["failure"],
        )


def _kind(failure: str) -> str:
    """The failed check without the step number: what kind of failure it is."""
    return failure.split(": ", 1)[-1] if failure else "error"


def summary() -> dict[str, Any]:
    results = list(_results.values())
    by_category: dict[str, dict[str, Any]] = {}
    for result in results:
        row = by_category.setdefault(result.category, {"completed": 0, "total": 0, "failed": []})
        row["total"] += 1
        if result.completed:
            row["completed"] += 1
        else:
            row["failed"].append({"conversation": result.name, "failure": result.failure})
    by_channel: dict[str, dict[str, int]] = {}
    for result in results:
        row = by_channel.setdefault(result.channel, {"completed": 0, "total": 0})
        row["total"] += 1
        row["completed"] += int(result.completed)
    kinds = Counter(_kind(r.failure) for r in results if not r.completed)
    done = sum(r.completed for r in results)
    return {
        "completed": done,
        "total": len(results),
        "completion": round(done / len(results), 4) if results else None,
        "categories": by_category,
        "channels": by_channel,
        "failure_kinds": dict(kinds.most_common()),
    }


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not _results:
        return
    report = summary()
    write = terminalreporter.write_line
    terminalreporter.section("dialogue suite: completion per category")
    for category, row in sorted(report["categories"].items()):
        share = row["completed"] / row["total"]
        write(f"{category:<18} {row['completed']:>3}/{row['total']:<3} {share:6.1%}")
    for channel, row in sorted(report["channels"].items()):
        write(f"{'(' + channel + ')':<18} {row['completed']:>3}/{row['total']:<3}")
    write(f"{'all':<18} {report['completed']:>3}/{report['total']:<3} {report['completion']:6.1%}")
    if report["failure_kinds"]:
        write("most common failed checks:")
        for kind, count in list(report["failure_kinds"].items())[:8]:
            write(f"  {count:>3}  {kind[:110]}")
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
