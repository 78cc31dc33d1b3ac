"""The real ``policyline run`` stack as a test starts it: free non-default ports, its own var/.

``stack_env(var)`` is the environment (every port free, nothing inherited that would point the
stack elsewhere); ``launch(env, log)`` starts ``policyline run`` in its own session and waits
for its banner; ``stop(stack)`` stops it however a test left it, leaving no process behind.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from bot.lifecycle import STOP_TIMEOUT_S
from devtools.port_check import port_is_free
from devtools.stack_state import StackState
from tests.support.servers import PROJECT_ROOT, free_port

# `python -m CLI_MODULE ...` is the `policyline` console script.
CLI_MODULE = "devtools.cli"
PORT_SETTINGS = (
    "PAS_SANDBOX_PORT",
    "LOCALSTRIPE_PORT",
    "ACTIONS_PORT",
    "RASA_PORT",
    "WEB_PORT",
    "NOTIFIER_PORT",
)
READY_TIMEOUT_S = 480.0  # a Rasa model load on a busy 2-core machine


def gone(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[-1].split()[0] == "Z"


@dataclass
class Stack:
    proc: subprocess.Popen[bytes]
    env: dict[str, str]
    log: Path
    pids: dict[str, int] = field(default_factory=dict)

    @property
    def ports(self) -> list[int]:
        return [int(self.env[name]) for name in PORT_SETTINGS]

    @property
    def var(self) -> Path:
        return Path(self.env["POLICYLINE_VAR_DIR"])

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.env['RASA_PORT']}"

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            if "Policyline is running:" in self.output():
                state = StackState.read(self.var / "stack.json")
                assert state is not None
                self.pids = {p.name: p.pid for p in state.processes}
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.5)
        raise AssertionError(f"the stack did not become ready:\n{self.output()[-8000:]}")

    def stopped_within(self, timeout_s: float) -> float | None:
        """Seconds until every child is gone and every port free (None: not within)."""
        began = time.monotonic()
        while time.monotonic() - began < timeout_s:
            children_gone = all(gone(pid) for pid in self.pids.values())
            if children_gone and all(port_is_free("127.0.0.1", p) for p in self.ports):
                return time.monotonic() - began
            time.sleep(0.02)
        return None


def policyline(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", CLI_MODULE, *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def stack_env(var: Path) -> dict[str, str]:
    """The environment of a stack on free ports with ``var`` (need not exist) as its var/."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PAS_", "POLICYLINE_"))}
    env.update({name: str(free_port()) for name in PORT_SETTINGS})
    env.update(
        POLICYLINE_ENV="test",
        POLICYLINE_VAR_DIR=str(var),
        # The sandbox imitates the carrier API's latency by default; tests want answers at once.
        PAS_SANDBOX_LATENCY="none",
        PUBLIC_BASE_URL=f"http://127.0.0.1:{env['WEB_PORT']}",
        PYTHONUNBUFFERED="1",
    )
    for name in ("DATABASE_URL", "REDIS_URL", "TRACKER_DB", "PUBLIC_WEBHOOK_BASE_URL"):
        env.pop(name, None)
    return env


def launch(env: dict[str, str], log: Path) -> Stack:
    """``policyline run`` with ``env``, its output in ``log``; returns once it is ready."""
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", CLI_MODULE, "run"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    stack = Stack(proc, env, log)
    try:
        stack.wait_ready()
    except BaseException:
        stop(stack)
        raise
    return stack


def stop(stack: Stack) -> None:
    """SIGTERM, SIGKILL after the stop timeout; then no child of it may be left."""
    if stack.proc.poll() is None:
        stack.proc.send_signal(signal.SIGTERM)
        try:
            stack.proc.wait(timeout=STOP_TIMEOUT_S + 10)
        except subprocess.TimeoutExpired:
            os.killpg(stack.proc.pid, signal.SIGKILL)
            stack.proc.wait()
    for pid in stack.pids.values():
        if not gone(pid):
            os.killpg(pid, signal.SIGKILL)
