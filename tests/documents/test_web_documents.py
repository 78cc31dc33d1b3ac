"""``GET /d/<token>`` on the web app: the PDF once, with safe headers; clear pages otherwise."""

from __future__ import annotations

import html
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from bot.documents import DocumentKind, DocumentService
from bot.settings import Settings
from bot.web import create_app
from tests.support.app_database import migrated_sqlite


def _page(response) -> str:  # type: ignore[no-untyped-def]
    """The response body as text a person reads (HTML entities decoded)."""
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def app(service: DocumentService, tmp_path: Path) -> Flask:
    settings = Settings.from_env({"POLICYLINE_ENV": "test", "POLICYLINE_VAR_DIR": str(tmp_path)})
    return create_app(settings, {"TESTING": True, "DOCUMENT_SERVICE": service})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def issue(service: DocumentService, persona):  # type: ignore[no-untyped-def]
    def _issue(number: str = "AUT-1000001", kind: DocumentKind = DocumentKind.ID_CARD, **kw):  # type: ignore[no-untyped-def]
        holder, policy = persona(number)
        issued = service.issue_link(
            kind, policy, holder, conversation_id="conv-web", channel="webchat", **kw
        )
        return urlsplit(issued.url).path, issued

    return _issue


def test_link_serves_the_pdf_with_private_no_store_headers(client: FlaskClient, issue) -> None:
    path, issued = issue()
    response = client.get(path)

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    assert len(response.data) == issued.size_bytes
    assert response.headers["Content-Disposition"] == (
        'inline; filename="insurance-id-card-2026-11-25.pdf"'
    )
    assert "no-store" in response.headers["Cache-Control"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "noindex" in response.headers["X-Robots-Tag"]


def test_second_click_gets_a_410_page_saying_the_link_was_used(client: FlaskClient, issue) -> None:
    path, _ = issue()
    assert client.get(path).status_code == 200
    again = client.get(path)
    assert again.status_code == 410
    assert again.mimetype == "text/html"
    assert "This link has already been used" in _page(again)
    assert "no-store" in again.headers["Cache-Control"]


def test_expired_link_gets_a_410_page(client: FlaskClient, issue, clock) -> None:
    path, _ = issue(ttl=timedelta(minutes=15))
    clock.advance(minutes=16)
    response = client.get(path)
    assert response.status_code == 410
    assert "This link has expired" in _page(response)


def test_tampered_or_overlong_token_gets_a_400_page_without_details(
    client: FlaskClient, issue
) -> None:
    path, _ = issue()
    for bad in (path[:-2] + ("AA" if not path.endswith("AA") else "BB"), "/d/" + "x" * 500):
        response = client.get(bad)
        body = _page(response)
        assert response.status_code == 400
        assert "This link isn't valid" in body
        assert "Traceback" not in body and "Signature" not in body
    # The real link still works: a bad attempt does not use it up.
    assert client.get(path).status_code == 200


def test_unknown_link_gets_a_404_page(client: FlaskClient, service, clock) -> None:
    from bot.documents.links import LinkClaims, LinkSigner
    from tests.documents.conftest import SECRET

    token = LinkSigner(SECRET).sign(
        LinkClaims("Z" * 22, DocumentKind.CERTIFICATE, clock.now + timedelta(minutes=1))
    )
    response = client.get(f"/d/{token}")
    assert response.status_code == 404
    assert "We can't find this document" in _page(response)


def test_head_request_checks_without_using_the_link(client: FlaskClient, issue) -> None:
    path, _ = issue()
    head = client.head(path)
    assert head.status_code == 200
    assert head.mimetype == "application/pdf"
    assert head.data == b""
    assert client.get(path).status_code == 200
    assert client.head(path).status_code == 410


def test_unexpected_error_shows_a_plain_500_page_not_a_trace(app: Flask, client, issue) -> None:
    path, _ = issue()

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("database exploded: secret details")

    app.extensions["policyline.documents"].open_link = broken
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get(path)
    body = _page(response)
    assert response.status_code == 500
    assert "Something went wrong" in body
    assert "secret details" not in body and "Traceback" not in body


def test_app_factory_builds_its_own_document_service_from_settings(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {
            "POLICYLINE_ENV": "test",
            "DATABASE_URL": migrated_sqlite(tmp_path / "web.sqlite"),
            "PUBLIC_BASE_URL": "https://docs.example",
        }
    )
    app = create_app(settings)
    service = app.extensions["policyline.documents"]
    assert isinstance(service, DocumentService)
    assert (tmp_path / "web.sqlite").exists()
    response = app.test_client().get("/d/nope")
    assert response.status_code == 400


def test_web_server_access_log_never_contains_a_document_token() -> None:
    from bot.web.__main__ import RedactingRequestHandler

    lines: list[str] = []
    handler = RedactingRequestHandler.__new__(RedactingRequestHandler)
    handler.command, handler.request_version = "GET", "HTTP/1.1"
    handler.path = "/d/Ab3_secret.i.t5x1.SIGNATURE?utm=sms"
    handler.requestline = f"GET {handler.path} HTTP/1.1"
    handler.log = lambda kind, fmt, *args: lines.append(fmt % args)  # type: ignore[method-assign]

    handler.log_request(200, 1234)

    assert len(lines) == 1
    assert "/d/<token>?utm=sms" in lines[0]
    assert "secret" not in lines[0] and "SIGNATURE" not in lines[0]
