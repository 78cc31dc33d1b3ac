"""Serving a WSGI app with Werkzeug's threaded server, stopping gracefully (``policyline web``).

Werkzeug's development server dies on SIGTERM with requests half done. ``serve`` instead, on
SIGTERM, SIGINT or SIGHUP (``bot.lifecycle``):

1. stops accepting connections (the listening socket is closed);
2. answers any request that still arrives on an open keep-alive connection with 503 and
   ``Retry-After`` (``Connection: close``), so the client retries elsewhere or later;
3. waits up to ``SHUTDOWN_GRACE_S`` for the requests in flight to finish, then returns.

Production runs the same app under gunicorn, whose own graceful stop does this
(``--graceful-timeout``, docs/deployment.md).
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from types import FrameType
from typing import Any

from werkzeug.serving import WSGIRequestHandler, make_server

from bot.lifecycle import RETRY_AFTER_S, SHUTDOWN_GRACE_S, STOP_SIGNALS

log = logging.getLogger("bot.web")

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


class DrainingApp:
    """WSGI middleware: counts requests in flight; refuses new ones once draining."""

    def __init__(self, app: WsgiApp) -> None:
        self._app = app
        self._in_flight = 0
        self._changed = threading.Condition()
        self.draining = False

    @property
    def in_flight(self) -> int:
        return self._in_flight

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if self.draining:
            start_response(
                "503 Service Unavailable",
                [
                    ("Content-Type", "text/plain; charset=utf-8"),
                    ("Retry-After", str(RETRY_AFTER_S)),
                    ("Connection", "close"),
                ],
            )
            return [b"The server is restarting; please try again in a few seconds.\n"]
        with self._changed:
            self._in_flight += 1
        try:
            body = self._app(environ, start_response)
        except BaseException:
            self._done()
            raise
        return self._closing(body)

    def _closing(self, body: Iterable[bytes]) -> Iterator[bytes]:
        # A request is finished when its body has been sent (the server closes the iterator).
        try:
            yield from body
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()
            self._done()

    def _done(self) -> None:
        with self._changed:
            self._in_flight -= 1
            self._changed.notify_all()

    def wait_idle(self, timeout_s: float) -> int:
        """Wait until no request is in flight or ``timeout_s`` passed; how many still are."""
        deadline = time.monotonic() + timeout_s
        with self._changed:
            while self._in_flight and (left := deadline - time.monotonic()) > 0:
                self._changed.wait(left)
            return self._in_flight


def serve(
    app: WsgiApp,
    host: str,
    port: int,
    *,
    request_handler: type[WSGIRequestHandler] | None = None,
    grace_s: float = SHUTDOWN_GRACE_S,
) -> int:
    """Serve ``app`` on ``host:port`` until a stop signal; returns the exit code (0)."""
    draining = DrainingApp(app)
    server = make_server(host, port, draining, threaded=True, request_handler=request_handler)
    stopping = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        if stopping.is_set():
            return
        stopping.set()
        draining.draining = True
        # ``shutdown`` waits for ``serve_forever`` (this thread): call it from another one.
        threading.Thread(target=server.shutdown, daemon=True).start()

    for sig in STOP_SIGNALS:
        signal.signal(sig, on_signal)
    print(f"web app listening on http://{host}:{port}", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()
    began = time.monotonic()
    left = draining.wait_idle(grace_s)
    if left:
        log.warning("web app stopping with %d requests unfinished after %g s", left, grace_s)
    else:
        took = time.monotonic() - began
        print(f"web app stopped ({took:.1f} s for requests in flight)", file=sys.stderr, flush=True)
    return 0
