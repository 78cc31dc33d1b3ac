"""CSRF protection and rate limits for the whole web app (one instance each, bound per app).

- ``csrf``: Flask-WTF ``CSRFProtect``. Every POST/PUT/PATCH/DELETE needs the session's token in
  the form (``csrf_token``) or the ``X-CSRFToken`` header. Endpoints that authenticate their
  caller another way (signed webhooks) opt out with ``csrf.exempt(view)``.
- ``limiter``: Flask-Limiter keyed by client address; Redis storage when ``REDIS_URL`` is set
  (counters shared by every web process), in-process memory otherwise. ``auth_rate_limit`` is
  the decorator for authentication endpoints (limit from ``AUTH_RATE_LIMIT``; POSTs only).
  ``failed_sign_in_limit`` throttles the steps before sign-in completes (password, second
  factor) by their *refused* attempts per client address (``AUTH_FAILED_SIGN_IN_LIMIT``, by
  default one fewer than the sign-in lock needs, per lock period): a guesser's address is
  stopped, with the generic 429 page and before any account is looked at, while the lock of
  the e-mail addresses it guessed at is still open to their owners elsewhere.
  Behind a load balancer, wrap the app in ``werkzeug.middleware.proxy_fix.ProxyFix`` so the
  client address is the real one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

from flask import current_app, request
from flask.wrappers import Response
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect

F = TypeVar("F", bound=Callable[..., Any])


# Flask-WTF ships no type information, so its CSRFProtect is Any to mypy.
class _CSRFProtect(CSRFProtect):  # type: ignore[misc]
    """Flask-WTF's CSRF protection, refusing a form with a nameless field instead of failing.

    A multipart part without a ``name`` becomes a form key of ``None`` in Werkzeug, and Flask-WTF's
    search for a prefixed token field calls ``key.endswith`` on it: AttributeError, a 500 on any
    POST (found by tests/security/test_signed_in_web_fuzz.py). Such a form gets the CSRF refusal.
    """

    def _get_csrf_token(self) -> Any:
        if None in request.form:
            self._error_response("The form has a field without a name.")
        return super()._get_csrf_token()


csrf = _CSRFProtect()
limiter = Limiter(key_func=get_remote_address)


def _auth_limit() -> str:
    return str(current_app.config["AUTH_RATE_LIMIT"])


def auth_rate_limit(view: F) -> F:
    """Rate-limit an authentication endpoint (its POSTs) per client address."""
    return cast(F, limiter.limit(_auth_limit, methods=["POST"])(view))


def _failed_sign_in_limit() -> str:
    return str(current_app.config["AUTH_FAILED_SIGN_IN_LIMIT"])


def _not_a_post() -> bool:
    return request.method != "POST"


def _refused(response: Response) -> bool:
    return response.status_code == 401


def failed_sign_in_limit(view: F) -> F:
    """Throttle a sign-in step per client address by its refused (401) POSTs; one count is
    shared by every step so decorated."""
    return cast(
        F,
        limiter.shared_limit(
            _failed_sign_in_limit,
            scope="failed-sign-in",
            exempt_when=_not_a_post,
            deduct_when=_refused,
        )(view),
    )
