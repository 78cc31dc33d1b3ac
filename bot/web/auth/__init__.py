"""Authentication for the web app: registration, sign-in with MFA, sessions, account security.

``guards`` is the stable API other blueprints use (``current_principal``,
``policyholder_required``, ``staff_required``). ``init_app(app)`` wires the rest into an app:

- the account services (``bot.accounts``), or the ones ``test_config`` supplies, and the
  signer of chat hand-over tokens (``bot.conversation.web_handover``) on the same database;
- the server-side session store and its cookie (see ``web_sessions`` for the cookie decision);
- CSRF protection and rate limits for the whole app (``protection``);
- the principal loader (``before_request``) and the ``auth`` blueprint (``/auth/...``).

The engine, clock and PAS are the app's composition root (``bot.web.root``). ``test_config``
keys it reads: ``ACCOUNT_SERVICES`` (a built ``AccountServices``), or the parts
``AUTH_PAS_RECORDS``, ``AUTH_SMS_SENDER``, ``AUTH_EMAIL_SENDER``, ``AUTH_PASSWORD_HASHER``;
``AUTH_RATE_LIMIT``; ``AUTH_FAILED_SIGN_IN_LIMIT``; ``AUTH_POLICYHOLDER_HOME`` /
``AUTH_STAFF_HOME`` (endpoints to land on after sign-in).
"""

from __future__ import annotations

from ipaddress import ip_address
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, render_template
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError

from bot.accounts.composition import AccountServices, build_account_services
from bot.accounts.pas_records import PasPolicyholderRecords
from bot.conversation.web_handover import build_web_handovers
from bot.phone_numbers import display_phone
from bot.settings import ConfigurationError, Settings
from bot.web.root import web_root

# POSTs that authenticate their caller by a signature (Stripe, Twilio), not a browser session.
CSRF_EXEMPT_VIEWS = ("bot.web.payments.stripe_webhook", "bot.web.payments.ivr_pay_callback")
SESSION_COOKIE = "policyline-session"
DEVICE_COOKIE = "policyline-device"


def secure_cookies(public_base_url: str) -> bool:
    """Secure (and ``__Host-``) cookies over https, and over http on loopback only."""
    parts = urlsplit(public_base_url)
    if parts.scheme == "https":
        return True
    host = parts.hostname or ""
    if host == "localhost":
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


def init_app(app: Flask) -> None:
    from bot.web.auth import account, mfa, registration, sign_in  # noqa: F401  (routes)
    from bot.web.auth.blueprint import bp
    from bot.web.auth.flow import HANDOVERS_KEY, SERVICES_KEY, load_principal
    from bot.web.auth.protection import csrf, limiter
    from bot.web.auth.web_sessions import DatabaseSessionInterface

    settings: Settings = app.config["POLICYLINE_SETTINGS"]
    secure = secure_cookies(app.config["PUBLIC_BASE_URL"])
    if not secure and not settings.is_local:
        raise ConfigurationError("PUBLIC_BASE_URL must be https outside local and test")
    services: AccountServices | None = app.config.get("ACCOUNT_SERVICES")
    if services is None:
        root = web_root(app)
        services = build_account_services(
            settings,
            root.engine,
            clock=root.clock,
            records=app.config.get("AUTH_PAS_RECORDS") or PasPolicyholderRecords(root.pas),
            sms=app.config.get("AUTH_SMS_SENDER"),
            email=app.config.get("AUTH_EMAIL_SENDER"),
            hasher=app.config.get("AUTH_PASSWORD_HASHER"),
        )
    app.extensions[SERVICES_KEY] = services
    app.extensions[HANDOVERS_KEY] = build_web_handovers(
        app.config["SECRET_KEY"],
        services.engine,
        session_idle_s=settings.auth.session_idle_s,
        clock=services.clock,
    )

    prefix = "__Host-" if secure else ""
    app.config.update(
        SESSION_COOKIE_NAME=prefix + SESSION_COOKIE,
        SESSION_COOKIE_SECURE=secure,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_PATH="/",
        SESSION_COOKIE_DOMAIN=None,
        AUTH_DEVICE_COOKIE_NAME=prefix + DEVICE_COOKIE,
    )
    app.config.setdefault("AUTH_RATE_LIMIT", settings.auth.rate_limit_auth)
    lockout = services.sign_in.lockouts.policy
    app.config.setdefault(
        "AUTH_FAILED_SIGN_IN_LIMIT",
        f"{lockout.source_max_failures} per {int(lockout.lock_period.total_seconds())} seconds",
    )
    # Where a sign-in lands when no page was asked for (the security page if these are absent).
    app.config.setdefault("AUTH_POLICYHOLDER_HOME", "account.home")
    app.config.setdefault("AUTH_STAFF_HOME", "staff.index")
    app.config.setdefault("RATELIMIT_STORAGE_URI", settings.cache.redis_url or "memory://")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    # The CSRF token lives as long as the session (which has its own timeouts).
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    app.session_interface = DatabaseSessionInterface(
        services.engine,
        services.clock,
        idle_s=settings.auth.session_idle_s,
        absolute_s=settings.auth.session_absolute_s,
    )
    csrf.init_app(app)
    for view in CSRF_EXEMPT_VIEWS:
        csrf.exempt(view)
    limiter.init_app(app)
    app.before_request(load_principal)

    contact_phone = display_phone(settings.contact_centre_phone)

    @app.context_processor
    def _session_timeout() -> dict[str, Any]:
        from bot.web.auth.guards import current_principal

        return {
            "contact_phone_display": contact_phone,
            "auth_timeout": {
                "idle_s": settings.auth.session_idle_s,
                "warn_s": settings.auth.session_warning_s,
            }
            if current_principal() is not None
            else None,
        }

    @app.errorhandler(CSRFError)
    def _csrf_error(exc: CSRFError):  # type: ignore[no-untyped-def]
        return _error(
            400,
            "This form has expired",
            "For your security, forms stop working after a while or when opened in another "
            "window. Go back, reload the page and try again.",
        )

    @app.errorhandler(RateLimitExceeded)
    def _rate_limited(exc: RateLimitExceeded):  # type: ignore[no-untyped-def]
        return _error(
            429, "Too many attempts", "Please wait a few minutes before trying again, or call us."
        )

    app.register_blueprint(bp)


def _error(status: int, title: str, message: str):  # type: ignore[no-untyped-def]
    body = render_template("error.html", title=title, message=message)
    return body, status, {"Cache-Control": "no-store", "Content-Type": "text/html; charset=utf-8"}
