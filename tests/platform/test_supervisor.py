"""The supervisor stops every child on any signal, orphans none, and says how it ended.

Each test runs a real ``Supervisor`` in its own session (``tests.support.supervised``) over small
HTTP servers (``tests.support.fake_server``) on free loopback ports, signals it like systemd, a
terminal or the OOM killer would, and checks the processes and ports afterwards. The full stack
is covered by ``test_stack_lifecycle.py``.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from devtools.port_check import port_is_free
from devtools.stack_state import StackState
from tests.support.servers import PROJECT_ROOT, free_port
from tests.support.waiting import wait_until

pytestmark = pytest.mark.slow

READY_TIMEOUT_S = 60.0
STOP_BOUND_S = 15.0


def gone(pid: int) -> bool:
    """Not running (a zombie waiting for a reaper counts as gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[-1].split()[0] == "Z"


@dataclass
class Child:
    name: str
    port: int
    args: list[str] = field(default_factory=list)
    tier: int = 0
    startup_timeout: float = 30.0

    def spec(self, event_log: Path) -> str:
        argv = [sys.executable, "-m", "tests.support.fake_server", "--port", str(self.port)]
        argv += ["--event-log", str(event_log), *self.args]
        return json.dumps({"name": self.name, "argv": argv, "port": self.port, "tier": self.tier,
                           "startup_timeout": self.startup_timeout})  # fmt: skip


@dataclass
class Harness:
    proc: subprocess.Popen[str]
    state_file: Path
    event_log: Path
    lines: list[str]
    pids: dict[str, int] = field(default_factory=dict)

    def output(self) -> str:
        return "\n".join(self.lines)

    def wait_line(self, prefix: str, timeout_s: float) -> str:
        try:
            wait_until(lambda: any(x.startswith(prefix) for x in self.lines), timeout_s)
        except AssertionError:
            raise AssertionError(f"no {prefix!r} line:\n{self.output()}") from None
        return next(x for x in self.lines if x.startswith(prefix))

    def events(self) -> dict[tuple[int, str], float]:
        events: dict[tuple[int, str], float] = {}
        for line in self.event_log.read_text().splitlines():
            port, event, at = line.split()
            events.setdefault((int(port), event), float(at))
        return events


@pytest.fixture
def supervise(tmp_path: Path) -> Iterator[Callable[..., Harness]]:
    started: list[Harness] = []

    def start(
        children: list[Child], *, stop_timeout_s: float = 10.0, ready: bool = True
    ) -> Harness:
        state_file, event_log = tmp_path / "stack.json", tmp_path / "events.log"
        event_log.touch()
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.support.supervised", str(state_file),
             str(stop_timeout_s), *(c.spec(event_log) for c in children)],
            cwd=PROJECT_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )  # fmt: skip
        harness = Harness(proc, state_file, event_log, [])
        started.append(harness)

        def read() -> None:
            assert proc.stdout is not None
            for line in proc.stdout:
                harness.lines.append(line.rstrip("\n"))

        threading.Thread(target=read, daemon=True).start()
        if ready:
            line = harness.wait_line("READY", READY_TIMEOUT_S)
            harness.pids = dict(item.split("=") for item in line.split()[1:])  # type: ignore[misc]
            harness.pids = {name: int(pid) for name, pid in harness.pids.items()}
        return harness

    yield start
    for harness in started:  # never leave a process behind, whatever the test did
        if harness.proc.poll() is None:
            os.killpg(harness.proc.pid, signal.SIGKILL)
            harness.proc.wait()
        for pid in harness.pids.values():
            if not gone(pid):
                os.kill(pid, signal.SIGKILL)


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_a_stop_signal_stops_every_child_with_its_group_in_tier_order_and_frees_every_port(
    supervise: Callable[..., Harness], tmp_path: Path, stop_signal: signal.Signals
) -> None:
    grandchild_file = tmp_path / "grandchild.pid"
    backend = Child("backend", free_port(), ["--grandchild", "--pid-file", str(grandchild_file)])
    front = Child("front", free_port(), ["--stop-delay", "0.5"], tier=1)
    harness = supervise([backend, front])
    grandchild = int(grandchild_file.read_text())
    assert StackState.read(harness.state_file) is not None

    os.kill(harness.proc.pid, stop_signal)
    harness.proc.wait(timeout=STOP_BOUND_S)

    assert harness.proc.returncode == 128 + stop_signal
    assert all(gone(pid) for pid in [*harness.pids.values(), grandchild]), harness.output()
    assert port_is_free("127.0.0.1", backend.port) and port_is_free("127.0.0.1", front.port)
    assert not harness.state_file.exists()
    events = harness.events()
    # The front process finished its in-flight work before the backend was asked to stop.
    assert events[(backend.port, "term")] >= events[(front.port, "exit")]
    assert f"{stop_signal.name}: stopping" in harness.output()


def test_sigkill_of_the_supervisor_still_stops_every_child(
    supervise: Callable[..., Harness],
) -> None:
    children = [Child("one", free_port()), Child("two", free_port(), ["--stop-delay", "0.3"])]
    harness = supervise(children)

    os.kill(harness.proc.pid, signal.SIGKILL)
    harness.proc.wait(timeout=5)

    # The parent-death signal reached each child, which stopped gracefully (it got SIGTERM).
    assert wait_until(lambda: all(gone(pid) for pid in harness.pids.values()), STOP_BOUND_S)
    assert all(port_is_free("127.0.0.1", c.port) for c in children)
    assert {event for (_, event) in harness.events()} == {"term", "exit"}
    stale = StackState.read(harness.state_file)
    assert stale is not None and not stale.supervisor_alive


