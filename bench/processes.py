"""Start the real servers for a benchmark, timing each start, and read their memory from /proc.

Start time is from ``Popen`` until the server answers: the port listens (sandbox, action server,
web app) or, for the Rasa server, its model is loaded and the REST webhook answers. Memory is
the resident set size (``VmRSS``) of the process and all its children.
"""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.support.rasa_stack import (
    actions_argv,
    rasa_argv,
    spawn_logged,
    stack_env,
)
from tests.support.servers import (
    PROJECT_ROOT,
    SandboxHandle,
    _stop,
    artifact_log_dir,
    free_port,
    start_sandbox,
    wait_for_port,
)


def rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and its descendants, in MB (0 when it has exited)."""
    total_kb = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total_kb += int(line.split()[1])
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            try:
                pending.extend(int(c) for c in task.read_text().split())
            except OSError:
                continue
    return round(total_kb / 1024, 1)


def _wait_http(url: str, proc: subprocess.Popen[bytes], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with code {proc.returncode}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{what} was not ready within {timeout_s:.0f}s")


@dataclass
class BenchStack:
    """Sandbox, action server, Rasa server and web app, started in that order and timed."""

    sandbox: SandboxHandle
    env: dict[str, str]
    rasa_port: int
    actions_port: int
    web_port: int
    log_dir: Path
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    start_s: dict[str, float] = field(default_factory=dict)

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def database_url(self) -> str:
        return self.env["DATABASE_URL"]

    def memory_mb(self) -> dict[str, float]:
        pids = {"sandbox": self.sandbox.proc.pid} | {n: p.pid for n, p in self.procs.items()}
        return {name: rss_mb(pid) for name, pid in pids.items()}

    def stop(self) -> None:
        for proc in reversed(list(self.procs.values())):
            _stop(proc, timeout=20)
        self.sandbox.stop()

    @classmethod
    def start(
        cls,
        workdir: Path,
        *,
        policyholders: int,
        seed: int,
        extra_env: dict[str, str] | None = None,
        web: bool = True,
    ) -> BenchStack:
        """Start the servers in order (``web``: also the web app, which only web chat needs)."""
        began = time.perf_counter()
        sandbox = start_sandbox(
            workdir, policyholders=policyholders, extra_args=["--seed", str(seed)]
        )
        sandbox_s = time.perf_counter() - began
        actions_port, rasa_port, web_port = free_port(), free_port(), free_port()
        env = stack_env(sandbox, workdir, actions_port) | (extra_env or {})
        stack = cls(sandbox, env, rasa_port, actions_port, web_port, artifact_log_dir(workdir))
        stack.start_s["sandbox"] = round(sandbox_s, 2)
        try:
            began = time.perf_counter()
            proc = spawn_logged(actions_argv(actions_port), env, stack.log_dir / "actions.log")
            stack.procs["actions"] = proc
            wait_for_port(actions_port, proc, 180, "action server")
            stack.start_s["actions"] = round(time.perf_counter() - began, 2)

            began = time.perf_counter()
            proc = spawn_logged(
                rasa_argv(rasa_port, PROJECT_ROOT / "endpoints.yml"),
                env,
                stack.log_dir / "rasa.log",
            )
            stack.procs["rasa"] = proc
            _wait_http(f"{stack.rasa_url}/webhooks/rest/", proc, 300, "Rasa server")
            stack.start_s["rasa"] = round(time.perf_counter() - began, 2)

            if web:
                began = time.perf_counter()
                argv = [sys.executable, "-m", "bot.web", "--port", str(web_port)]
                proc = spawn_logged(argv, env, stack.log_dir / "web.log")
                stack.procs["web"] = proc
                wait_for_port(web_port, proc, 60, "web app")
                stack.start_s["web"] = round(time.perf_counter() - began, 2)
        except Exception:
            stack.stop()
            raise
        return stack
