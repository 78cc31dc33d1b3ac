"""Runs the local stack as child processes and stops all of them cleanly on Ctrl-C.

Each process's output is prefixed with its name. Start-up waits for every process to listen on its
port before printing the URLs; if any process dies, everything is stopped and the exit code is
non-zero. Used by ``policyline run`` (``make run``).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class ProcessSpec:
    name: str
    argv: Sequence[str]
    port: int
    startup_timeout_s: float = 120.0
    env: dict[str, str] = field(default_factory=dict)


class StackFailed(RuntimeError):
    """A process of the stack exited or never started listening."""


class Supervisor:
    def __init__(self, specs: Sequence[ProcessSpec], *, cwd: Path, out=sys.stdout) -> None:  # type: ignore[no-untyped-def]
        self._specs = list(specs)
        self._cwd = cwd
        self._out = out
        self._procs: dict[str, subprocess.Popen[bytes]] = {}
        self._lock = threading.Lock()

    def _pump(self, name: str, proc: subprocess.Popen[bytes]) -> None:
        assert proc.stdout is not None
        width = max(len(s.name) for s in self._specs)
        for raw in iter(proc.stdout.readline, b""):
            line = raw.decode("utf-8", "replace").rstrip()
            with self._lock:
                print(f"{name:<{width}} | {line}", file=self._out, flush=True)

    def start(self) -> None:
        for spec in self._specs:
            env = {**os.environ, "PYTHONUNBUFFERED": "1", **spec.env}
            proc = subprocess.Popen(
                list(spec.argv),
                cwd=self._cwd,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # Ctrl-C reaches us only; we stop children in order
            )
            self._procs[spec.name] = proc
            threading.Thread(target=self._pump, args=(spec.name, proc), daemon=True).start()
        for spec in self._specs:
            self._wait_listening(spec)

    def _wait_listening(self, spec: ProcessSpec) -> None:
        proc = self._procs[spec.name]
        deadline = time.monotonic() + spec.startup_timeout_s
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise StackFailed(f"{spec.name} exited with code {proc.returncode}")
            try:
                with socket.create_connection(("127.0.0.1", spec.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.25)
        raise StackFailed(f"{spec.name} did not listen on port {spec.port}")

    def wait(self) -> int:
        """Block until a child exits (an error) or we are interrupted (a clean stop)."""
        while True:
            for name, proc in self._procs.items():
                code = proc.poll()
                if code is not None:
                    print(f"{name} exited with code {code}; stopping the stack", file=self._out)
                    return code or 1
            time.sleep(0.5)

    def stop(self, timeout_s: float = 15.0) -> None:
        for proc in reversed(list(self._procs.values())):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout_s
        for proc in self._procs.values():
            remaining = max(0.1, deadline - time.monotonic())
            try:
                proc.wait(timeout=remaining)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
