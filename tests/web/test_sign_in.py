"""Sign-in with a password and a second factor, and every way it can fail."""

from __future__ import annotations

import subprocess

import pyotp
import pytest

from tests.web.auth_fixtures import (
    account_services,
    create_account,
    form_token,
    sign_in_policyholder,
    sign_in_staff,
)
from tests.web.conftest import MARIA, sms_codes


def _login(client, email, password, *, address=None, **extra):
    """``address``: the client address (guessing from many addresses passes the per-address
    throttle of refused sign-ins)."""
    data = {"email": email, "password": password, "csrf_token": form_token(client)}
    data.update(extra)
    environ = {"REMOTE_ADDR": address} if address else {}
    return client.post("/auth/login", data=data, environ_base=environ)


def _verify(client, code, factor="totp", *, address=None):
    token = form_token(client, "/auth/verify")
    environ = {"REMOTE_ADDR": address} if address else {}
    return client.post(
        "/auth/verify",
        data={"factor": factor, "code": code, "csrf_token": token},
        environ_base=environ,
    )


def _signed_in(client) -> bool:
    return client.get("/auth/account").status_code == 200


def test_policyholder_signs_in_with_password_and_totp(app, client):
    account = sign_in_policyholder(app, client, holder_id=MARIA.holder_id)
    assert _signed_in(client)
    other = app.test_client()
    account.sign_in(other)
    assert _signed_in(other)


def test_code_from_oathtool_is_accepted(app, client, clock):
    account = create_account(app, kind="policyholder", email="m@example.com", holder_id="H1")
    account.sign_in(client)  # enrols TOTP
    second = app.test_client()
    assert _login(second, account.email, account.password).status_code == 302
    clock.advance(seconds=60)  # a step the enrolment did not use
    when = clock.now.strftime("%Y-%m-%d %H:%M:%S UTC")
    code = subprocess.run(
        ["oathtool", "--totp", "-b", "--now", when, account.totp_secret],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    response = _verify(second, code)
    assert response.status_code == 302
    assert _signed_in(second)


def test_wrong_password_and_unknown_email_get_the_same_answer(app, client):
    create_account(app, kind="policyholder", email="m@example.com", holder_id="H1")
    wrong = _login(client, "m@example.com", "not the right password at all")
    unknown = _login(client, "nobody@example.com", "not the right password at all")
    assert wrong.status_code == unknown.status_code == 401
    message = "That e-mail address and password don&#39;t match our records."
    assert message in wrong.get_data(as_text=True)
    assert message in unknown.get_data(as_text=True)
    assert not _signed_in(client)


def test_password_alone_does_not_sign_in(app, client):
    account = sign_in_policyholder(app, client)
    fresh = app.test_client()
    assert _login(fresh, account.email, account.password).headers["Location"] == "/auth/verify"
    assert fresh.get("/auth/account").status_code == 302


def test_wrong_totp_code_is_refused(app, client):
    account = sign_in_policyholder(app, client)
    other = app.test_client()
    _login(other, account.email, account.password)
    good = account.totp_code()
    wrong = f"{(int(good) + 1) % 1_000_000:06d}"
    assert _verify(other, wrong).status_code == 401
    assert not _signed_in(other)


def test_reused_totp_code_is_refused(app, client):
    account = sign_in_policyholder(app, client)
    first, second = app.test_client(), app.test_client()
    code = account.totp_code()
    _login(first, account.email, account.password)
    assert _verify(first, code).status_code == 302
    _login(second, account.email, account.password)
    response = _verify(second, code)
    assert response.status_code == 401
    assert not _signed_in(second)


def test_totp_allows_one_step_of_drift_and_no_more(app, client, clock):
    account = sign_in_policyholder(app, client)
    totp = pyotp.TOTP(account.totp_secret)
    clock.advance(minutes=5)
    now_step = totp.timecode(clock.now)
    for offset, accepted in ((-2, False), (2, False), (-1, True), (1, True)):
        browser = app.test_client()
        _login(browser, account.email, account.password)
        status = _verify(browser, totp.generate_otp(now_step + offset)).status_code
        assert (status == 302) is accepted, offset


def test_account_locks_after_repeated_failures_and_unlocks_later(app, client, clock):
    account = create_account(app, kind="policyholder", email="m@example.com", holder_id="H1")
    account.sign_in(client)
    browser = app.test_client()
    for n in range(5):
        wrong = _login(browser, account.email, "wrong password, again", address=f"203.0.113.{n}")
        assert wrong.status_code == 401
    # The right password does not help while the lock lasts (answered like a wrong one).
    assert _login(browser, account.email, account.password).status_code == 401
    clock.advance(minutes=15, seconds=1)
    assert _login(browser, account.email, account.password).status_code == 302
    events = [e.event for e in account_services(app).audit.entries(account.account_id)]
    assert "account_locked" in events


def test_wrong_codes_count_towards_the_lockout(app, client):
    account = sign_in_policyholder(app, client)
    browser = app.test_client()
    _login(browser, account.email, account.password)
    statuses = [_verify(browser, "000000", address=f"203.0.113.{n}").status_code for n in range(5)]
    assert statuses[-1] == 423  # the password was proven: this step may say so
    # Before the password is proven the lock looks like a wrong password.
    assert _login(browser, account.email, account.password).status_code == 401


def test_recovery_code_works_once(app, client):
    account = sign_in_policyholder(app, client)
    assert len(account.recovery_codes) == 10
    code = account.recovery_codes[0]
    first, second = app.test_client(), app.test_client()
    _login(first, account.email, account.password)
    assert _verify(first, code.lower(), factor="recovery").status_code == 302
    _login(second, account.email, account.password)
    assert _verify(second, code, factor="recovery").status_code == 401


def _account_with_sms(app, client):
    account = sign_in_policyholder(app, client, holder_id=MARIA.holder_id)
    account_services(app).accounts.set_sms_mfa(account.account_id, True)
    return account


def _send_sms(browser):
    token = form_token(browser, "/auth/verify")
    return browser.post("/auth/verify/sms", data={"csrf_token": token})


def test_sms_code_goes_to_the_number_on_file_and_signs_in_once(app, client):
    account = _account_with_sms(app, client)
    client.get("/auth/account")  # remembered device: no step-up needed
    browser = client  # same browser, same device cookie
    browser.post("/auth/logout", data={"csrf_token": form_token(browser, "/auth/account")})
    _login(browser, account.email, account.password)
    assert _send_sms(browser).status_code == 302
    code = sms_codes(app, MARIA.phone)[-1]
    assert _verify(browser, code, factor="sms").status_code == 302
    assert _signed_in(browser)
    again = app.test_client()
    _login(again, account.email, account.password)
    assert _verify(again, code, factor="sms").status_code == 401


def test_expired_sms_code_is_refused(app, client, clock):
    account = _account_with_sms(app, client)
    client.post("/auth/logout", data={"csrf_token": form_token(client, "/auth/account")})
    _login(client, account.email, account.password)
    _send_sms(client)
    code = sms_codes(app, MARIA.phone)[-1]
    clock.advance(minutes=9)  # the pending sign-in itself lasts 10 minutes: start it again
    token = form_token(client, "/auth/verify")
    client.post(
        "/auth/login",
        data={"email": account.email, "password": account.password, "csrf_token": token},
    )
    clock.advance(minutes=1, seconds=1)
    response = _verify(client, code, factor="sms")
    assert response.status_code == 401
    assert "expired" in response.get_data(as_text=True)


def test_sms_sends_are_limited(app, client):
    account = _account_with_sms(app, client)
    client.post("/auth/logout", data={"csrf_token": form_token(client, "/auth/account")})
    _login(client, account.email, account.password)
    statuses = [_send_sms(client).status_code for _ in range(4)]
    assert statuses == [302, 302, 302, 429]
    assert len(sms_codes(app, MARIA.phone)) == 3


def test_only_the_newest_sms_code_works(app, client):
    account = _account_with_sms(app, client)
    client.post("/auth/logout", data={"csrf_token": form_token(client, "/auth/account")})
    _login(client, account.email, account.password)
    _send_sms(client)
    _send_sms(client)
    old, new = sms_codes(app, MARIA.phone)[-2:]
    assert old != new or pytest.skip("two random codes collided")
    assert _verify(client, old, factor="sms").status_code == 401
    assert _verify(client, new, factor="sms").status_code == 302


def test_new_device_cannot_sign_in_with_sms_alone_when_totp_exists(app, client):
    account = _account_with_sms(app, client)
    stranger = app.test_client()  # no device cookie: a new device
    _login(stranger, account.email, account.password)
    _send_sms(stranger)
    code = sms_codes(app, MARIA.phone)[-1]
    response = _verify(stranger, code, factor="sms")
    assert response.status_code == 401
    assert "new device" in response.get_data(as_text=True)
    assert _verify(stranger, account.totp_code()).status_code == 302


def test_post_without_csrf_token_is_refused(app, client):
    account = create_account(app, kind="policyholder", email="m@example.com", holder_id="H1")
    client.get("/auth/login")
    response = client.post("/auth/login", data={"email": account.email, "password": "x" * 20})
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)
    forged = client.post(
        "/auth/login",
        data={"email": account.email, "password": "x" * 20, "csrf_token": "forged"},
    )
    assert forged.status_code == 400


