"""Runs the local stack as child processes; stops all of them on any signal and orphans none.

Used by ``policyline run`` (``make run``), after ``devtools.port_check`` found every port free.

- Start: every process in its own session and process group, with the Linux parent-death signal
  (``PR_SET_PDEATHSIG``) set to SIGTERM, so that if this supervisor dies, even by SIGKILL or the
  out-of-memory killer, each child is told to stop and stops itself gracefully. Each child also
  carries ``devtools.port_check.STACK_MARKERS`` so a later ``policyline run`` can recognise it.
- Ready: each process answers ``GET <health path>`` with 200 (not merely a listening port); then
  ``var/stack.json`` (``devtools.stack_state``) says what runs, where and since when.
- Stop, on SIGTERM, SIGINT or SIGHUP alike, or when a process exits on its own: the processes
  that call others stop first (highest ``tier`` first: the Rasa server finishes its in-flight
  turns while the action server and the PAS sandbox still answer), each with SIGTERM to its whole
  process group; whatever is left when ``STOP_TIMEOUT_S`` is up gets SIGKILL. A second Ctrl-C
  during the stop kills at once (a repeated SIGTERM or SIGHUP changes nothing).

Exit code: 128 + the signal's number when stopped by a signal (130 Ctrl-C, 143 SIGTERM, 129
SIGHUP); ``EXIT_FAILED`` (1) when a process exited on its own or never became ready. Each
process's output is prefixed with its name; losing the terminal (SIGHUP) loses only that output.
"""

from __future__ import annotations

import ctypes
import http.client
import os
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import IO
from urllib.parse import urlsplit

from bot.lifecycle import STOP_SIGNALS, STOP_TIMEOUT_S
from devtools.port_check import STACK_FILE_VARIABLE, SUPERVISOR_PID_VARIABLE, PortUse
from devtools.stack_state import ProcessState, StackState, utc_now_iso

EXIT_FAILED = 1
_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
_POLL_S = 0.25


@dataclass(frozen=True)
class ProcessSpec:
    name: str
    argv: Sequence[str]
    port: int
    startup_timeout_s: float = 120.0
    env: dict[str, str] = field(default_factory=dict)
    # GET http://127.0.0.1:<port><health_path> answers 200 once the process is ready.
    health_path: str = "/health"
    # The environment variable that moves ``port`` (named when the port is taken).
    port_setting: str = ""
    # Processes that call others have a higher tier; they are stopped first.
    tier: int = 0
    host: str = "127.0.0.1"

    @property
    def health_url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.health_path}"

    @property
    def port_use(self) -> PortUse:
        return PortUse(self.name, self.port, self.port_setting or "its port setting", self.host)


class StackFailed(RuntimeError):
    """A process of the stack exited or never became ready."""


class _StopRequested(Exception):
    """A stop signal arrived while the stack was starting."""


@dataclass(frozen=True)
class Health:
    ok: bool
    detail: str  # "200", "503", "connection refused", ...


