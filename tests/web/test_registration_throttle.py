"""Guessing a date of birth for one policy number is throttled per policy, from any address."""

from __future__ import annotations

from tests.web.auth_fixtures import form_token
from tests.web.conftest import MARIA, sms_codes


def _start(app, born, ip):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = ip
    token = form_token(client, "/auth/register")
    return client.post(
        "/auth/register",
        data={
            "policy_number": "AUT-1000001",
            "date_of_birth": born,
            "zip": MARIA.zip,
            "channel": "sms",
            "csrf_token": token,
        },
    )


def test_policy_number_is_throttled_after_repeated_refusals(app, clock):
    for attempt in range(5):
        assert _start(app, f"1980-01-0{attempt + 1}", f"198.51.100.{attempt}").status_code == 400
    right = MARIA.date_of_birth.isoformat()
    throttled = _start(app, right, "203.0.113.50")
    assert throttled.status_code == 429
    assert "Too many attempts for this policy" in throttled.get_data(as_text=True)
    assert sms_codes(app, MARIA.phone) == []
    clock.advance(minutes=15, seconds=1)
    assert _start(app, right, "203.0.113.51").status_code == 302
    assert len(sms_codes(app, MARIA.phone)) == 1


def test_other_policies_are_not_throttled(app):
    for attempt in range(5):
        _start(app, f"1980-01-0{attempt + 1}", "198.51.100.9")
    client = app.test_client()
    token = form_token(client, "/auth/register")
    response = client.post(
        "/auth/register",
        data={
            "policy_number": "HOM-2000001",
            "date_of_birth": "1972-09-30",
            "zip": "28203",
            "channel": "sms",
            "csrf_token": token,
        },
    )
    assert response.status_code == 302
