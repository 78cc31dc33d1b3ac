"""``policyline web`` stops gracefully: SIGTERM closes the port, lets requests in flight finish
within the grace period, and answers anything still arriving with a retryable 503."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import httpx
from werkzeug.test import Client
from werkzeug.wrappers import Response

from bot.web.graceful import DrainingApp
from tests.support.servers import PROJECT_ROOT, free_port, wait_for_port
from tests.support.waiting import wait_until

# A WSGI app whose /slow request holds until a file appears (the test says when it may finish).
SERVER = """
import sys, time
from pathlib import Path
from bot.web.graceful import serve

gate, port = Path(sys.argv[1]), int(sys.argv[2])

def app(environ, start_response):
    if environ["PATH_INFO"] == "/slow":
        (gate.parent / "in-flight").touch()
        while not gate.exists():
            time.sleep(0.01)
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"done"]

sys.exit(serve(app, "127.0.0.1", port, grace_s=10))
"""


def refused(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except ConnectionRefusedError:
        return True
    except ConnectionResetError:
        pass  # queued just as the listener closed: the next attempt is refused
    return False


def test_sigterm_closes_the_port_and_lets_the_request_in_flight_finish(tmp_path: Path) -> None:
    port, gate = free_port(), tmp_path / "gate"
    proc = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(gate), str(port)],
        cwd=PROJECT_ROOT,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for_port(port, None, 30, "web server")
        result: dict[str, httpx.Response] = {}
        slow = threading.Thread(
            target=lambda: result.update(r=httpx.get(f"http://127.0.0.1:{port}/slow", timeout=30))
        )
        slow.start()
        assert wait_until((tmp_path / "in-flight").exists)

        proc.send_signal(signal.SIGTERM)
        assert wait_until(lambda: refused(port))  # no new connections
        assert proc.poll() is None  # still finishing the request in flight
        gate.touch()
        slow.join(30)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert result["r"].status_code == 200 and result["r"].text == "done"
    assert proc.stderr is not None and "web app stopped" in proc.stderr.read()


def test_a_request_arriving_while_draining_gets_a_retryable_503() -> None:
    draining = DrainingApp(Response("ok"))
    client = Client(draining)
    assert client.get("/").status_code == 200
    assert draining.in_flight == 0

    draining.draining = True
    refused_response = client.get("/")
    assert refused_response.status_code == 503
    assert refused_response.headers["Retry-After"] == "5"
    assert refused_response.headers["Connection"] == "close"
