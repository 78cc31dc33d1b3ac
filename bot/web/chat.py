"""The web chat widget: ``GET /chat`` (a standalone page) and the embeddable widget's files.

The browser talks to the Rasa server directly over socket.io (``channels/web_chat.py``); this
blueprint only serves the page, the widget's JavaScript and CSS (no build step, nothing from a
CDN: the socket.io client is vendored under ``static/chat/vendor``), and the signed hand-over
token of a signed-in visitor.

Signed-in visitors: the signed-in policyholder of the request (``bot.web.auth``, MFA done) gets
a fresh 120-second hand-over token on each page render (``bot.conversation.web_handover``),
good for one conversation while this web session lives (sign-out revokes it), and the widget
sends it as message metadata ``web_token``; the actions accept it.

Embedding on another page of the web app: ``{% include "chat/_widget.html" %}`` with
``chat=chat_widget_context(embedded=True)`` in the template context, plus the widget's CSS and
scripts (see ``templates/chat/page.html``). Registering the blueprint adds the Rasa server's
origins to the app-wide CSP ``connect-src`` (``bot.web.security_headers``); the /chat page sends
its own stricter policy (``chat_csp``).

Every response carries a strict Content-Security-Policy: scripts and styles from this origin only
(no inline script or style), and connections only to this origin and the Rasa server.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Response, current_app, render_template
from flask.blueprints import BlueprintSetupState

from bot.phone_numbers import display_phone
from bot.settings import Settings, WebChatSettings
from bot.web.auth.flow import handovers
from bot.web.auth.guards import current_principal
from bot.web.auth.web_sessions import current_session_key
from bot.web.security_headers import NOTHING_CSP, allow_app_wide, page_policy

bp = Blueprint(
    "chat",
    __name__,
    static_folder="static/chat",
    static_url_path="/chat/static",
)

SOCKETIO_PATH = "/socket.io/"
SOCKETIO_CLIENT = "vendor/socket.io-4.8.1.min.js"
_CARRIED_ASSURANCE = ("verified", "mfa")


def _web_chat_settings() -> WebChatSettings:
    settings: Settings = current_app.config["POLICYLINE_SETTINGS"]
    return settings.web_chat


def socket_origins(rasa_public_url: str) -> list[str]:
    """The origins the browser's socket.io client connects to (HTTP polling and WebSocket)."""
    parts = urlsplit(rasa_public_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"RASA_PUBLIC_URL must be an http(s) URL, got {rasa_public_url!r}")
    ws_scheme = "wss" if parts.scheme == "https" else "ws"
    return [f"{parts.scheme}://{parts.netloc}", f"{ws_scheme}://{parts.netloc}"]


def chat_csp(rasa_public_url: str) -> str:
    """A strict Content-Security-Policy for pages that show the widget."""
    return page_policy(
        add={"connect-src": socket_origins(rasa_public_url)}, replace={"form-action": ["'none'"]}
    )


def handover_token() -> str | None:
    """A fresh hand-over token for a signed-in policyholder, bound to this web session (good
    once, while the session lives), or ``None`` for anyone else."""
    principal = current_principal()
    if principal is None or not principal.is_policyholder or not principal.holder_id:
        return None
    if principal.assurance not in _CARRIED_ASSURANCE:
        return None
    web_session = current_session_key()
    if web_session is None:
        return None
    return handovers().mint(principal.holder_id, principal.assurance, web_session=web_session)


def chat_widget_context(*, embedded: bool) -> dict[str, Any]:
    """What ``chat/_widget.html`` needs to render the widget."""
    settings = _web_chat_settings()
    return {
        "mode": "embedded" if embedded else "page",
        "rasa_url": settings.rasa_public_url,
        "socket_path": SOCKETIO_PATH,
        "max_chars": settings.max_message_chars,
        "handover_token": handover_token(),
        "carrier_name": current_app.config["CARRIER_NAME"],
        "contact_phone": current_app.config["CONTACT_CENTRE_PHONE"],
        "contact_phone_display": display_phone(current_app.config["CONTACT_CENTRE_PHONE"]),
        "socketio_client": SOCKETIO_CLIENT,
    }


@bp.get("/chat")
def chat_page() -> Response:
    """The standalone chat page (mobile-first; the widget fills the screen)."""
    body = render_template("chat/page.html", chat=chat_widget_context(embedded=False))
    response = Response(body, mimetype="text/html")
    response.headers["Content-Security-Policy"] = chat_csp(_web_chat_settings().rasa_public_url)
    # The page holds a short-lived hand-over token for signed-in visitors: never cache it.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.record_once
def _allow_socket_connections(state: BlueprintSetupState) -> None:
    """Pages that embed the widget may connect to the Rasa server (app-wide CSP)."""
    settings: Settings = state.app.config["POLICYLINE_SETTINGS"]
    allow_app_wide(state.app, "connect-src", socket_origins(settings.web_chat.rasa_public_url))


@bp.after_request
def _static_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", NOTHING_CSP)
    return response
