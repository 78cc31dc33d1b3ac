"""``policyline run`` and ``policyline status``: the local stack's start, stop and state.

``run``: every port is checked before anything starts (``devtools.port_check``); a taken port is one
line on stderr and exit code ``EXIT_PORT_TAKEN``, and a stack that already runs here is said so
(exit 0). Then ``devtools.supervisor`` starts, watches and stops the processes.

``status``: what ``var/stack.json`` says runs, where and since when, and what each process's
health URL answers now. Exit code 0 when every process is healthy, 1 when one is not, 3 when the
stack is not running (like ``systemctl status``).

Before any process starts, ``run`` brings the application database up to date
(``bot.migrations``, what ``policyline db upgrade`` does): no process creates tables itself.

Exit codes of ``run``: 0 already running, 1 a process failed (exited, or never became ready) or
the database upgrade failed, 2 no trained model, 3 a port is taken (nothing started), 128 + N
stopped by signal N (130 Ctrl-C, 143 SIGTERM, 129 SIGHUP).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

from bot.migrations import upgrade
from bot.settings import PROJECT_ROOT, Settings
from devtools.port_check import PortConflict, find_conflicts, running_stack
from devtools.stack_state import STATE_FILE_NAME, StackState, process_start_ticks
from devtools.supervisor import Health, ProcessSpec, Supervisor, probe_health

EXIT_ALREADY_RUNNING = 0
EXIT_NO_MODEL = 2
EXIT_PORT_TAKEN = 3
EXIT_NOT_RUNNING = 3
EXIT_UNHEALTHY = 1


def state_file(settings: Settings) -> Path:
    return settings.var_dir / STATE_FILE_NAME


def run_stack(
    settings: Settings,
    specs: Sequence[ProcessSpec],
    *,
    model: Path,
    banner: Callable[[], list[str]],
) -> int:
    """Check, start, supervise and stop the stack; the exit code (module docstring)."""
    conflicts = find_conflicts([spec.port_use for spec in specs])
    if conflicts:
        return _refuse(settings, conflicts)
    if not model.exists():
        print("no trained model: run `make run` (it trains one) or `make train`", file=sys.stderr)
        return EXIT_NO_MODEL
    try:
        upgrade(settings.database_url)
    except Exception as exc:  # any driver or migration error: nothing has started yet
        print(f"error: the database upgrade failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_UNHEALTHY
    supervisor = Supervisor(specs, cwd=PROJECT_ROOT, state_file=state_file(settings))

    def ready() -> None:
        for line in banner():
            supervisor.say(line)

    return supervisor.run(on_ready=ready)


def _refuse(settings: Settings, conflicts: list[PortConflict]) -> int:
    stack = running_stack(conflicts)
    if stack is not None and stack.stack_file is not None:
        state = StackState.read(Path(stack.stack_file))
        since = f", since {_clock(state.started_at)}" if state is not None else ""
        print(
            f"Policyline is already running (supervisor pid {stack.supervisor_pid}{since}); "
            f"`policyline status` shows it, Ctrl-C in its terminal or "
            f"`kill {stack.supervisor_pid}` stops it",
            flush=True,
        )
        return EXIT_ALREADY_RUNNING
    for conflict in conflicts:
        print(f"error: {conflict.message()}", file=sys.stderr, flush=True)
    return EXIT_PORT_TAKEN


@dataclass(frozen=True)
class ProcessStatus:
    name: str
    pid: int
    port: int
    health_url: str
    started_at: str
    running: bool
    health: str
    healthy: bool


def stack_status(settings: Settings, specs: Sequence[ProcessSpec], *, as_json: bool) -> int:
    """Print the stack's state; the exit code (module docstring)."""
    path = state_file(settings)
    state = StackState.read(path)
    if state is None or not state.supervisor_alive:
        taken = [c.message() for c in find_conflicts([s.port_use for s in specs])]
        if as_json:
            print(json.dumps({"running": False, "stack_file": str(path), "ports_taken": taken}))
        else:
            print(f"Policyline is not running (no live supervisor in {path})")
            for line in taken:
                print(f"  {line}")
        return EXIT_NOT_RUNNING
    rows = [
        _process_status(p.name, p.pid, p.port, p.health_url, p.started_at) for p in state.processes
    ]
    if as_json:
        print(
            json.dumps(
                {
                    "running": True,
                    "supervisor_pid": state.supervisor_pid,
                    "started_at": state.started_at,
                    "processes": [asdict(r) for r in rows],
                },
                indent=2,
            )
        )
    else:
        print(
            f"Policyline is running: supervisor pid {state.supervisor_pid}, since "
            f"{_clock(state.started_at)} ({_age(state.started_at)})"
        )
        print(f"  {'process':<12} {'pid':>7}  {'port':>5}  {'since':<23} health")
        for r in rows:
            print(
                f"  {r.name:<12} {r.pid:>7}  {r.port:>5}  {_clock(r.started_at):<23} "
                f"{r.health} (GET {r.health_url})"
            )
    return 0 if all(r.healthy for r in rows) else EXIT_UNHEALTHY


def _process_status(name: str, pid: int, port: int, url: str, started_at: str) -> ProcessStatus:
    running = process_start_ticks(pid) is not None
    health = probe_health(url) if running else Health(False, "not running")
    label = "ok" if health.ok else f"unhealthy: {health.detail}"
    return ProcessStatus(name, pid, port, url, started_at, running, label, health.ok)


def _clock(iso: str) -> str:
    try:
        return datetime.fromisoformat(iso).strftime("%Y-%m-%d %H:%M:%S UTC")
    except ValueError:
        return iso


def _age(iso: str) -> str:
    try:
        seconds = int((datetime.now(timezone.utc) - datetime.fromisoformat(iso)).total_seconds())
    except ValueError:
        return "?"
    hours, rest = divmod(max(seconds, 0), 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"up {hours}h {minutes:02d}m {seconds:02d}s"
    return f"up {minutes}m {seconds:02d}s"
