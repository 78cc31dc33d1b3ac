"""Production stops the way ``policyline run`` does: the figures in deploy/ are bot.lifecycle's.

systemd units and the Procfile cannot import Python, so they repeat the grace period and the stop
timeout; this keeps every copy equal to the one rule.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from bot.lifecycle import SANIC_GRACE_VARIABLE, SHUTDOWN_GRACE_S, STOP_TIMEOUT_S, sanic_shutdown_env
from tests.support.servers import PROJECT_ROOT

DEPLOY = PROJECT_ROOT / "deploy"
UNITS = sorted((DEPLOY / "systemd").glob("*.service"))
SANIC_UNITS = ("policyline-rasa@.service", "policyline-actions@.service")


def directives(unit: Path) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in unit.read_text().splitlines():
        if "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            found.setdefault(key.strip(), []).append(value.strip())
    return found


def procfile() -> dict[str, list[str]]:
    lines = (DEPLOY / "Procfile").read_text().splitlines()
    return {
        name: shlex.split(command)
        for name, command in (line.split(":", 1) for line in lines if re.match(r"^\w+:", line))
    }


@pytest.mark.parametrize("unit", UNITS, ids=[u.name for u in UNITS])
def test_every_unit_stops_with_sigterm_to_the_main_process_then_sigkill_after_the_timeout(
    unit: Path,
) -> None:
    found = directives(unit)
    assert found["KillSignal"] == ["SIGTERM"]
    assert found["KillMode"] == ["mixed"]
    assert found["TimeoutStopSec"] == [f"{STOP_TIMEOUT_S:g}"]


@pytest.mark.parametrize("name", SANIC_UNITS)
def test_sanic_servers_get_the_grace_period_in_systemd(name: str) -> None:
    expected = [f"{k}={v}" for k, v in sanic_shutdown_env().items()]
    assert directives(DEPLOY / "systemd" / name)["Environment"] == expected


def test_the_procfile_gives_the_same_grace_periods() -> None:
    processes = procfile()
    for name in ("rasa", "actions"):
        assert processes[name][0] == f"{SANIC_GRACE_VARIABLE}={SHUTDOWN_GRACE_S:g}", name
    web = processes["web"]
    assert web[web.index("--graceful-timeout") + 1] == f"{SHUTDOWN_GRACE_S:g}"
    assert f"allow {STOP_TIMEOUT_S:g} s before SIGKILL" in (DEPLOY / "Procfile").read_text()


def test_gunicorn_in_systemd_gets_the_grace_period() -> None:
    [command] = directives(DEPLOY / "systemd" / "policyline-web.service")["ExecStart"]
    argv = shlex.split(command)
    assert argv[argv.index("--graceful-timeout") + 1] == f"{SHUTDOWN_GRACE_S:g}"
