"""Re-authentication before security changes, MFA set-up choices, and the account page."""

from __future__ import annotations

from sqlalchemy import select

from bot.accounts.tables import web_accounts
from tests.web.auth_fixtures import account_services, form_token, sign_in_policyholder
from tests.web.conftest import MARIA, sms_codes


def _step_up(client, account, code=None, password=None):
    token = form_token(client, "/auth/step-up")
    return client.post(
        "/auth/step-up",
        data={
            "password": password or account.password,
            "factor": "totp",
            "code": code or account.totp_code(),
            "csrf_token": token,
            "next": "/auth/account",
        },
    )


def _post(client, path, **data):
    data["csrf_token"] = form_token(client, "/auth/account")
    return client.post(path, data=data)


def test_changes_need_a_recent_step_up(app, client, clock):
    account = sign_in_policyholder(app, client)
    clock.advance(minutes=5, seconds=1)  # the sign-in itself counts as a step-up for 5 minutes
    response = _post(client, "/auth/account/email", email="new@example.com")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/step-up")
    assert account_services(app).accounts.get(account.account_id).email == account.email
    assert _step_up(client, account).status_code == 302
    changed = _post(client, "/auth/account/email", email="new@example.com")
    assert changed.headers["Location"] == "/auth/account"
    assert account_services(app).accounts.get(account.account_id).email == "new@example.com"


def test_step_up_refuses_a_wrong_password_or_code(app, client, clock):
    account = sign_in_policyholder(app, client)
    clock.advance(minutes=6)
    assert _step_up(client, account, password="not my password at all").status_code == 401
    assert _step_up(client, account, code="000000").status_code == 401
    assert _post(client, "/auth/account/recovery-codes").status_code == 302
    assert "Save your recovery codes" not in client.get("/auth/mfa/recovery-codes").get_data(
        as_text=True
    )


def test_mfa_setup_page_needs_a_step_up_once_signed_in(app, client, clock):
    sign_in_policyholder(app, client)
    clock.advance(minutes=6)
    response = client.get("/auth/mfa/setup")
    assert response.headers["Location"].startswith("/auth/step-up")


def test_new_recovery_codes_replace_the_old_ones(app, client):
    account = sign_in_policyholder(app, client)
    old = account.recovery_codes[0]
    response = _post(client, "/auth/account/recovery-codes")
    assert response.headers["Location"] == "/auth/mfa/recovery-codes"
    page = client.get("/auth/mfa/recovery-codes").get_data(as_text=True)
    assert page.count("<li>") >= 10
    assert client.get("/auth/mfa/recovery-codes").status_code == 302  # shown once
    browser = app.test_client()
    token = form_token(browser)
    browser.post(
        "/auth/login",
        data={"email": account.email, "password": account.password, "csrf_token": token},
    )
    vtoken = form_token(browser, "/auth/verify")
    refused = browser.post(
        "/auth/verify", data={"factor": "recovery", "code": old, "csrf_token": vtoken}
    )
    assert refused.status_code == 401


def test_sms_set_up_explains_the_risk_and_uses_the_number_on_file(app, client):
    account = sign_in_policyholder(app, client, holder_id=MARIA.holder_id)
    page = client.get("/auth/mfa/setup").get_data(as_text=True)
    assert "Authenticator app (recommended)" in page
    assert "SIM swap" in page
    token = form_token(client, "/auth/mfa/setup")
    assert client.post("/auth/mfa/setup/sms", data={"csrf_token": token}).status_code == 302
    code = sms_codes(app, MARIA.phone)[-1]
    response = client.post("/auth/mfa/setup/sms/verify", data={"code": code, "csrf_token": token})
    assert response.headers["Location"] == "/auth/mfa/recovery-codes"
    assert account_services(app).accounts.get(account.account_id).sms_mfa_enabled


def test_totp_secret_is_encrypted_at_rest(app, client):
    account = sign_in_policyholder(app, client)
    with account_services(app).engine.connect() as conn:
        stored = conn.execute(
            select(web_accounts.c.totp_secret, web_accounts.c.totp_last_step).where(
                web_accounts.c.id == account.account_id
            )
        ).one()
    assert account.totp_secret not in stored[0]
    assert stored[0].startswith("gAAAAA")  # a Fernet token
    assert stored[1] is not None  # the enrolment code's step is spent


def test_moving_totp_to_a_new_phone_replaces_the_secret(app, client):
    account = sign_in_policyholder(app, client)
    old_secret = account.totp_secret
    assert _post(client, "/auth/account/totp").headers["Location"] == "/auth/mfa/setup"
    account._enrol(client)
    assert account.totp_secret != old_secret
    assert (
        account_services(app).sign_in.box.open(
            account_services(app).accounts.get(account.account_id).totp_secret
        )
        == account.totp_secret
    )


def test_last_second_factor_cannot_be_removed(app, client):
    sign_in_policyholder(app, client)
    response = _post(client, "/auth/account/totp/remove")
    assert response.status_code == 400
    assert "you need one way" in response.get_data(as_text=True)


def test_password_change_applies_the_rules(app, client):
    account = sign_in_policyholder(app, client)
    weak = _post(
        client, "/auth/account/password", password="qwerty123456", password_again="qwerty123456"
    )
    assert weak.status_code == 400
    ok = _post(
        client,
        "/auth/account/password",
        password="velvet harbour kite ninety",
        password_again="velvet harbour kite ninety",
    )
    assert ok.status_code == 302
    services = account_services(app)
    stored = services.accounts.get(account.account_id).password_hash
    assert services.sign_in.hashing.verify(stored, "velvet harbour kite ninety")


def test_account_page_lists_devices_and_activity_without_pii(app, client):
    sign_in_policyholder(app, client, holder_id=MARIA.holder_id)
    page = client.get(
        "/auth/account", headers={"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0"}
    ).get_data(as_text=True)
    assert "signed in" in page
    assert MARIA.phone not in page and MARIA.phone[-4:] not in page


def test_repeated_wrong_step_ups_lock_the_account_and_end_the_session(app, client, clock):
    account = sign_in_policyholder(app, client)
    clock.advance(minutes=6)
    statuses = [
        _step_up(client, account, code="000000", password="not my password, sorry").status_code
        for _ in range(5)
    ]
    assert statuses[:4] == [401] * 4
    assert statuses[4] == 302  # locked: signed out
    assert client.get("/auth/account").status_code == 302
    other = app.test_client()
    locked = other.post(
        "/auth/login",
        data={
            "email": account.email,
            "password": account.password,
            "csrf_token": form_token(other),
        },
    )
    assert locked.status_code == 401  # answered like a wrong password (the owner is e-mailed)
