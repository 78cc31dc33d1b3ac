"""Rate limits on authentication endpoints: in memory locally, in Redis when REDIS_URL is set."""

from __future__ import annotations

import pytest

from bot.notifications.email_sender import read_email_outbox
from tests.web.auth_fixtures import account_services, create_account, form_token, make_web_app


def _attempt(client, path="/auth/login", email="a@example.com"):
    return client.post(
        path,
        data={
            "email": email,
            "password": "wrong password x",
            "csrf_token": form_token(client),
        },
    )


@pytest.mark.parametrize("path", ["/auth/login", "/auth/register", "/auth/step-up"])
def test_auth_endpoint_answers_429_past_the_limit(tmp_path, records, path):
    app = make_web_app(tmp_path, AUTH_PAS_RECORDS=records, AUTH_RATE_LIMIT="3 per minute")
    client = app.test_client()
    token = form_token(client)
    statuses = [client.post(path, data={"csrf_token": token}).status_code for _ in range(4)]
    assert statuses[3] == 429
    assert all(s != 429 for s in statuses[:3])
    page = client.post(path, data={"csrf_token": token}).get_data(as_text=True)
    assert "Too many attempts" in page
    account_services(app).engine.dispose()


def test_default_limit_is_ten_a_minute_per_address(tmp_path, records):
    # Refused sign-ins have a stricter throttle of their own (the next test): out of the way here.
    app = make_web_app(
        tmp_path, AUTH_PAS_RECORDS=records, AUTH_FAILED_SIGN_IN_LIMIT="1000 per minute"
    )
    app.config["AUTH_RATE_LIMIT"] = app.config["POLICYLINE_SETTINGS"].auth.rate_limit_auth
    client = app.test_client()
    statuses = [_attempt(client).status_code for _ in range(11)]
    assert statuses[:10] == [401] * 10
    assert statuses[10] == 429
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "198.51.100.9"
    assert _attempt(other).status_code == 401
    account_services(app).engine.dispose()


def test_one_address_is_throttled_before_its_guesses_can_lock_an_account(tmp_path, records):
    app = make_web_app(tmp_path, AUTH_PAS_RECORDS=records)  # the default throttle and lock
    services = account_services(app)
    owner = create_account(app, kind="policyholder", email="m@example.com", holder_id="H1")
    stranger = app.test_client()
    stranger.environ_base["REMOTE_ADDR"] = "203.0.113.5"
    statuses = [_attempt(stranger, email=owner.email).status_code for _ in range(6)]
    # 4 refusals (one fewer than the lock needs), then the address is stopped, for any e-mail.
    assert statuses == [401, 401, 401, 401, 429, 429]
    assert _attempt(stranger, email="someone.else@example.com").status_code == 429
    # The account's own count never reached the lock: its owner, elsewhere, gets in.
    lockouts = services.sign_in.lockouts
    assert not lockouts.locked(lockouts.subject(owner.email))
    home = app.test_client()
    home.environ_base["REMOTE_ADDR"] = "198.51.100.20"
    response = home.post(
        "/auth/login",
        data={"email": owner.email, "password": owner.password, "csrf_token": form_token(home)},
    )
    assert response.status_code == 302
    services.sign_in.notices.wait_idle()
    assert read_email_outbox(services.engine) == []  # no lock, so no lock notice
    services.engine.dispose()


@pytest.mark.redis
def test_limits_are_shared_through_redis_between_app_instances(tmp_path, records, redis_url):
    env = {"REDIS_URL": redis_url}
    first = make_web_app(
        tmp_path / "a", env=env, AUTH_PAS_RECORDS=records, AUTH_RATE_LIMIT="4 per minute"
    )
    first_client = first.test_client()
    first_client.environ_base["REMOTE_ADDR"] = "203.0.113.77"
    assert [_attempt(first_client).status_code for _ in range(3)] == [401] * 3
    assert first.config["RATELIMIT_STORAGE_URI"] == redis_url
    second = make_web_app(
        tmp_path / "b", env=env, AUTH_PAS_RECORDS=records, AUTH_RATE_LIMIT="4 per minute"
    )
    second_client = second.test_client()
    second_client.environ_base["REMOTE_ADDR"] = "203.0.113.77"
    assert _attempt(second_client).status_code == 401
    assert _attempt(second_client).status_code == 429
    for app in (first, second):
        account_services(app).engine.dispose()