def test_a_child_that_ignores_sigterm_is_killed_when_the_stop_timeout_is_up(
    supervise: Callable[..., Harness],
) -> None:
    stubborn = Child("stubborn", free_port(), ["--ignore-sigterm"])
    harness = supervise([stubborn], stop_timeout_s=1.5)

    os.kill(harness.proc.pid, signal.SIGTERM)
    harness.proc.wait(timeout=STOP_BOUND_S)

    assert harness.proc.returncode == 128 + signal.SIGTERM
    assert "stubborn did not stop within 1.5 s: killed" in harness.output()
    # It was asked first (SIGTERM reached it) and killed, never left to exit on its own.
    events = harness.events()
    assert (stubborn.port, "term") in events and (stubborn.port, "exit") not in events
    assert gone(harness.pids["stubborn"]) and port_is_free("127.0.0.1", stubborn.port)


def test_a_child_that_dies_stops_the_whole_stack_with_exit_code_1(
    supervise: Callable[..., Harness],
) -> None:
    survivor, victim = Child("survivor", free_port()), Child("victim", free_port())
    harness = supervise([survivor, victim])

    os.kill(harness.pids["victim"], signal.SIGKILL)
    harness.proc.wait(timeout=STOP_BOUND_S)

    assert harness.proc.returncode == 1
    assert "victim exited with code -9; stopping the stack" in harness.output()
    assert gone(harness.pids["survivor"]) and port_is_free("127.0.0.1", survivor.port)


def test_a_signal_while_starting_stops_what_was_started(
    supervise: Callable[..., Harness],
) -> None:
    slow = Child("slow", free_port(), ["--ready-after", "300"])
    harness = supervise([slow], ready=False)
    # Listening, not ready: the supervisor is still waiting for its health URL.
    assert wait_until(lambda: not port_is_free("127.0.0.1", slow.port), READY_TIMEOUT_S)

    os.kill(harness.proc.pid, signal.SIGTERM)
    harness.proc.wait(timeout=STOP_BOUND_S)

    assert harness.proc.returncode == 128 + signal.SIGTERM
    assert "READY" not in harness.output()
    assert port_is_free("127.0.0.1", slow.port)
    assert "slow stopped" in harness.output()


def test_a_child_that_never_becomes_ready_fails_the_start_with_exit_code_1(
    supervise: Callable[..., Harness],
) -> None:
    slow = Child("slow", free_port(), ["--ready-after", "300"], startup_timeout=2)
    harness = supervise([slow], ready=False)
    harness.proc.wait(timeout=READY_TIMEOUT_S)

    assert harness.proc.returncode == 1
    expected = (
        f"error: slow was not ready within 2 s (GET http://127.0.0.1:{slow.port}/health: 503); "
        "stopping the stack"
    )
    assert expected in harness.lines, harness.output()
    assert port_is_free("127.0.0.1", slow.port)


def test_a_repeated_sigterm_changes_nothing_and_a_second_ctrl_c_kills_at_once(
    supervise: Callable[..., Harness],
) -> None:
    # make, systemd and a process-group kill may each send SIGTERM for one request to stop.
    patient = Child("patient", free_port(), ["--stop-delay", "3"])
    harness = supervise([patient], stop_timeout_s=20)
    os.kill(harness.proc.pid, signal.SIGTERM)
    harness.wait_line("SIGTERM: stopping", STOP_BOUND_S)
    os.kill(harness.proc.pid, signal.SIGTERM)
    harness.proc.wait(timeout=STOP_BOUND_S)
    assert harness.proc.returncode == 128 + signal.SIGTERM
    assert "killed" not in harness.output()
    assert (patient.port, "exit") in harness.events()

    impatient = Child("impatient", free_port(), ["--stop-delay", "30"])
    harness = supervise([impatient], stop_timeout_s=20)
    os.kill(harness.proc.pid, signal.SIGINT)
    harness.wait_line("SIGINT: stopping", STOP_BOUND_S)
    os.kill(harness.proc.pid, signal.SIGINT)
    # Ends inside STOP_BOUND_S, before both the 20 s stop timeout and the child's 30 s delay:
    # only the second Ctrl-C can have ended it.
    harness.proc.wait(timeout=STOP_BOUND_S)
    assert harness.proc.returncode == 128 + signal.SIGINT
    assert "impatient did not stop within a second Ctrl-C: killed" in harness.output()
    assert gone(harness.pids["impatient"])


# Runs the stop signal's handler at every line of the waits it wakes (a tracer stands in for a
# signal arriving between any two lines of a wait), then reports how many times it ran.
HANDLER_AT_EVERY_LINE = """
import sys
from devtools.supervisor import WAKER as Waker

waker = Waker()
runs = 0

def at_each_line(frame, event, arg):
    global runs
    if event == "line" and frame.f_code.co_name == "wait":
        runs += 1
        waker.set()  # what the supervisor's signal handler does
    return at_each_line

sys.settrace(lambda frame, event, arg: at_each_line)
for _ in range(50):
    waker.clear()
    waker.wait(0.01)
sys.settrace(None)
print(runs)
"""


def test_a_stop_signal_arriving_anywhere_in_a_wait_never_deadlocks_the_supervisor() -> None:
    # The supervisor's waits are woken from its signal handler. A handler that takes a lock the
    # interrupted wait holds (threading.Event.set inside Event.wait) hung a real stack on
    # SIGTERM for good; the handler must be able to run at any line of a wait.
    done = subprocess.run(
        [sys.executable, "-c", HANDLER_AT_EVERY_LINE],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) >= 50
