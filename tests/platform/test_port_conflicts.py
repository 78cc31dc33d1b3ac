"""``policyline run`` checks every port before it starts anything and explains a taken one.

Each case runs the real command in a fresh process with every port on a free loopback port and
a private var/ folder, takes one port in a way a developer meets, and checks the one line the
command prints, its exit code, and that nothing was started. No trained model is needed: the
ports are checked first.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from devtools.port_check import STACK_FILE_VARIABLE, SUPERVISOR_PID_VARIABLE, port_is_free
from devtools.stack_commands import EXIT_ALREADY_RUNNING, EXIT_PORT_TAKEN
from devtools.stack_state import ProcessState, StackState, process_start_ticks, utc_now_iso
from tests.support.servers import PROJECT_ROOT, free_port

PORT_SETTINGS = (
    "PAS_SANDBOX_PORT",
    "LOCALSTRIPE_PORT",
    "ACTIONS_PORT",
    "RASA_PORT",
    "WEB_PORT",
    "NOTIFIER_PORT",
)
# Listens on the port given as its argument until killed; says so on stdout.
HOLDER = (
    "import socket, sys, time\n"
    "s = socket.socket(); s.bind(('127.0.0.1', int(sys.argv[1]))); s.listen()\n"
    "print('listening', flush=True)\n"
    "time.sleep(600)\n"
)


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    seconds: float


def stack_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PAS_", "POLICYLINE_"))}
    env.update({name: str(free_port()) for name in PORT_SETTINGS})
    env.update({"POLICYLINE_ENV": "test", "POLICYLINE_VAR_DIR": str(tmp_path / "var")})
    env["PUBLIC_BASE_URL"] = f"http://127.0.0.1:{env['WEB_PORT']}"
    env.update(overrides)
    return env


def policyline_run(env: dict[str, str]) -> Run:
    began = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "devtools.cli", "run"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return Run(done.returncode, done.stdout, done.stderr, time.monotonic() - began)


@pytest.fixture
def hold() -> Iterator[object]:
    holders: list[subprocess.Popen[str]] = []

    def start(port: int, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
        proc = subprocess.Popen(
            [sys.executable, "-c", HOLDER, str(port)],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        holders.append(proc)
        assert proc.stdout is not None and proc.stdout.readline().strip() == "listening"
        return proc

    yield start
    for proc in holders:
        proc.send_signal(signal.SIGKILL)
        proc.wait()


def assert_nothing_started(env: dict[str, str], taken: str) -> None:
    for name in PORT_SETTINGS:
        if name != taken:
            assert port_is_free("127.0.0.1", int(env[name])), f"{name} is in use"
    assert not (Path(env["POLICYLINE_VAR_DIR"]) / "stack.json").exists()


def test_a_port_held_by_another_program_is_one_line_naming_port_setting_and_process(
    tmp_path: Path, hold
) -> None:
    env = stack_env(tmp_path)
    port = int(env["LOCALSTRIPE_PORT"])
    holder = hold(port)

    run = policyline_run(env)

    assert run.code == EXIT_PORT_TAKEN
    lines = run.stderr.splitlines()
    assert len(lines) == 1, run.stderr
    [line] = lines
    assert line.startswith(
        f"error: port {port} is taken (localstripe; LOCALSTRIPE_PORT moves it): "
        f"held by pid {holder.pid} (python -c import socket"
    ), line
    assert_nothing_started(env, "LOCALSTRIPE_PORT")


def test_a_port_left_over_from_an_earlier_stack_says_so_and_how_to_stop_it(
    tmp_path: Path, hold
) -> None:
    # A child of a `policyline run` whose supervisor was killed before this fix (or by hand).
    gone_supervisor = subprocess.Popen(["true"])
    gone_supervisor.wait()
    env = stack_env(tmp_path)
    port = int(env["RASA_PORT"])
    holder = hold(
        port,
        env={
            **os.environ,
            SUPERVISOR_PID_VARIABLE: str(gone_supervisor.pid),
            STACK_FILE_VARIABLE: str(tmp_path / "old" / "stack.json"),
        },
    )

    run = policyline_run(env)

    assert run.code == EXIT_PORT_TAKEN
    lines = run.stderr.splitlines()
    assert len(lines) == 1, run.stderr
    [line] = lines
    assert line.startswith(f"error: port {port} is taken (rasa; RASA_PORT moves it): ")
    assert line.endswith(
        f"is left over from an earlier Policyline stack whose supervisor "
        f"(pid {gone_supervisor.pid}) is gone; stop it with `kill {holder.pid}`"
    ), line
    assert_nothing_started(env, "RASA_PORT")


def test_two_processes_configured_on_one_port_are_named(tmp_path: Path) -> None:
    env = stack_env(tmp_path)
    env["WEB_PORT"] = env["RASA_PORT"]

    run = policyline_run(env)

    assert run.code == EXIT_PORT_TAKEN
    assert run.stderr.splitlines() == [
        f"error: port {env['WEB_PORT']} is taken (web; WEB_PORT moves it): rasa is configured "
        "on the same port; move one of them"
    ]


def test_a_second_run_beside_a_running_stack_says_it_is_running_and_exits_0(
    tmp_path: Path, hold
) -> None:
    # The test process stands in for the running supervisor: its stack file names it.
    stack_file = tmp_path / "running" / "stack.json"
    me = os.getpid()
    StackState(
        me,
        process_start_ticks(me) or 0,
        utc_now_iso(),
        [ProcessState("web", 1, 1, "http://127.0.0.1:1/health", utc_now_iso())],
    ).write(stack_file)
    env = stack_env(tmp_path)
    hold(
        int(env["WEB_PORT"]),
        env={**os.environ, SUPERVISOR_PID_VARIABLE: str(me), STACK_FILE_VARIABLE: str(stack_file)},
    )

    run = policyline_run(env)

    assert run.code == EXIT_ALREADY_RUNNING
    assert run.stderr == ""
    assert run.stdout.startswith(f"Policyline is already running (supervisor pid {me}, since ")
    assert "`policyline status` shows it" in run.stdout
