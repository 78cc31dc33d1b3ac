"""``python -m tests.support.supervised STATE_FILE STOP_TIMEOUT SPEC_JSON...``: a Supervisor over
the given processes, as ``policyline run`` runs it; prints ``READY <pid> ...`` once they are.

Each SPEC_JSON is ``{"name", "argv", "port"}`` plus optional ``"tier"`` and ``"startup_timeout"``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from devtools.supervisor import ProcessSpec, Supervisor
from tests.support.servers import PROJECT_ROOT


def main(argv: list[str]) -> int:
    state_file, stop_timeout, *raw_specs = argv
    specs = [
        ProcessSpec(
            s["name"],
            s["argv"],
            s["port"],
            startup_timeout_s=s.get("startup_timeout", 30),
            tier=s.get("tier", 0),
        )
        for s in map(json.loads, raw_specs)
    ]
    supervisor = Supervisor(
        specs, cwd=PROJECT_ROOT, state_file=Path(state_file), stop_timeout_s=float(stop_timeout)
    )

    def ready() -> None:
        pids = " ".join(f"{name}={pid}" for name, pid in supervisor.pids.items())
        supervisor.say(f"READY {pids}")

    return supervisor.run(on_ready=ready)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
