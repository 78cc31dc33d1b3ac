"""Sessions: cookie attributes, idle and absolute timeouts, fixation, sign-out everywhere."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import func, select

from bot.accounts.tables import web_sessions
from bot.settings import LOCAL_SECRETS, ConfigurationError, Settings
from bot.web import create_app
from bot.web.auth import secure_cookies
from tests.support.app_database import upgrade
from tests.web.auth_fixtures import (
    account_services,
    auth_test_config,
    form_token,
    make_web_app,
    sign_in_policyholder,
)

COOKIE = "__Host-policyline-session"


def _cookie(client, name=COOKIE):
    cookie = client.get_cookie(name)
    return cookie.value if cookie else None


def _signed_in(client) -> bool:
    return client.get("/auth/account").status_code == 200


def _session_rows(app) -> int:
    with account_services(app).engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(web_sessions)).scalar_one()


def test_session_cookie_is_host_prefixed_secure_httponly_samesite(app, client):
    response = client.get("/auth/login")
    headers = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(COOKIE)]
    assert len(headers) == 1
    attributes = [part.strip().lower() for part in headers[0].split(";")]
    assert "secure" in attributes
    assert "httponly" in attributes
    assert "samesite=lax" in attributes
    assert "path=/" in attributes
    assert not any(a.startswith("domain=") for a in attributes)
    device = [h for h in response.headers.getlist("Set-Cookie") if "policyline-device" in h]
    assert device and device[0].startswith("__Host-policyline-device=")


def test_cookie_carries_only_a_random_id_and_the_database_only_its_hash(app, client):
    sign_in_policyholder(app, client)
    sid = _cookie(client)
    assert sid and len(sid) >= 40 and "." not in sid  # not a signed data cookie
    with account_services(app).engine.connect() as conn:
        ids = [row[0] for row in conn.execute(select(web_sessions.c.id_hash))]
    assert sid not in ids


def test_idle_session_ends_after_15_minutes(app, client, clock):
    sign_in_policyholder(app, client)
    clock.advance(minutes=14, seconds=59)
    assert _signed_in(client)  # activity restarts the idle clock
    clock.advance(minutes=14, seconds=59)
    assert _signed_in(client)
    clock.advance(minutes=15)
    response = client.get("/auth/account")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "signed out after 15 minutes" in page


def test_status_poll_does_not_keep_the_session_alive(app, client, clock):
    sign_in_policyholder(app, client)
    clock.advance(minutes=10)
    status = client.get("/auth/session/status").get_json()
    assert status == {"signed_in": True, "idle_seconds_left": 300}
    clock.advance(minutes=5)
    assert client.get("/auth/session/status").get_json() == {"signed_in": False}


def test_stay_signed_in_extends_the_session(app, client, clock):
    sign_in_policyholder(app, client)
    clock.advance(minutes=14)
    token = form_token(client, "/auth/account")
    clock.advance(seconds=30)
    extended = client.post("/auth/session/extend", headers={"X-CSRFToken": token})
    assert extended.get_json()["signed_in"] is True
    clock.advance(minutes=14)
    assert client.get("/auth/session/status").get_json()["signed_in"] is True


def test_stay_signed_in_needs_the_csrf_header(app, client):
    sign_in_policyholder(app, client)
    assert client.post("/auth/session/extend").status_code == 400


def test_session_ends_at_the_absolute_lifetime_despite_activity(app, client, clock):
    sign_in_policyholder(app, client)
    for _ in range(12 * 6 - 1):  # a request every 10 minutes for 11 h 50 min
        clock.advance(minutes=10)
        assert _signed_in(client)
    clock.advance(minutes=10)
    response = client.get("/auth/account")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "time limit" in page


def test_session_id_changes_at_sign_in_so_a_planted_id_is_useless(app, client):
    attacker = app.test_client()
    attacker.get("/auth/login")
    planted = _cookie(attacker)
    assert planted
    # The victim's browser is made to use the attacker's session id, then signs in.
    client.set_cookie(COOKIE, planted, domain="localhost", path="/", secure=True)
    account = sign_in_policyholder(app, client)
    assert _cookie(client) != planted
    assert _signed_in(client)
    assert not _signed_in(attacker)  # the planted id does not become signed in
    assert account.account_id


def test_session_id_changes_at_step_up(app, client):
    account = sign_in_policyholder(app, client)
    before = _cookie(client)
    token = form_token(client, "/auth/step-up")
    response = client.post(
        "/auth/step-up",
        data={
            "password": account.password,
            "factor": "totp",
            "code": account.totp_code(),
            "csrf_token": token,
            "next": "/auth/account",
        },
    )
    assert response.status_code == 302
    assert _cookie(client) != before
    assert _signed_in(client)
    stale = app.test_client()
    stale.set_cookie(COOKIE, before, domain="localhost", path="/", secure=True)
    assert not _signed_in(stale)


def test_logout_ends_the_session_on_the_server(app, client):
    sign_in_policyholder(app, client)
    sid = _cookie(client)
    client.post("/auth/logout", data={"csrf_token": form_token(client, "/auth/account")})
    replay = app.test_client()
    replay.set_cookie(COOKIE, sid, domain="localhost", path="/", secure=True)
    assert not _signed_in(replay)
    assert not _signed_in(client)


def test_logout_everywhere_ends_every_session_of_the_account(app, client):
    account = sign_in_policyholder(app, client)
    laptop, phone = app.test_client(), app.test_client()
    account.sign_in(laptop)
    account.sign_in(phone)
    bystander = app.test_client()
    sign_in_policyholder(app, bystander, holder_id="H0000002")
    response = phone.post(
        "/auth/logout-everywhere", data={"csrf_token": form_token(phone, "/auth/account")}
    )
    assert "signed out on every device" in response.get_data(as_text=True)
    assert not any(_signed_in(c) for c in (client, laptop, phone))
    assert _signed_in(bystander)


def test_expired_sessions_are_purged_at_sign_in(app, client, clock):
    for _ in range(3):
        app.test_client().get("/auth/login")
    assert _session_rows(app) == 3
    clock.advance(minutes=16)
    sign_in_policyholder(app, client)
    assert _session_rows(app) == 1


@pytest.mark.parametrize(
    ("url", "secure"),
    [
        ("https://portal.harbormutual.example", True),
        ("http://127.0.0.1:8000", True),
        ("http://localhost:8000", True),
        ("http://192.168.1.20:8000", False),
    ],
)
def test_secure_cookies_over_https_and_loopback_only(url, secure):
    assert secure_cookies(url) is secure


def test_plain_http_on_a_lan_address_uses_unprefixed_cookies_locally(tmp_path):
    app = make_web_app(tmp_path, env={"PUBLIC_BASE_URL": "http://192.168.1.20:8000"})
    response = app.test_client().get("/auth/login")
    cookies = response.headers.getlist("Set-Cookie")
    assert any(c.startswith("policyline-session=") for c in cookies)
    assert not any("Secure" in c for c in cookies)


def test_plain_http_public_url_is_refused_outside_local(tmp_path):
    settings = Settings.from_env({"POLICYLINE_VAR_DIR": str(tmp_path)}).with_overrides(
        env="production", public_base_url="http://portal.example"
    )
    with pytest.raises(ConfigurationError, match="https"):
        create_app(settings, auth_test_config())


def _production_env(**changes: str) -> dict[str, str]:
    env = {name: f"real-{name.lower()}-value" for name in LOCAL_SECRETS}
    env["MFA_ENCRYPTION_KEY"] = "P9GJ7BHqYbtZ2fD1eVtSiH6f0jOYa6a4Oi9jkx1zSxk="
    env.update(
        POLICYLINE_ENV="production",
        STRIPE_PUBLISHABLE_KEY="pk_live_example",
        # Every process sends texts: production needs the real Twilio account (bot.settings).
        TWILIO_ACCOUNT_SID="AC" + "1" * 32,
        TWILIO_FROM_NUMBER="+15005550006",
    )
    env.update(changes)
    return env


def test_local_mfa_encryption_key_is_refused_outside_local():
    with pytest.raises(ConfigurationError, match="MFA_ENCRYPTION_KEY"):
        Settings.from_env(_production_env(MFA_ENCRYPTION_KEY=LOCAL_SECRETS["MFA_ENCRYPTION_KEY"]))
    with pytest.raises(ConfigurationError, match="MFA_ENCRYPTION_KEY"):
        Settings.from_env({k: v for k, v in _production_env().items() if k != "MFA_ENCRYPTION_KEY"})
    assert Settings.from_env(_production_env()).auth.mfa_encryption_key.startswith("P9GJ")


def test_app_factory_builds_without_test_overrides(tmp_path):
    settings = Settings.from_env({"POLICYLINE_VAR_DIR": str(tmp_path)})
    upgrade(settings.database_url)  # what `policyline db upgrade` does before the web app starts
    app = create_app(settings)
    assert isinstance(app, Flask)
    assert app.test_client().get("/auth/login").status_code == 200
