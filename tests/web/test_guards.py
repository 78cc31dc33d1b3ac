"""The guards other blueprints build on, and attempts to reach another account's data."""

from __future__ import annotations

import pytest
from flask import Blueprint, jsonify

from bot.web.auth.guards import current_principal, policyholder_required, staff_required
from tests.web.auth_fixtures import (
    account_services,
    create_account,
    form_token,
    make_web_app,
    sign_in_policyholder,
    sign_in_staff,
)


def _guarded_blueprint() -> Blueprint:
    bp = Blueprint("guarded_test", __name__)

    @bp.get("/_test/me")
    @policyholder_required
    def me():  # type: ignore[no-untyped-def]
        principal = current_principal()
        return jsonify(kind=principal.kind, holder_id=principal.holder_id)

    @bp.get("/_test/console")
    @staff_required()
    def console():  # type: ignore[no-untyped-def]
        principal = current_principal()
        return jsonify(kind=principal.kind, roles=sorted(principal.roles))

    @bp.get("/_test/dashboard")
    @staff_required("supervisor")
    def dashboard():  # type: ignore[no-untyped-def]
        return jsonify(ok=True)

    @bp.get("/_test/bare")
    @staff_required
    def bare():  # type: ignore[no-untyped-def]
        return jsonify(ok=True)

    return bp


@pytest.fixture
def guarded_app(tmp_path, clock, records):
    app = make_web_app(tmp_path, clock=clock, AUTH_PAS_RECORDS=records)
    app.register_blueprint(_guarded_blueprint())
    yield app
    account_services(app).engine.dispose()


def test_anonymous_visitors_are_sent_to_sign_in_with_the_path_only(guarded_app):
    client = guarded_app.test_client()
    for path in ("/_test/me", "/_test/console", "/_test/dashboard", "/_test/bare"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"] == f"/auth/login?next={path}"


def test_policyholder_sees_only_their_own_principal(guarded_app):
    client = guarded_app.test_client()
    sign_in_policyholder(guarded_app, client, holder_id="H0000001")
    assert client.get("/_test/me").get_json() == {"kind": "policyholder", "holder_id": "H0000001"}


def test_policyholder_cannot_reach_staff_pages(guarded_app):
    client = guarded_app.test_client()
    sign_in_policyholder(guarded_app, client)
    for path in ("/_test/console", "/_test/dashboard", "/_test/bare"):
        assert client.get(path).status_code == 403


def test_staff_cannot_reach_policyholder_pages(guarded_app):
    client = guarded_app.test_client()
    sign_in_staff(guarded_app, client, role="supervisor")
    assert client.get("/_test/me").status_code == 403


def test_roles_are_enforced_and_supervisor_includes_reviewer(guarded_app):
    reviewer, supervisor = guarded_app.test_client(), guarded_app.test_client()
    sign_in_staff(guarded_app, reviewer, role="reviewer")
    sign_in_staff(guarded_app, supervisor, role="supervisor", email="sup@staff.example.com")
    assert reviewer.get("/_test/console").get_json() == {"kind": "staff", "roles": ["reviewer"]}
    assert reviewer.get("/_test/dashboard").status_code == 403
    assert supervisor.get("/_test/console").status_code == 200
    assert supervisor.get("/_test/dashboard").status_code == 200


def test_unknown_role_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown staff role"):
        staff_required("admin")


def test_half_signed_in_session_has_no_principal(guarded_app):
    client = guarded_app.test_client()
    account = create_account(
        guarded_app, kind="policyholder", email="m@example.com", holder_id="H0000001"
    )
    account.sign_in(client)
    half = guarded_app.test_client()
    half.post(
        "/auth/login",
        data={"email": account.email, "password": account.password, "csrf_token": form_token(half)},
    )
    assert half.get("/_test/me").status_code == 302


def test_one_policyholder_cannot_use_another_ones_codes(guarded_app):
    maria_client, james_client = guarded_app.test_client(), guarded_app.test_client()
    maria = sign_in_policyholder(guarded_app, maria_client, holder_id="H0000001")
    james = sign_in_policyholder(
        guarded_app, james_client, holder_id="H0000002", email="james@example.com"
    )
    attacker = guarded_app.test_client()
    attacker.post(
        "/auth/login",
        data={"email": james.email, "password": james.password, "csrf_token": form_token(attacker)},
    )
    token = form_token(attacker, "/auth/verify")
    for factor, code in (("totp", maria.totp_code()), ("recovery", maria.recovery_codes[0])):
        response = attacker.post(
            "/auth/verify", data={"factor": factor, "code": code, "csrf_token": token}
        )
        assert response.status_code == 401
    assert attacker.get("/_test/me").status_code == 302


def test_account_ids_in_forms_are_ignored(guarded_app):
    maria_client, james_client = guarded_app.test_client(), guarded_app.test_client()
    maria = sign_in_policyholder(guarded_app, maria_client, holder_id="H0000001")
    james = sign_in_policyholder(
        guarded_app, james_client, holder_id="H0000002", email="james@example.com"
    )
    token = form_token(maria_client, "/auth/account")
    maria_client.post(
        "/auth/account/email",
        data={
            "email": "taken-over@example.com",
            "account_id": str(james.account_id),
            "holder_id": "H0000002",
            "csrf_token": token,
        },
    )
    accounts = account_services(guarded_app).accounts
    assert accounts.get(james.account_id).email == "james@example.com"
    assert accounts.get(maria.account_id).email == "taken-over@example.com"
    assert maria_client.get("/_test/me").get_json()["holder_id"] == "H0000001"
