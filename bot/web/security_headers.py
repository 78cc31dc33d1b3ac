"""Security headers for every response of the web app.

- Content-Security-Policy, built here and only here. The app-wide policy is
  ``app.config["CONTENT_SECURITY_POLICY"]`` (a dict of directive → sources) that a blueprint
  extends when it is registered (``allow_app_wide``: the chat widget's socket.io origins in
  ``connect-src``): no inline script or style anywhere (``'self'`` only), no plugins, no framing
  (``frame-ancestors 'none'``), forms post only to us. Pages that need their own policy (the chat
  page, the policyholder home, staff pages, a Stripe payment page) start from the stricter
  ``PAGE_CSP`` and add their sources with ``page_policy``; a header set by a view is kept.
- Strict-Transport-Security only when the request arrived over TLS (directly, or behind a proxy
  that ``ProxyFix`` trusts) or the public base URL is https: HSTS over plain http is ignored by
  browsers and would pin a developer's localhost.
- ``Cache-Control: no-store`` on every HTML page served to a signed-in session (pages hold PII).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from flask import Flask, Response, g, request
from flask.sansio.app import App

DEFAULT_CSP: dict[str, list[str]] = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "font-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
# What a rendered page starts from: nothing unless named, our own scripts and styles only.
PAGE_CSP: dict[str, tuple[str, ...]] = {
    "default-src": ("'none'",),
    "script-src": ("'self'",),
    "style-src": ("'self'",),
    "img-src": ("'self'", "data:"),
    "connect-src": ("'self'",),
    "base-uri": ("'none'",),
    "form-action": ("'self'",),
    "frame-ancestors": ("'none'",),
}
# Static files and other non-pages: they load nothing.
NOTHING_CSP = "default-src 'none'"
HSTS = "max-age=31536000; includeSubDomains"
OTHER_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(self)",
}


def content_security_policy(directives: dict[str, list[str]]) -> str:
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


def _add_sources(directives: dict[str, list[str]], name: str, sources: Sequence[str]) -> None:
    current = directives.setdefault(name, [])
    current.extend(source for source in sources if source not in current)


def page_policy(
    add: Mapping[str, Sequence[str]] | None = None,
    replace: Mapping[str, Sequence[str]] | None = None,
) -> str:
    """``PAGE_CSP`` with ``add``'s sources added and ``replace``'s directives replaced."""
    directives = {name: list(sources) for name, sources in PAGE_CSP.items()}
    for name, sources in (replace or {}).items():
        directives[name] = list(sources)
    for name, sources in (add or {}).items():
        _add_sources(directives, name, sources)
    return content_security_policy(directives)


def allow_app_wide(app: App, directive: str, sources: Sequence[str]) -> None:
    """Add ``sources`` to the app-wide policy's ``directive`` (call when a blueprint registers)."""
    _add_sources(app_policy(app), directive, sources)


def app_policy(app: App) -> dict[str, list[str]]:
    """The app-wide policy's directives (created from ``DEFAULT_CSP`` on first use)."""
    policy: dict[str, list[str]] = app.config.setdefault(
        "CONTENT_SECURITY_POLICY", {name: list(v) for name, v in DEFAULT_CSP.items()}
    )
    return policy


def init_app(app: Flask) -> None:
    app_policy(app)
    behind_tls = str(app.config.get("PUBLIC_BASE_URL", "")).startswith("https://")

    @app.after_request
    def _security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault(
            "Content-Security-Policy",
            content_security_policy(app.config["CONTENT_SECURITY_POLICY"]),
        )
        for name, value in OTHER_HEADERS.items():
            headers.setdefault(name, value)
        if request.is_secure or behind_tls:
            headers.setdefault("Strict-Transport-Security", HSTS)
        if response.mimetype == "text/html" and g.get("policyline_principal") is not None:
            headers["Cache-Control"] = "no-store"
        return response
