"""The web app: a Flask app factory with one blueprint per feature.

``create_app(settings=None, test_config=None)`` builds the app from ``bot.settings`` (or the
settings given) and registers the feature blueprints. Services the blueprints use are built here,
once, and kept in ``app.extensions``; tests override them through ``test_config`` (for example
``{"DOCUMENT_SERVICE": service_with_a_fixed_clock}``). Nothing is built at import time.
"""

from __future__ import annotations

import atexit
from collections.abc import Mapping
from typing import Any

from flask import Flask, render_template
from werkzeug.exceptions import HTTPException

from bot.db import make_engine
from bot.money import money
from bot.settings import Settings
from bot.web.root import WebRoot, install, web_root


def create_app(
    settings: Settings | None = None,
    test_config: Mapping[str, Any] | None = None,
    *,
    root: WebRoot | None = None,
) -> Flask:
    """The Policyline web app."""
    settings = settings or Settings.from_env()
    app = Flask(__name__)
    app.config.from_mapping(
        SECRET_KEY=settings.app_secret_key,
        POLICYLINE_SETTINGS=settings,
        DATABASE_URL=settings.database_url,
        PUBLIC_BASE_URL=settings.public_base_url,
        CONTACT_CENTRE_PHONE=settings.contact_centre_phone,
        CARRIER_NAME=settings.carrier_name,
    )
    # Every page writes amounts the one way (bot.money).
    app.add_template_global(money, "money")
    from bot.web import body_limits

    # Limits from settings (test_config may override them); its hook runs before all others.
    body_limits.init_app(app, settings)
    if test_config:
        app.config.update(test_config)
    # The composition root: one engine, one clock, one PAS facade for every blueprint.
    if root is None:
        root = WebRoot.build(settings, engine=make_engine(app.config["DATABASE_URL"]))
        atexit.register(root.close)
    install(app, root)

    from bot.web import documents

    documents.init_app(app)
    app.register_blueprint(documents.bp)

    from bot.web import auth, security_headers

    security_headers.init_app(app)
    auth.init_app(app)

    from bot.web import chat

    app.register_blueprint(chat.bp)

    from bot.web import payments

    payments.init_app(app)
    app.register_blueprint(payments.bp)

    from bot.web import account, staff

    account.init_app(app)
    app.register_blueprint(account.bp)
    staff.init_app(app)
    app.register_blueprint(staff.bp)

    @app.get("/health")
    def _health():  # type: ignore[no-untyped-def]
        # What the supervisor and load balancers ask. A stopping server closes its listener
        # (gunicorn, bot.web.graceful) and answers 503 on open connections (bot.web.graceful).
        return {"status": "ok"}, 200, {"Cache-Control": "no-store"}

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):  # type: ignore[no-untyped-def]
        return _error_page(exc.code or 500, exc.name, exc.description or "")

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):  # type: ignore[no-untyped-def]
        # Never a stack trace to the browser; the log keeps it (no request body is logged).
        app.logger.exception("unhandled error on %s", _safe_path())
        return _error_page(
            500, "Something went wrong", "Please try again in a minute, or call us for help."
        )

    return app


def shutdown(app: Flask) -> None:
    """Close what the app's composition root holds (the PAS loop and connector, the engine)."""
    web_root(app).close()


def _safe_path() -> str:
    from flask import request

    # Document tokens are bearer secrets: log the route, not the token.
    return request.url_rule.rule if request.url_rule else "(no route)"


def _error_page(status: int, title: str, message: str):  # type: ignore[no-untyped-def]
    body = render_template("error.html", title=title, message=message)
    return body, status, {"Cache-Control": "no-store", "Content-Type": "text/html; charset=utf-8"}
