"""``var/stack.json``: what a running ``policyline run`` started, where, and since when.

The supervisor writes it once its processes are started and removes it when they have stopped;
``policyline status`` reads it and asks each process's health URL, and a second
``policyline run`` reads it to tell a running stack from an unrelated process on a port.

The supervisor is identified by its pid *and* the kernel's start time of that pid, so a file left
behind by a supervisor killed with SIGKILL never makes a later process with a reused pid look
like a running stack.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

STATE_FILE_NAME = "stack.json"


@dataclass(frozen=True)
class ProcessState:
    name: str
    pid: int
    port: int
    health_url: str
    started_at: str  # ISO 8601, UTC


@dataclass(frozen=True)
class StackState:
    supervisor_pid: int
    supervisor_start_ticks: int
    started_at: str
    processes: list[ProcessState] = field(default_factory=list)

    @classmethod
    def for_this_process(cls, processes: list[ProcessState]) -> StackState:
        pid = os.getpid()
        return cls(pid, process_start_ticks(pid) or 0, utc_now_iso(), processes)

    @property
    def supervisor_alive(self) -> bool:
        ticks = process_start_ticks(self.supervisor_pid)
        return ticks is not None and ticks == self.supervisor_start_ticks

    def write(self, path: Path) -> None:
        """Replace ``path`` atomically (a reader never sees half a file)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(f".{path.name}.{os.getpid()}")
        temp.write_text(json.dumps(asdict(self), indent=2) + "\n", encoding="utf-8")
        os.replace(temp, path)

    @classmethod
    def read(cls, path: Path) -> StackState | None:
        try:
            data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
            return cls(
                supervisor_pid=int(data["supervisor_pid"]),
                supervisor_start_ticks=int(data["supervisor_start_ticks"]),
                started_at=str(data["started_at"]),
                processes=[ProcessState(**p) for p in data.get("processes", [])],
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def remove_if_mine(self, path: Path) -> None:
        """Delete ``path`` if it still describes this stack (not a newer one's)."""
        current = StackState.read(path)
        if current is not None and current.supervisor_pid == self.supervisor_pid:
            path.unlink(missing_ok=True)


def process_start_ticks(pid: int) -> int | None:
    """When ``pid`` started, in clock ticks since boot (``/proc/<pid>/stat``); None if gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[-1].split()
    if not fields or fields[0] == "Z":
        return None
    # Field 22 of stat is starttime; fields[0] here is field 3 (the state).
    return int(fields[19])


def utc_now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
