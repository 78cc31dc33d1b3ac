"""Which ports of the stack are taken, and by whom: what ``policyline run`` checks before it starts.

A port is taken when a test bind on the interface the process listens on fails (as the server's
own bind would). The holder is found through ``/proc`` (Linux): the listening socket's inode in
``/proc/net/tcp{,6}``, then the process whose file descriptors include it. That works for this
user's processes (all of them as root); otherwise the holder is unknown and the message says so.

Every process ``policyline run`` starts carries two variables (``STACK_MARKERS``): the
supervisor's pid and its state file. A holder that has them is part of a Policyline stack,
running (its supervisor is alive) or left over from one whose supervisor is gone.
"""

from __future__ import annotations

import errno
import os
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from devtools.stack_state import StackState

SUPERVISOR_PID_VARIABLE = "POLICYLINE_SUPERVISOR_PID"
STACK_FILE_VARIABLE = "POLICYLINE_STACK_FILE"
STACK_MARKERS = (SUPERVISOR_PID_VARIABLE, STACK_FILE_VARIABLE)

_PROC = Path("/proc")
_LISTEN = "0A"  # TCP state in /proc/net/tcp
_COMMAND_CHARS = 90
# Command lines of Policyline processes started without a supervisor (by hand, or by an older
# `policyline run` that did not mark its children).
_POLICYLINE_COMMANDS = (
    "pas_sandbox",
    "devtools.",  # the sandbox and localstripe launchers, the `policyline` command
    "bot.web",
    "bot.cli",  # the `policyline` command before it moved to devtools/
    "policyline",
    "rasa run",
    "channels.rasa_server",  # the Rasa server (devtools.cli.rasa_server_command)
)


@dataclass(frozen=True)
class PortUse:
    """One process of the stack and the port it needs."""

    name: str
    port: int
    setting: str  # the environment variable that moves the port
    host: str = "127.0.0.1"


@dataclass(frozen=True)
class PortHolder:
    pid: int
    command: str
    supervisor_pid: int | None = None  # set when a Policyline supervisor started it
    stack_file: str | None = None

    @property
    def in_a_stack(self) -> bool:
        return self.supervisor_pid is not None

    @property
    def looks_like_policyline(self) -> bool:
        return self.in_a_stack or any(mark in self.command for mark in _POLICYLINE_COMMANDS)

    @property
    def supervisor_alive(self) -> bool:
        """Its supervisor still runs: the stack file it names describes that same live process."""
        if self.supervisor_pid is None or self.stack_file is None:
            return False
        state = StackState.read(Path(self.stack_file))
        return (
            state is not None
            and state.supervisor_pid == self.supervisor_pid
            and state.supervisor_alive
        )


@dataclass(frozen=True)
class PortConflict:
    use: PortUse
    holder: PortHolder | None = None
    # Another process of the same stack is configured on this port (a settings mistake).
    same_port_as: str | None = None

    def message(self) -> str:
        """One line: the port, the setting that moves it, who holds it, what to do."""
        use = self.use
        head = f"port {use.port} is taken ({use.name}; {use.setting} moves it)"
        if self.same_port_as is not None:
            return f"{head}: {self.same_port_as} is configured on the same port; move one of them"
        holder = self.holder
        if holder is None:
            return (
                f"{head}: held by a process this user cannot see "
                f"(`sudo ss -ltnp 'sport = :{use.port}'` names it)"
            )
        who = f"pid {holder.pid} ({holder.command})"
        if holder.in_a_stack and holder.supervisor_alive:
            return (
                f"{head}: {who} belongs to a running Policyline stack (supervisor pid "
                f"{holder.supervisor_pid}); `policyline status` shows it"
            )
        if holder.in_a_stack:
            return (
                f"{head}: {who} is left over from an earlier Policyline stack whose supervisor "
                f"(pid {holder.supervisor_pid}) is gone; stop it with `kill {holder.pid}`"
            )
        if holder.looks_like_policyline:
            return (
                f"{head}: {who} looks like a Policyline process started outside "
                f"`policyline run`; stop it with `kill {holder.pid}`"
            )
        return f"{head}: held by {who}"


