"""Security headers for every response of the web app.

- Content-Security-Policy from ``app.config["CONTENT_SECURITY_POLICY"]`` (a dict of directive →
  sources that blueprints may extend at ``init_app`` time, e.g. the chat widget's socket.io
  origin in ``connect-src``): no inline script or style anywhere (``'self'`` only), no plugins, no
  framing (``frame-ancestors 'none'``), forms post only to us. A view that needs a different
  policy (a Stripe payment page) sets its own header, which is kept.
- Strict-Transport-Security only when the request arrived over TLS (directly, or behind a proxy
  that ``ProxyFix`` trusts) or the public base URL is https: HSTS over plain http is ignored by
  browsers and would pin a developer's localhost.
- ``Cache-Control: no-store`` on every HTML page served to a signed-in session (pages hold PII).
"""

from __future__ import annotations

from flask import Flask, Response, g, request

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


def init_app(app: Flask) -> None:
    app.config.setdefault(
        "CONTENT_SECURITY_POLICY", {name: list(v) for name, v in DEFAULT_CSP.items()}
    )
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
