"""Rate limits on authentication endpoints: in memory locally, in Redis when REDIS_URL is set."""

from __future__ import annotations

import pytest

from tests.web.auth_fixtures import account_services, form_token, make_web_app


def _attempt(client, path="/auth/login"):
    return client.post(
        path,
        data={
            "email": "a@example.com",
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
    app = make_web_app(tmp_path, AUTH_PAS_RECORDS=records)
    app.config["AUTH_RATE_LIMIT"] = app.config["POLICYLINE_SETTINGS"].auth.rate_limit_auth
    client = app.test_client()
    statuses = [_attempt(client).status_code for _ in range(11)]
    assert statuses[:10] == [401] * 10
    assert statuses[10] == 429
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "198.51.100.9"
    assert _attempt(other).status_code == 401
    account_services(app).engine.dispose()


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
