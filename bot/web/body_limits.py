"""Request body limits: small on every route, larger only where a route says so.

Every request body may be at most ``Settings.web_body_limits.form_bytes`` (64 KB: forms and JSON),
Flask's ``MAX_CONTENT_LENGTH``. A route that takes files opts in to more, per request::

    @bp.post("/claims/<claim_id>/photos")
    @accepts_uploads                      # Settings.web_body_limits.upload_bytes (10 MB)
    def add_photos(claim_id): ...

    @bp.post("/stripe/webhook")
    @body_limit(512 * 1024)               # a limit of its own
    def stripe_webhook(): ...

``init_app`` puts a hook first among the ``before_request`` hooks: it sets
``request.max_content_length`` (Flask 3.1) for the matched route before any other hook reads the
body (CSRF reads the form), and refuses a declared ``Content-Length`` above the limit before a
byte is read. A body without a length (chunked) is cut off by Werkzeug once reading passes the
limit. Either way the answer is 413 with a short page, or JSON for a JSON request, never a stack
trace.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from flask import Flask, Response, current_app, jsonify, render_template, request
from werkzeug.exceptions import RequestEntityTooLarge

from bot.phone_numbers import display_phone
from bot.settings import Settings

View = TypeVar("View", bound=Callable[..., Any])

UPLOAD_LIMIT_KEY = "MAX_UPLOAD_CONTENT_LENGTH"
# The attribute a decorated view carries: how to find its limit in the app config.
_LIMIT_ATTRIBUTE = "policyline_body_limit"

_LimitOf = Callable[[Mapping[str, Any]], int]


def body_limit(max_bytes: int) -> Callable[[View], View]:
    """Let the decorated view read a body of up to ``max_bytes`` (instead of the form limit)."""
    return _limited_by(lambda _config: max_bytes)


def accepts_uploads(view: View) -> View:
    """Let the decorated view read a body of up to the upload limit (claim photos)."""
    return _limited_by(lambda config: int(config[UPLOAD_LIMIT_KEY]))(view)


def _limited_by(limit_of: _LimitOf) -> Callable[[View], View]:
    def mark(view: View) -> View:
        setattr(view, _LIMIT_ATTRIBUTE, limit_of)
        return view

    return mark


def init_app(app: Flask, settings: Settings) -> None:
    """The app-wide limit, the per-route hook (first of all ``before_request`` hooks, so it runs
    before any hook reads the body) and the 413 answer."""
    app.config["MAX_CONTENT_LENGTH"] = settings.web_body_limits.form_bytes
    app.config[UPLOAD_LIMIT_KEY] = settings.web_body_limits.upload_bytes
    app.before_request_funcs.setdefault(None, []).insert(0, _limit_this_request)
    app.register_error_handler(RequestEntityTooLarge, _too_large)


def _limit_this_request() -> None:
    view = current_app.view_functions.get(request.endpoint or "")
    limit_of: _LimitOf | None = getattr(view, _LIMIT_ATTRIBUTE, None)
    if limit_of is not None:
        request.max_content_length = limit_of(current_app.config)
    limit = request.max_content_length
    if limit is not None and (request.content_length or 0) > limit:
        raise RequestEntityTooLarge()


def _too_large(_exc: RequestEntityTooLarge) -> Response:
    limit = request.max_content_length
    size = f" (at most {_size_words(limit)})" if limit else ""
    phone = display_phone(current_app.config["CONTACT_CENTRE_PHONE"])
    message = (
        f"What you sent is more than we can take here{size}. Please send something smaller, "
        f"or call us at {phone}."
    )
    if request.is_json:
        response = jsonify(error="payload too large", message=message)
    else:
        response = Response(
            render_template("error.html", title="That's too large", message=message)
        )
    response.status_code = 413
    response.headers["Cache-Control"] = "no-store"
    return response


def _size_words(n_bytes: int) -> str:
    """``65536`` → ``64 KB``, ``10485760`` → ``10 MB`` (rounded down)."""
    if n_bytes >= 1024 * 1024:
        return f"{n_bytes // (1024 * 1024)} MB"
    return f"{max(1, n_bytes // 1024)} KB"