def test_staff_must_enrol_totp_before_anything_else(app, client):
    account = create_account(
        app, kind="staff", email="lead@harbor.example", roles=frozenset({"supervisor"})
    )
    response = _login(client, account.email, account.password)
    assert response.headers["Location"] == "/auth/mfa/setup"
    assert client.get("/auth/account").status_code == 302
    assert client.get("/auth/login").headers["Location"] == "/auth/mfa/setup"
    page = client.get("/auth/mfa/setup").get_data(as_text=True)
    assert "Text message" not in page  # staff: authenticator app only
    token = form_token(client, "/auth/mfa/setup")
    refused = client.post("/auth/mfa/setup/sms", data={"csrf_token": token})
    assert refused.status_code == 400


def test_staff_sign_in_helper_gives_a_staff_session(app, client):
    staff = sign_in_staff(app, client, role="reviewer")
    assert staff.kind == "staff"
    assert _signed_in(client)


def test_sign_in_lands_on_the_page_asked_for_or_the_configured_home(app, client, clock):
    account = sign_in_policyholder(app, client)
    clock.advance(seconds=30)
    asked = app.test_client()
    assert account.sign_in(asked, next_path="/auth/account?tab=devices").headers["Location"] == (
        "/auth/account?tab=devices"
    )
    app.config["AUTH_POLICYHOLDER_HOME"] = "no_such.endpoint"
    clock.advance(seconds=30)
    fallback = app.test_client()
    assert account.sign_in(fallback).headers["Location"] == "/auth/account"
