"""Registration against the PAS sandbox: details checked on the real PAS records, a code sent to
the phone or e-mail on file, a NIST password, then MFA set-up before the first full sign-in."""

from __future__ import annotations

from urllib.parse import unquote

import pytest
from flask import Flask

from bot.notifications.email_sender import read_email_outbox
from pas_sandbox.personas import persona_policies
from tests.web.auth_fixtures import account_services, form_token, make_web_app
from tests.web.conftest import sms_codes

PERSONA = next(p for p in persona_policies() if p.policy_number == "AUT-1000001")


@pytest.fixture
def pas_app(tmp_path, sandbox, clock) -> Flask:
    env = {
        "PAS_BASE_URL": sandbox.base_url,
        "PAS_HMAC_SECRET": sandbox.hmac_secret,
        "PAS_KEY_ID": sandbox.key_id,
        "PAS_REPLICA_URL": sandbox.replica_url,
    }
    app = make_web_app(tmp_path, env=env, clock=clock)
    yield app
    account_services(app).engine.dispose()


def _start(
    client,
    *,
    number=PERSONA.policy_number,
    born=PERSONA.date_of_birth,
    zip_code=PERSONA.zip,
    channel="sms",
):
    token = form_token(client, "/auth/register")
    return client.post(
        "/auth/register",
        data={
            "policy_number": number,
            "date_of_birth": born,
            "zip": zip_code,
            "channel": channel,
            "csrf_token": token,
        },
    )


def _code(client, code):
    token = form_token(client, "/auth/register/verify")
    return client.post("/auth/register/verify", data={"code": code, "csrf_token": token})


def _password(client, password, again=None):
    token = form_token(client, "/auth/register/password")
    return client.post(
        "/auth/register/password",
        data={"password": password, "password_again": again or password, "csrf_token": token},
    )


def test_policyholder_registers_enrols_totp_and_is_signed_in(pas_app, sandbox):
    client = pas_app.test_client()
    locations = []
    response = _start(client)
    assert response.status_code == 302
    locations.append(response.headers["Location"])
    code = sms_codes(pas_app, PERSONA.phone)[-1]
    response = _code(client, code)
    locations.append(response.headers["Location"])
    page = client.get("/auth/register/password").get_data(as_text=True)
    assert "@" in page  # the sign-in e-mail on file is shown
    response = _password(client, "tidal basin lantern orchard")
    assert response.headers["Location"] == "/auth/mfa/setup"
    locations.append(response.headers["Location"])
    assert client.get("/auth/account").status_code == 302  # not signed in before MFA
    setup = client.get("/auth/mfa/setup").get_data(as_text=True)
    assert 'src="data:image/svg+xml' in setup
    account = account_services(pas_app).accounts.by_holder(PERSONA.holder_id)
    assert account is not None and account.kind == "policyholder"
    # No PII in any URL of the journey.
    for location in locations:
        text = unquote(location)
        for secret in (PERSONA.policy_number, PERSONA.date_of_birth, PERSONA.zip, code):
            assert secret not in text


def test_wrong_date_of_birth_is_refused_without_saying_which_detail(pas_app, sandbox):
    client = pas_app.test_client()
    response = _start(client, born="1990-01-01")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "don&#39;t match our records" in page
    assert "date of birth" not in page.split("There's a problem")[1].split("</div>")[0]
    assert sms_codes(pas_app, PERSONA.phone) == []


def test_wrong_zip_and_unknown_policy_are_refused(pas_app, sandbox):
    client = pas_app.test_client()
    assert _start(client, zip_code="10001").status_code == 400
    assert _start(client, number="AUT-9999999").status_code == 400


def test_missing_fields_get_field_level_errors(pas_app, sandbox):
    client = pas_app.test_client()
    response = _start(client, number="", born="", zip_code="12")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    for anchor in ('href="#policy_number"', 'href="#date_of_birth"', 'href="#zip"'):
        assert anchor in page


def test_code_can_go_to_the_email_on_file(pas_app, sandbox):
    client = pas_app.test_client()
    assert _start(client, channel="email").status_code == 302
    mails = read_email_outbox(account_services(pas_app).engine)
    assert len(mails) == 1 and "registration code" in mails[0].subject
    assert sms_codes(pas_app, PERSONA.phone) == []
    code = mails[0].body.split("code is ")[1][:6]
    assert _code(client, code).headers["Location"] == "/auth/register/password"


def test_wrong_and_expired_registration_codes_are_refused(pas_app, sandbox, clock):
    client = pas_app.test_client()
    _start(client)
    code = sms_codes(pas_app, PERSONA.phone)[-1]
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    assert _code(client, wrong).status_code == 400
    clock.advance(minutes=10, seconds=1)
    response = _code(client, code)
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)


def test_password_must_pass_the_rules(pas_app, sandbox):
    client = pas_app.test_client()
    _start(client)
    _code(client, sms_codes(pas_app, PERSONA.phone)[-1])
    assert _password(client, "short").status_code == 400
    common = _password(client, "password1234")
    assert "commonly used" in common.get_data(as_text=True)
    assert _password(client, "tidal basin lantern", "tidal basin lantern!").status_code == 400
    assert account_services(pas_app).accounts.by_holder(PERSONA.holder_id) is None


def test_password_step_needs_a_confirmed_code(pas_app, sandbox):
    client = pas_app.test_client()
    _start(client)
    response = client.get("/auth/register/password")
    assert response.status_code == 302  # back to the code step, not to a password form
    assert response.headers["Location"] == "/auth/register"


def test_a_policyholder_registers_only_once(pas_app, sandbox):
    first = pas_app.test_client()
    _start(first)
    _code(first, sms_codes(pas_app, PERSONA.phone)[-1])
    _password(first, "tidal basin lantern orchard")
    second = pas_app.test_client()
    response = _start(second)
    assert response.status_code == 409
    assert "already have an account" in response.get_data(as_text=True)


def test_pas_outage_gets_a_clear_answer(pas_app, sandbox):
    sandbox.set_faults(outage=True)
    response = _start(pas_app.test_client())
    assert response.status_code == 503
    assert "try again in a few minutes" in response.get_data(as_text=True)