def find_conflicts(uses: Sequence[PortUse]) -> list[PortConflict]:
    """Every port in ``uses`` that cannot be bound now, in order (nothing is left bound)."""
    conflicts: list[PortConflict] = []
    first_user: dict[int, str] = {}
    for use in uses:
        if use.port in first_user:
            conflicts.append(PortConflict(use, same_port_as=first_user[use.port]))
            continue
        first_user[use.port] = use.name
        if not port_is_free(use.host, use.port):
            conflicts.append(PortConflict(use, holder=listening_process(use.port)))
    return conflicts


def running_stack(conflicts: Sequence[PortConflict]) -> PortHolder | None:
    """A holder standing for the running stack when every conflict is one live stack's port."""
    holders = [c.holder for c in conflicts]
    if not holders or any(h is None or not h.supervisor_alive for h in holders):
        return None
    supervisors = {h.supervisor_pid for h in holders if h is not None}
    return holders[0] if len(supervisors) == 1 else None


def port_is_free(host: str, port: int) -> bool:
    """True when a server could listen on ``host:port`` now (the same bind the servers do)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                return False
            raise
    return True


def listening_process(port: int) -> PortHolder | None:
    """The process with a socket listening on ``port`` (any interface), when it can be known."""
    inodes = _listening_inodes(port)
    if not inodes:
        return None
    for pid in _pids():
        try:
            fds = list((_PROC / str(pid) / "fd").iterdir())
        except OSError:
            continue
        for fd in fds:
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:[") and target[8:-1] in inodes:
                return _holder(pid)
    return None


def process_environment(pid: int) -> dict[str, str]:
    """Another process's environment (``/proc/<pid>/environ``; empty when unreadable)."""
    try:
        raw = (_PROC / str(pid) / "environ").read_bytes()
    except OSError:
        return {}
    env: dict[str, str] = {}
    for item in raw.split(b"\0"):
        key, sep, value = item.partition(b"=")
        if sep:
            env[key.decode("utf-8", "replace")] = value.decode("utf-8", "replace")
    return env


def command_line(pid: int) -> str:
    try:
        raw = (_PROC / str(pid) / "cmdline").read_bytes()
    except OSError:
        return "?"
    parts = [p.decode("utf-8", "replace") for p in raw.split(b"\0") if p]
    # Interpreter paths say little: `python -m bot.web --port 8000` reads better.
    if parts and Path(parts[0]).name.startswith("python"):
        parts[0] = "python"
    text = " ".join(" ".join(parts).split()) or "?"  # one line, whatever the arguments hold
    return text if len(text) <= _COMMAND_CHARS else text[: _COMMAND_CHARS - 1] + "…"


def _holder(pid: int) -> PortHolder:
    env = process_environment(pid)
    raw_supervisor = env.get(SUPERVISOR_PID_VARIABLE, "")
    return PortHolder(
        pid=pid,
        command=command_line(pid),
        supervisor_pid=int(raw_supervisor) if raw_supervisor.isdigit() else None,
        stack_file=env.get(STACK_FILE_VARIABLE) or None,
    )


def _listening_inodes(port: int) -> set[str]:
    inodes: set[str] = set()
    for table in ("tcp", "tcp6"):
        try:
            lines = (_PROC / "net" / table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) < 10 or fields[3] != _LISTEN:
                continue
            local_port = int(fields[1].rsplit(":", 1)[1], 16)
            if local_port == port:
                inodes.add(fields[9])
    return inodes


def _pids() -> list[int]:
    try:
        return sorted(int(p.name) for p in _PROC.iterdir() if p.name.isdigit())
    except OSError:
        return []
