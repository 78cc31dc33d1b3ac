"""``python -m bot.web --port 8000``: serve the web app (what ``policyline web`` runs).

Werkzeug's threaded server is enough for the local stack, stopped gracefully on SIGTERM
(``bot.web.graceful``); production runs ``create_app`` under gunicorn behind the load balancer.
"""

from __future__ import annotations

import argparse
import re
import sys
from typing import Any

from werkzeug.serving import WSGIRequestHandler

from bot.settings import Settings
from bot.web import create_app
from bot.web.graceful import serve

# Document and pay link tokens are bearer secrets: never in the access log.
_DOCUMENT_TOKEN = re.compile(r"/(d|pay)/[^\s?/]+")


class RedactingRequestHandler(WSGIRequestHandler):
    """Werkzeug's access log without document link tokens (they are bearer secrets)."""

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        # Werkzeug logs ``self.path`` (or the raw request line when the path is unset); the
        # response has been sent by now, so both can be redacted in place.
        if hasattr(self, "path"):
            self.path = _DOCUMENT_TOKEN.sub(r"/\1/<token>", self.path)
        self.requestline = _DOCUMENT_TOKEN.sub(r"/\1/<token>", getattr(self, "requestline", ""))
        super().log_request(*args, **kwargs)


def main(argv: list[str] | None = None) -> int:
    settings = Settings.from_env()
    parser = argparse.ArgumentParser(prog="python -m bot.web", description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=settings.web_port)
    args = parser.parse_args(argv)
    app = create_app(settings)
    return serve(app, args.host, args.port, request_handler=RedactingRequestHandler)


if __name__ == "__main__":
    sys.exit(main())
