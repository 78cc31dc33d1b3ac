"""Only the Rasa server may call the action server: every request carries the shared secret.

The action server answers with policyholders' data, so it must not trust whoever can reach its
port. ``install_guard`` adds a Sanic request middleware that compares the ``Authorization`` header
with ``Bearer <ACTION_SERVER_SECRET>`` in constant time and refuses anything else with an empty
401 (nothing that helps a guesser). ``/health`` stays open for the supervisor and load balancers.
Rasa sends the header from ``endpoints.yml`` (``action_endpoint.headers``).

Installed by the rasa-sdk plugin hook (``rasa_sdk_plugins``), so every ``rasa run actions`` in an
environment where Policyline is installed is guarded, however it was started.
"""

from __future__ import annotations

import hmac
import logging

from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, empty

logger = logging.getLogger(__name__)

AUTH_HEADER = "Authorization"
OPEN_PATHS = frozenset({"/health"})


def bearer(secret: str) -> str:
    """The header value Rasa sends for ``secret``."""
    return f"Bearer {secret}"


def install_guard(app: Sanic, secret: str) -> None:
    """Refuse every request to ``app`` but ``/health`` that lacks the shared secret."""
    if not secret:
        raise ValueError("the action server needs a shared secret")
    expected = bearer(secret).encode()

    @app.middleware("request")  # type: ignore[misc]
    async def require_shared_secret(request: Request) -> HTTPResponse | None:
        if request.path in OPEN_PATHS:
            return None
        given = (request.headers.get(AUTH_HEADER) or "").encode()
        if hmac.compare_digest(given, expected):
            return None
        # The path only: never the body (a tracker) nor the header that was sent.
        logger.warning("refused a call without the shared secret to %s", request.path)
        return empty(status=401)
