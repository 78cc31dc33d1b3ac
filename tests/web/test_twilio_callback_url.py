"""The <Pay> callbacks are checked by the one Twilio signature check against the one base URL."""

from __future__ import annotations

from pathlib import Path

import pytest
from twilio.request_validator import RequestValidator

from bot.settings import LOCAL_SECRETS, Settings
from bot.twilio_signatures import SIGNATURE_HEADER
from bot.web import shutdown
from tests.web.auth_fixtures import make_web_app

PATH = "/stripe/ivr/pay/some-token?attempt=1"
FORM = {"CallSid": "CA" + "0" * 32, "CallStatus": "completed"}


def _signed(url: str) -> str:
    return str(RequestValidator(LOCAL_SECRETS["TWILIO_AUTH_TOKEN"]).compute_signature(url, FORM))


def test_the_callback_base_is_the_webhook_base_and_the_web_app_only_when_unset():
    assert (
        Settings.from_env({"PUBLIC_WEBHOOK_BASE_URL": "https://bot.example.test/"})
    ).twilio_callback_base_url == "https://bot.example.test"
    assert (
        Settings.from_env({"PUBLIC_BASE_URL": "https://www.example.test"})
    ).twilio_callback_base_url == "https://www.example.test"


@pytest.mark.parametrize(
    ("signed_for", "status"),
    [
        ("https://bot.example.test", 200),  # the URL Twilio was told to call
        ("https://www.example.test", 403),  # the web app's own URL: not what Twilio called
    ],
)
def test_a_pay_callback_must_be_signed_for_the_twilio_base_url(
    tmp_path: Path, signed_for: str, status: int
) -> None:
    app = make_web_app(
        tmp_path,
        env={
            "PUBLIC_WEBHOOK_BASE_URL": "https://bot.example.test",
            "PUBLIC_BASE_URL": "https://www.example.test",
        },
    )
    try:
        response = app.test_client().post(
            PATH, data=FORM, headers={SIGNATURE_HEADER: _signed(signed_for + PATH)}
        )
        assert response.status_code == status
    finally:
        shutdown(app)
