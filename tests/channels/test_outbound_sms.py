"""Outbound SMS: one interface, Twilio REST or the local outbox, the suppression list enforced."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

import pytest
from twilio.http import HttpClient
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response

from bot.db import make_engine
from bot.notifications.outbox import latest_outbox_id, mark_delivered, read_outbox
from bot.notifications.sms import (
    OutboxSmsSender,
    TwilioSmsSender,
    create_sms_sender,
)
from bot.notifications.suppression import SuppressionList, sms_suppression
from bot.settings import ConfigurationError, TwilioSettings
from tests.channels.support import CALLER
from tests.support.app_database import upgrade

ACCOUNT = "AC" + "1" * 32
REST = TwilioSettings(
    auth_token="rest-token", account_sid=ACCOUNT, from_number="+15005550006", http_timeout_s=4
)


@dataclass
class FakeTwilioApi(HttpClient):
    """Records each request; answers like the Messages resource (or with a given error)."""

    error: dict[str, Any] | None = None
    requests: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(logging.getLogger("fake-twilio"), False, 4)

    def request(
        self,
        method,
        uri,
        params=None,
        data=None,
        headers=None,
        auth=None,
        timeout=None,
        allow_redirects=False,
    ):  # type: ignore[override]
        self.requests.append({"method": method, "uri": uri, "data": dict(data or {})})
        if self.error is not None:
            return Response(400, json.dumps({"status": 400, **self.error}))
        return Response(201, json.dumps({"sid": "SM" + "f" * 32, "status": "queued"}))


@pytest.fixture
def engine(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'app.sqlite'}")
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def suppression(engine) -> SuppressionList:
    return SuppressionList(engine, "test-identifier-key")


def test_without_twilio_credentials_messages_go_to_the_local_outbox(engine, suppression):
    sender = create_sms_sender(TwilioSettings(), engine=engine, identifier_key="k")
    assert isinstance(sender, OutboxSmsSender)
    result = sender.send_sms("(512) 555-0101", "Your ID card: https://x/d/1", "https://x/m/1")
    assert result.status == "queued"
    [message] = read_outbox(engine, to=CALLER)
    assert (message.body, message.media_url, message.status) == (
        "Your ID card: https://x/d/1",
        "https://x/m/1",
        "queued",
    )
    assert result.message_id == f"outbox:{message.id}"


def test_the_outbox_is_read_in_order_after_a_known_id_and_marked_delivered(engine, suppression):
    sender = OutboxSmsSender(engine, suppression)
    for body in ("one", "two", "three"):
        sender.send_sms(CALLER, body)
    sender.send_sms("+15125550102", "someone else")
    first = read_outbox(engine, to=CALLER)
    assert [m.body for m in first] == ["one", "two", "three"]
    assert [m.body for m in read_outbox(engine, to=CALLER, after_id=first[0].id)] == [
        "two",
        "three",
    ]
    mark_delivered(engine, [first[0].id])
    assert [m.status for m in read_outbox(engine, to=CALLER)] == ["delivered", "queued", "queued"]
    assert latest_outbox_id(engine) == first[-1].id + 1


def test_nothing_is_sent_to_an_opted_out_number(engine, suppression):
    sender = OutboxSmsSender(engine, suppression)
    suppression.opt_out(CALLER, "keyword")
    assert sender.send_sms(CALLER, "Your bill is due").status == "suppressed"
    assert read_outbox(engine) == []
    # ... except the single opt-out confirmation / HELP answer carriers require.
    assert sender.send_compliance_reply(CALLER, "You're unsubscribed.").status == "queued"
    assert [m.body for m in read_outbox(engine)] == ["You're unsubscribed."]


def test_an_invalid_number_is_not_sent(engine, suppression):
    sender = OutboxSmsSender(engine, suppression)
    assert sender.send_sms("anonymous", "hi").status == "invalid_number"
    assert read_outbox(engine) == []


def test_the_suppression_list_stores_no_phone_numbers(engine, suppression):
    assert suppression.opt_out("+1 (512) 555-0101", "plain_language")
    assert not suppression.opt_out(CALLER, "keyword")  # same number, already suppressed
    assert suppression.is_suppressed("5125550101")
    with engine.connect() as conn:
        [row] = conn.execute(sms_suppression.select()).all()
    assert "5125550101" not in " ".join(str(v) for v in row)
    assert row.source == "plain_language"
    assert suppression.opt_in(CALLER)
    assert not suppression.is_suppressed(CALLER)
    assert not suppression.opt_in(CALLER)


def test_with_credentials_messages_go_to_the_twilio_rest_api(engine, suppression):
    api = FakeTwilioApi()
    sender = TwilioSmsSender(
        REST, suppression, status_callback_url="https://bot.example/status", http_client=api
    )
    result = sender.send_sms(CALLER, "Your ID card", media_url="https://x/m/1")
    assert (result.status, result.message_id) == ("sent", "SM" + "f" * 32)
    [request] = api.requests
    assert request["method"] == "POST"
    assert request["uri"].endswith(f"/Accounts/{ACCOUNT}/Messages.json")
    assert request["data"] == {
        "To": CALLER,
        "From": "+15005550006",
        "Body": "Your ID card",
        "MediaUrl": ["https://x/m/1"],
        "StatusCallback": "https://bot.example/status",
    }
    assert read_outbox(engine) == []


def test_the_default_twilio_http_client_has_a_timeout_and_quiet_logging(suppression):
    sender = TwilioSmsSender(REST, suppression)
    http_client = sender._client.http_client
    assert isinstance(http_client, TwilioHttpClient)
    assert http_client.timeout == 4
    assert logging.getLogger("twilio.http_client").level == logging.WARNING


def test_a_carrier_opt_out_reported_by_twilio_is_added_to_the_suppression_list(suppression):
    api = FakeTwilioApi(error={"code": 21610, "message": "Attempt to send to unsubscribed"})
    sender = TwilioSmsSender(REST, suppression, http_client=api)
    result = sender.send_sms(CALLER, "Your bill is due")
    assert (result.status, result.error_code) == ("suppressed", 21610)
    assert suppression.is_suppressed(CALLER)
    assert sender.send_sms(CALLER, "again").status == "suppressed"
    assert len(api.requests) == 1


def test_other_twilio_errors_are_reported_as_failures(suppression):
    api = FakeTwilioApi(error={"code": 21211, "message": "Invalid 'To' Phone Number"})
    result = TwilioSmsSender(REST, suppression, http_client=api).send_sms(CALLER, "hi")
    assert (result.status, result.error_code) == ("failed", 21211)
    assert not suppression.is_suppressed(CALLER)


def test_create_sms_sender_uses_twilio_when_credentials_are_set(engine):
    sender = create_sms_sender(REST, engine=engine, identifier_key="k", http_client=FakeTwilioApi())
    assert isinstance(sender, TwilioSmsSender)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"TWILIO_ACCOUNT_SID": ACCOUNT}, "both"),
        ({"TWILIO_FROM_NUMBER": "+15005550006"}, "both"),
        ({"POLICYLINE_ENV": "production"}, "TWILIO_AUTH_TOKEN must be set"),
        (
            {"POLICYLINE_ENV": "production", "TWILIO_AUTH_TOKEN": "local-twilio-auth-token"},
            "public local default",
        ),
        ({"POLICYLINE_ENV": "production", "TWILIO_AUTH_TOKEN": "real"}, "must be set"),
        ({"TWILIO_HTTP_TIMEOUT_S": "soon"}, "must be a number"),
    ],
)
def test_twilio_settings_fail_fast_on_incomplete_or_unsafe_configuration(env, message):
    with pytest.raises(ConfigurationError, match=message):
        TwilioSettings.from_mapping(env)


def test_twilio_settings_default_to_the_local_outbox_locally():
    settings = TwilioSettings.from_mapping({})
    assert not settings.rest_configured
    assert settings.auth_token == "local-twilio-auth-token"
    full = TwilioSettings.from_mapping(
        {
            "TWILIO_ACCOUNT_SID": ACCOUNT,
            "TWILIO_FROM_NUMBER": "+15005550006",
            "TWILIO_AUTH_TOKEN": "t",
            "TWILIO_HTTP_TIMEOUT_S": "3",
        }
    )
    assert full.rest_configured and full.http_timeout_s == 3
