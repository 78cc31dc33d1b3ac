"""CSRF protection and rate limits for the whole web app (one instance each, bound per app).

- ``csrf``: Flask-WTF ``CSRFProtect``. Every POST/PUT/PATCH/DELETE needs the session's token in
  the form (``csrf_token``) or the ``X-CSRFToken`` header. Endpoints that authenticate their
  caller another way (signed webhooks) opt out with ``csrf.exempt(view)``.
- ``limiter``: Flask-Limiter keyed by client address; Redis storage when ``REDIS_URL`` is set
  (counters shared by every web process), in-process memory otherwise. ``auth_rate_limit`` is
  the decorator for authentication endpoints (limit from ``AUTH_RATE_LIMIT``; POSTs only).
  Behind a load balancer, wrap the app in ``werkzeug.middleware.proxy_fix.ProxyFix`` so the
  client address is the real one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

from flask import current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect

F = TypeVar("F", bound=Callable[..., Any])

csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address)


def _auth_limit() -> str:
    return str(current_app.config["AUTH_RATE_LIMIT"])


def auth_rate_limit(view: F) -> F:
    """Rate-limit an authentication endpoint (its POSTs) per client address."""
    return cast(F, limiter.limit(_auth_limit, methods=["POST"])(view))