def probe_health(url: str, timeout_s: float = 2.0) -> Health:
    """One ``GET url``: ok on 200."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=timeout_s)
    try:
        conn.request("GET", parts.path or "/")
        status = conn.getresponse().status
    except ConnectionRefusedError:
        return Health(False, "connection refused")
    except (OSError, http.client.HTTPException) as exc:
        return Health(False, type(exc).__name__)
    finally:
        conn.close()
    return Health(status == 200, str(status))


def _libc_prctl() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


_prctl = _libc_prctl()


def die_with_parent(parent_pid: int) -> Callable[[], None]:
    """A ``preexec_fn``: SIGTERM this child when ``parent_pid`` (the forking thread) dies.

    Runs between fork and exec; the setting survives exec. If the parent died before the call,
    the signal would never come, so the child exits at once instead.
    """

    def preexec() -> None:
        if _prctl is not None:
            _prctl(_PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)
        if os.getppid() != parent_pid:
            os._exit(1)

    return preexec


class _Waker:
    """Wakes the main thread's waits from a signal handler: a self-pipe, never a lock.

    A signal handler runs on the main thread between two bytecodes, possibly while that thread
    holds a ``threading.Event``'s lock inside ``wait``; calling ``Event.set`` there deadlocks the
    supervisor (found by stopping a real stack: SIGTERM arrived during ``Event.wait``). Writing
    a byte to a pipe takes no lock, and the waits below ``select`` on that pipe.
    """

    def __init__(self) -> None:
        self._read, self._write = os.pipe()
        os.set_blocking(self._read, False)
        os.set_blocking(self._write, False)

    def set(self) -> None:
        """Safe in a signal handler."""
        try:
            os.write(self._write, b"\0")
        except BlockingIOError:  # the pipe is full: a wake-up is already pending
            pass

    def clear(self) -> None:
        try:
            while os.read(self._read, 4096):
                pass
        except BlockingIOError:
            pass

    def wait(self, timeout_s: float) -> bool:
        """Until ``set`` (True, and it stays set until ``clear``) or ``timeout_s`` (False)."""
        readable, _, _ = select.select([self._read], [], [], timeout_s)
        return bool(readable)


# The wake-up the supervisor's signal handler uses (tests run it under a tracer).
WAKER = _Waker


class Supervisor:
    def __init__(
        self,
        specs: Sequence[ProcessSpec],
        *,
        cwd: Path,
        out: IO[str] = sys.stdout,
        state_file: Path | None = None,
        stop_timeout_s: float = STOP_TIMEOUT_S,
    ) -> None:
        self._specs = list(specs)
        self._cwd = cwd
        self._out = out
        self._state_file = state_file
        self._stop_timeout_s = stop_timeout_s
        self._procs: dict[str, subprocess.Popen[bytes]] = {}
        self._state: StackState | None = None
        self._print_lock = threading.Lock()
        self._pumps: list[threading.Thread] = []
        self._wake = _Waker()
        self._signal: int | None = None
        self._force = False
        self._output_lost = False

    # -- public ---------------------------------------------------------------------------------

    def run(self, on_ready: Callable[[], None] | None = None) -> int:
        """Start, wait until ready, call ``on_ready``, supervise, stop. Returns the exit code."""
        previous = {sig: signal.signal(sig, self._on_signal) for sig in STOP_SIGNALS}
        try:
            try:
                self.start()
                if on_ready is not None:
                    on_ready()
                code = self._watch()
            except StackFailed as exc:
                self.say(f"error: {exc}; stopping the stack")
                code = EXIT_FAILED
            except _StopRequested:
                code = 128 + (self._signal or signal.SIGTERM)
            if self._signal is not None:
                self.say(f"{signal.Signals(self._signal).name}: stopping…")
            self.stop()
            return code
        finally:
            self.stop()  # nothing left to stop after a normal run; here for exceptions
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def start(self) -> None:
        """Start every process, then wait until each one's health URL answers 200."""
        self._spawn_all()
        for spec in self._specs:
            self._wait_ready(spec)

    def stop(self) -> None:
        """Stop every process (tiers from the highest down), SIGKILL what outlives the timeout."""
        if not any(self._group_alive(p) for p in self._procs.values()):
            self._finish()
            return
        began = time.monotonic()
        deadline = began + self._stop_timeout_s
        for tier in sorted({s.tier for s in self._specs}, reverse=True):
            members = [s for s in self._specs if s.tier == tier and s.name in self._procs]
            for spec in members:
                self._signal_group(self._procs[spec.name], signal.SIGTERM)
            self._wait_stopped(members, deadline, began)
        self._finish()
        self.say(f"stopped in {time.monotonic() - began:.1f} s")

    def say(self, line: str) -> None:
        """Print a supervisor line; a lost terminal (SIGHUP) must not stop the stop."""
        with self._print_lock:
            try:
                print(line, file=self._out, flush=True)
            except (OSError, ValueError):
                self._output_lost = True

    @property
    def pids(self) -> dict[str, int]:
        return {name: proc.pid for name, proc in self._procs.items()}

    # -- start ----------------------------------------------------------------------------------

    def _spawn_all(self) -> None:
        # Every child is forked before any output thread starts: ``preexec_fn`` is only safe in
        # a process with one thread.
        me = os.getpid()
        markers = {SUPERVISOR_PID_VARIABLE: str(me)}
        if self._state_file is not None:
            markers[STACK_FILE_VARIABLE] = str(self._state_file)
        started: list[ProcessState] = []
        for spec in self._specs:
            env = {**os.environ, "PYTHONUNBUFFERED": "1", **spec.env, **markers}
            proc = subprocess.Popen(
                list(spec.argv),
                cwd=self._cwd,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # signals reach us only; we stop each group in order
                preexec_fn=die_with_parent(me),
            )
            self._procs[spec.name] = proc
            started.append(
                ProcessState(spec.name, proc.pid, spec.port, spec.health_url, utc_now_iso())
            )
            if self._signal is not None:
                break
        for name, proc in self._procs.items():
            pump = threading.Thread(target=self._pump, args=(name, proc), daemon=True)
            pump.start()
            self._pumps.append(pump)
        self._state = StackState.for_this_process(started)
        if self._state_file is not None:
            self._state.write(self._state_file)
        if self._signal is not None:
            raise _StopRequested

    def _pump(self, name: str, proc: subprocess.Popen[bytes]) -> None:
        assert proc.stdout is not None
        width = max(len(s.name) for s in self._specs)
        # Keep reading after the terminal is gone: a full pipe would block the child.
        for raw in iter(proc.stdout.readline, b""):
            if not self._output_lost:
                line = raw.decode("utf-8", "replace").rstrip()
                self.say(f"{name:<{width}} | {line}")

    def _wait_ready(self, spec: ProcessSpec) -> None:
        proc = self._procs[spec.name]
        deadline = time.monotonic() + spec.startup_timeout_s
        last = Health(False, "not started")
        while time.monotonic() < deadline:
            if self._signal is not None:
                raise _StopRequested
            if proc.poll() is not None:
                raise StackFailed(f"{spec.name} exited with code {proc.returncode}")
            last = probe_health(spec.health_url)
            if last.ok:
                return
            self._wake.wait(_POLL_S)
        raise StackFailed(
            f"{spec.name} was not ready within {spec.startup_timeout_s:.0f} s "
            f"(GET {spec.health_url}: {last.detail})"
        )

    # -- supervise ------------------------------------------------------------------------------

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        if self._signal is None:
            self._signal = signum
        elif signum == signal.SIGINT:
            # A second Ctrl-C: no more waiting. Repeated SIGTERM/SIGHUP change nothing: make,
            # systemd and process-group kills may each send one for a single request to stop.
            self._force = True
        self._wake.set()

    def _watch(self) -> int:
        """Until a stop signal (128 + its number) or a process exits on its own (1)."""
        while True:
            if self._signal is not None:
                return 128 + self._signal
            for name, proc in self._procs.items():
                code = proc.poll()
                if code is not None:
                    self.say(f"{name} exited with code {code}; stopping the stack")
                    return EXIT_FAILED
            self._wake.wait(0.5)

    # -- stop -----------------------------------------------------------------------------------

    def _wait_stopped(self, members: list[ProcessSpec], deadline: float, began: float) -> None:
        """Wait for ``members`` (signalled together) until ``deadline``; then SIGKILL the rest."""
        pending = [s for s in members if self._procs[s.name].returncode is None]
        while pending:
            for spec in list(pending):
                proc = self._procs[spec.name]
                if not self._group_alive(proc):
                    proc.wait()
                    pending.remove(spec)
                    self.say(f"{spec.name} stopped ({time.monotonic() - began:.1f} s)")
            if not pending or time.monotonic() >= deadline or self._force:
                break
            self._wake.clear()
            self._wake.wait(0.05)
        reason = "a second Ctrl-C" if self._force else f"{self._stop_timeout_s:g} s"
        for spec in pending:
            self._signal_group(self._procs[spec.name], signal.SIGKILL)
            self._procs[spec.name].wait()
            self.say(f"{spec.name} did not stop within {reason}: killed")

    def _finish(self) -> None:
        for proc in self._procs.values():
            if self._group_alive(proc):
                self._signal_group(proc, signal.SIGKILL)
            proc.wait()
        for pump in self._pumps:
            pump.join(timeout=2)
        if self._state is not None and self._state_file is not None:
            self._state.remove_if_mine(self._state_file)

    @staticmethod
    def _signal_group(proc: subprocess.Popen[bytes], sig: int) -> None:
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            pass

    @staticmethod
    def _group_alive(proc: subprocess.Popen[bytes]) -> bool:
        """The child, or anything left in its process group, still runs.

        The child is not reaped while it runs (``waitid`` with ``WNOWAIT``), so its pid (the
        group's id) cannot be reused while we signal the group.
        """
        if proc.returncode is None:
            try:
                if os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None:
                    return True  # still running
            except ChildProcessError:  # reaped already
                pass
        # The child has exited (a zombie at most, which does not count): any other member?
        return bool(_group_members(proc.pid))


def _group_members(pgid: int) -> set[int]:
    """Live (not zombie) processes in process group ``pgid`` (Linux ``/proc``)."""
    members: set[int] = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[-1].split()
        # fields[0] is the state (field 3), fields[2] the process group (field 5).
        if len(fields) > 2 and fields[0] != "Z" and int(fields[2]) == pgid:
            members.add(int(entry.name))
    return members
