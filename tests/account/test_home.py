"""The policyholder home page on the PAS sandbox: own data only, documents, chat, failures."""

from __future__ import annotations

import html
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from bot.conversation.web_handover import verify_web_handover
from bot.db import make_engine
from bot.documents.store import documents_issued
from tests.support.servers import SandboxHandle
from tests.web.auth_fixtures import form_token, sign_in_policyholder, sign_in_staff

MARIA, PRIYA, ROBERT, JOSE = "H0000001", "H0000003", "H0000004", "H0000005"


def signed_in(app: Flask, holder_id: str) -> FlaskClient:
    client = app.test_client()
    sign_in_policyholder(app, client, holder_id=holder_id)
    return client


def issued_count(app: Flask) -> int:
    engine = make_engine(app.config["DATABASE_URL"])
    try:
        with engine.connect() as conn:
            return int(
                conn.execute(select(func.count()).select_from(documents_issued)).scalar_one()
            )
    finally:
        engine.dispose()


def request_document(client: FlaskClient, **form: str):  # type: ignore[no-untyped-def]
    form.setdefault("csrf_token", form_token(client, "/account/"))
    return client.post("/account/documents", data=form)


def test_anonymous_visitors_are_sent_to_sign_in(web: Flask) -> None:
    response = web.test_client().get("/account/")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]
    assert web.test_client().post("/account/documents").status_code in (302, 400)


def test_staff_cannot_open_policyholder_pages(web: Flask) -> None:
    client = web.test_client()
    sign_in_staff(web, client, role="supervisor")
    assert client.get("/account/").status_code == 403


def test_home_shows_the_holders_policy_billing_claims_and_documents(web: Flask) -> None:
    response = signed_in(web, MARIA).get("/account/")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Hello, Maria" in page
    assert "AUT-1000001" in page
    assert page.count("<dt>Vehicle</dt>") == 2
    assert "Balance</dt>" in page and "Autopay</dt><dd>Off</dd>" in page
    assert "Adjuster" in page  # the open claim with its adjuster
    for kind in ("id_card", "declarations", "certificate"):
        assert f'name="kind" value="{kind}"' in page


def test_home_lists_every_policy_of_a_holder_with_two(web: Flask) -> None:
    page = signed_in(web, JOSE).get("/account/").get_data(as_text=True)
    assert "AUT-1000003" in page and "HOM-2000002" in page
    assert "<dt>Property</dt>" in page


def test_home_never_shows_another_holders_data(web: Flask) -> None:
    maria_page = signed_in(web, MARIA).get("/account/").get_data(as_text=True)
    for other in ("REN-3000001", "HOM-2000001", "AUT-1000002", "Priya", "Whitfield"):
        assert other not in maria_page


def test_a_cancelled_policy_offers_declarations_only(web: Flask) -> None:
    page = signed_in(web, ROBERT).get("/account/").get_data(as_text=True)
    assert 'value="declarations"' in page
    assert 'value="id_card"' not in page and 'value="certificate"' not in page


def test_page_is_mobile_first_uncached_and_script_is_external_only(web: Flask) -> None:
    response = signed_in(web, PRIYA).get("/account/")
    page = response.get_data(as_text=True)
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert response.headers["Cache-Control"] == "no-store"
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "form-action 'self'" in csp and "unsafe-inline" not in csp
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page) == []  # no inline script
    assert "style=" not in page
    assert "/static/auth/session-timeout.js" in page and "Stay signed in" in page


def test_chat_widget_carries_the_signed_in_holder(web: Flask) -> None:
    page = signed_in(web, PRIYA).get("/account/").get_data(as_text=True)
    assert "data-policyline-chat" in page and "widget.js" in page
    token = re.search(r'data-handover-token="([^"]+)"', page)
    assert token, "the widget has no hand-over token"
    handover = verify_web_handover(token.group(1), secret_key=web.config["SECRET_KEY"])
    assert (handover.holder_id, handover.assurance) == (PRIYA, "mfa")


def test_own_document_opens_through_a_single_use_link(web: Flask) -> None:
    client = signed_in(web, MARIA)
    response = request_document(client, policy="AUT-1000001", kind="id_card")
    assert response.status_code == 303
    link = response.headers["Location"]
    assert "/d/" in link and "AUT-1000001" not in link
    path = link.split("://", 1)[-1].split("/", 1)[1]
    pdf = client.get("/" + path)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    assert client.get("/" + path).status_code == 410  # used up


def test_certificate_needs_who_receives_it(web: Flask) -> None:
    client = signed_in(web, MARIA)
    refused = request_document(client, policy="AUT-1000001", kind="certificate")
    assert refused.status_code == 400
    assert "name and address" in refused.get_data(as_text=True)
    issued = request_document(
        client,
        policy="AUT-1000001",
        kind="certificate",
        holder_name="Acme Property Management",
        holder_address="12 Main St, Austin, TX 78701",
    )
    assert issued.status_code == 303


@pytest.mark.parametrize("policy", ["REN-3000001", "HOM-2000001", "AUT-1000002", "AUT-9999999"])
def test_another_holders_policy_is_refused_like_a_missing_one(web: Flask, policy: str) -> None:
    client = signed_in(web, MARIA)
    before = issued_count(web)
    response = request_document(client, policy=policy, kind="declarations")
    assert response.status_code == 404
    assert policy not in response.get_data(as_text=True)
    assert issued_count(web) == before


def test_a_document_the_policy_cannot_have_is_refused(web: Flask) -> None:
    client = signed_in(web, ROBERT)
    response = request_document(client, policy="AUT-1000002", kind="id_card")
    assert response.status_code == 409


@pytest.mark.parametrize(
    "form",
    [
        {"policy": "AUT-1000001", "kind": "passport"},
        {"policy": "", "kind": "id_card"},
        {"kind": "id_card"},
    ],
)
def test_bad_document_requests_get_400(web: Flask, form: dict[str, str]) -> None:
    assert request_document(signed_in(web, MARIA), **form).status_code == 400


def test_document_request_without_csrf_token_is_refused(web: Flask) -> None:
    client = signed_in(web, MARIA)
    before = issued_count(web)
    response = client.post("/account/documents", data={"policy": "AUT-1000001", "kind": "id_card"})
    assert response.status_code == 400
    assert issued_count(web) == before


def test_pas_outage_gets_a_clear_page_with_a_way_forward(
    web: Flask, sandbox: SandboxHandle
) -> None:
    client = signed_in(web, PRIYA)
    sandbox.set_faults(outage=True)
    response = client.get("/account/")
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "can't load your policies" in html.unescape(page) and "(800) 555-0100" in page
    assert "data-policyline-chat" in page  # the chat is still there
