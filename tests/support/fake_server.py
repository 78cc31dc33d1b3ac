"""``python -m tests.support.fake_server --port N``: a stand-in child for supervisor tests.

Serves ``GET /health`` (200, or 503 until ``--ready-after`` seconds have passed) on 127.0.0.1.
On SIGTERM it exits after ``--stop-delay`` seconds, or never with ``--ignore-sigterm``;
``--event-log`` records when it got SIGTERM and when it exited.
``--grandchild`` starts a process of its own (a ``sleep``) in its process group, which only a
group-wide signal reaches; its pid is written to ``--pid-file``.
"""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--ready-after", type=float, default=0.0)
    parser.add_argument("--stop-delay", type=float, default=0.0)
    parser.add_argument("--ignore-sigterm", action="store_true")
    parser.add_argument("--grandchild", action="store_true")
    parser.add_argument("--pid-file", type=Path)
    parser.add_argument("--event-log", type=Path, help="append '<port> term|exit <time>' lines")
    args = parser.parse_args()
    began = time.monotonic()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            ready = time.monotonic() - began >= args.ready_after
            self.send_response(200 if ready and self.path == "/health" else 503)
            self.end_headers()

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    if args.grandchild:
        grandchild = subprocess.Popen(["sleep", "600"])
        if args.pid_file is not None:
            args.pid_file.write_text(str(grandchild.pid))
    stop = threading.Event()

    def record(event: str) -> None:
        if args.event_log is not None:
            with args.event_log.open("a") as log:
                log.write(f"{args.port} {event} {time.time():.6f}\n")

    def on_term(*_: Any) -> None:
        record("term")
        if not args.ignore_sigterm:
            stop.set()

    signal.signal(signal.SIGTERM, on_term)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"fake server on {args.port}", flush=True)
    while not stop.wait(0.1):
        pass
    time.sleep(args.stop_delay)  # the in-flight work a real server would finish
    server.server_close()
    record("exit")
    return 0


if __name__ == "__main__":
    sys.exit(main())
