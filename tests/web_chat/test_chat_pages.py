"""The web app side of the widget: the /chat page, its files and its headers (Flask test client).

Signed-in visitors sign in through the real pages (tests/web/auth_fixtures.py).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask

from bot.conversation.web_handover import verify_web_handover
from bot.settings import ConfigurationError, Settings
from bot.web.chat import socket_origins
from tests.web.auth_fixtures import make_web_app, sign_in_policyholder, sign_in_staff

RASA = "https://bot.insure.example"
TOKEN = re.compile(r'data-handover-token="([^"]+)"')


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    return make_web_app(tmp_path, env={"RASA_PUBLIC_URL": RASA})


def test_the_chat_page_is_accessible_markup_with_no_inline_script(app: Flask) -> None:
    response = app.test_client().get("/chat")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'role="log"' in html and 'aria-live="polite"' in html
    assert 'role="status"' in html
    assert '<label class="plc-label" for="plc-input">Your message</label>' in html
    assert '<button class="plc-send" id="plc-send" type="submit">Send</button>' in html
    assert '<html lang="en">' in html
    # Every script is a file from this origin; no inline script or style, no CDN.
    scripts = re.findall(r"<script([^>]*)>", html)
    assert scripts and all('src="/chat/static/' in attrs for attrs in scripts)
    assert "<style" not in html and "style=" not in html
    assert f'data-rasa-url="{RASA}"' in html
    assert "data-handover-token" not in html  # an anonymous visitor


def test_the_chat_page_has_a_strict_csp_that_only_reaches_the_rasa_server(app: Flask) -> None:
    response = app.test_client().get("/chat")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert f"connect-src 'self' {RASA} wss://bot.insure.example" in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["Cache-Control"] == "no-store"


def test_other_pages_may_embed_the_widget_because_the_app_csp_allows_the_rasa_origin(
    app: Flask,
) -> None:
    connect = app.config["CONTENT_SECURITY_POLICY"]["connect-src"]
    assert RASA in connect and "wss://bot.insure.example" in connect


def test_the_widget_files_are_served_from_the_app(app: Flask) -> None:
    client = app.test_client()
    script = client.get("/chat/static/widget.js")
    assert script.status_code == 200 and script.mimetype == "text/javascript"
    assert client.get("/chat/static/widget.css").mimetype == "text/css"
    vendored = client.get("/chat/static/vendor/socket.io-4.8.1.min.js").get_data(as_text=True)
    assert vendored.startswith("/*!\n * Socket.IO v4.8.1") and "MIT License" in vendored[:200]


def test_a_signed_in_policyholder_gets_a_hand_over_token_for_their_holder_id(
    app: Flask,
) -> None:
    client = app.test_client()
    sign_in_policyholder(app, client, holder_id="H0000001")
    html = client.get("/chat").get_data(as_text=True)
    match = TOKEN.search(html)
    assert match, "no hand-over token on the page"
    handover = verify_web_handover(match.group(1), secret_key=app.config["SECRET_KEY"])
    assert handover.holder_id == "H0000001"
    assert handover.assurance == "mfa"


def test_staff_get_no_hand_over_token(app: Flask) -> None:
    client = app.test_client()
    sign_in_staff(app, client)
    assert "data-handover-token" not in client.get("/chat").get_data(as_text=True)


def test_the_rasa_url_must_be_http_or_https() -> None:
    assert socket_origins("http://127.0.0.1:5005") == [
        "http://127.0.0.1:5005",
        "ws://127.0.0.1:5005",
    ]
    with pytest.raises(ValueError):
        socket_origins("javascript:alert(1)")


def test_allowed_origins_default_to_the_public_base_url_and_refuse_wildcards_in_production() -> (
    None
):
    local = Settings.from_env({"PUBLIC_BASE_URL": "https://app.insure.example/portal"})
    assert local.web_chat.allowed_origins[0] == "https://app.insure.example"
    with pytest.raises(ConfigurationError, match="wildcards"):
        Settings.from_env(
            {
                "POLICYLINE_ENV": "production",
                "WEB_CHAT_ALLOWED_ORIGINS": "https://app.insure.example:*",
                "AUDIT_HASH_KEY": "a",
                "APP_SECRET_KEY": "b",
                "PAS_HMAC_SECRET": "c",
                "PAS_SANDBOX_ADMIN_TOKEN": "d",
                "TRACKER_ENCRYPTION_KEY": "e",
                "ACTION_SERVER_SECRET": "f",
            }
        )
