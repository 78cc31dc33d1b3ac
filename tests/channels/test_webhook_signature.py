"""Only requests Twilio signed for the URL it called, with exactly these parameters, pass."""

from __future__ import annotations

import pytest
from multidict import MultiDict

from bot import twilio_signatures as webhook_security
from bot.twilio_signatures import (
    MalformedForm,
    parse_twilio_form,
    public_request_url,
    twilio_signature_valid,
)
from channels.twilio_requests import sms_webhook_params, twilio_signature
from tests.channels.support import AUTH_TOKEN, PUBLIC_BASE

URL = f"{PUBLIC_BASE}/webhooks/twilio_sms/webhook"
PARAMS = sms_webhook_params(
    from_number="+15125550101", body="my ID card", message_sid="SM" + "a" * 32
)


def test_a_request_signed_with_the_auth_token_is_valid() -> None:
    signature = twilio_signature(AUTH_TOKEN, URL, PARAMS)
    assert twilio_signature_valid(AUTH_TOKEN, URL, MultiDict(PARAMS), signature)


def test_a_missing_signature_is_refused_without_calling_the_validator(monkeypatch) -> None:
    calls: list[object] = []

    class RecordingValidator:
        def __init__(self, token: str) -> None:
            calls.append(token)

        def validate(self, *args: object) -> bool:  # pragma: no cover - must not run
            raise TypeError("validate() called without a signature")

    monkeypatch.setattr(webhook_security, "RequestValidator", RecordingValidator)
    assert not twilio_signature_valid(AUTH_TOKEN, URL, MultiDict(PARAMS), None)
    assert not twilio_signature_valid(AUTH_TOKEN, URL, MultiDict(PARAMS), "")
    assert calls == []


def test_a_signature_made_with_another_token_is_refused() -> None:
    signature = twilio_signature("someone-elses-token", URL, PARAMS)
    assert not twilio_signature_valid(AUTH_TOKEN, URL, MultiDict(PARAMS), signature)


def test_changing_a_parameter_after_signing_is_refused() -> None:
    signature = twilio_signature(AUTH_TOKEN, URL, PARAMS)
    replayed = [(k, "STOP" if k == "Body" else v) for k, v in PARAMS]
    assert not twilio_signature_valid(AUTH_TOKEN, URL, MultiDict(replayed), signature)


def test_adding_a_parameter_after_signing_is_refused() -> None:
    signature = twilio_signature(AUTH_TOKEN, URL, PARAMS)
    extended = [*PARAMS, ("MediaUrl0", "https://evil.example/x.png")]
    assert not twilio_signature_valid(AUTH_TOKEN, URL, MultiDict(extended), signature)


def test_every_value_of_a_repeated_key_counts() -> None:
    repeated = [*PARAMS, ("Body", "and a second body")]
    signature = twilio_signature(AUTH_TOKEN, URL, repeated)
    assert twilio_signature_valid(AUTH_TOKEN, URL, MultiDict(repeated), signature)
    # Dropping the repeated value, or reading the form as a plain dict, breaks the signature.
    assert not twilio_signature_valid(AUTH_TOKEN, URL, MultiDict(PARAMS), signature)
    assert not twilio_signature_valid(AUTH_TOKEN, URL, MultiDict(dict(repeated)), signature)


def test_the_query_string_is_part_of_what_is_signed() -> None:
    signed_url = f"{PUBLIC_BASE}/webhooks/twilio_voice/webhook?seq=3"
    signature = twilio_signature(AUTH_TOKEN, signed_url, PARAMS)
    assert twilio_signature_valid(AUTH_TOKEN, signed_url, MultiDict(PARAMS), signature)
    tampered = f"{PUBLIC_BASE}/webhooks/twilio_voice/webhook?seq=4"
    assert not twilio_signature_valid(AUTH_TOKEN, tampered, MultiDict(PARAMS), signature)


def test_behind_a_proxy_the_configured_public_url_is_checked_not_the_internal_host() -> None:
    signature = twilio_signature(AUTH_TOKEN, URL, PARAMS)
    arrived = dict(
        path="/webhooks/twilio_sms/webhook", query="", scheme="http", host="rasa-internal:5005"
    )
    internal = public_request_url(**arrived)
    public = public_request_url(**arrived, public_base_url=PUBLIC_BASE)
    assert internal == "http://rasa-internal:5005/webhooks/twilio_sms/webhook"
    assert public == URL
    assert not twilio_signature_valid(AUTH_TOKEN, internal, MultiDict(PARAMS), signature)
    assert twilio_signature_valid(AUTH_TOKEN, public, MultiDict(PARAMS), signature)


def test_a_public_base_url_with_a_path_prefix_keeps_the_prefix() -> None:
    url = public_request_url(
        path="/webhooks/twilio_sms/webhook",
        query="a=1",
        scheme="http",
        host="internal",
        public_base_url="https://example.com/policyline/",
    )
    assert url == "https://example.com/policyline/webhooks/twilio_sms/webhook?a=1"


def test_forwarded_headers_are_used_only_when_trusted() -> None:
    arrived = dict(
        path="/webhooks/twilio_sms/webhook",
        query="",
        scheme="http",
        host="rasa-internal:5005",
        forwarded_proto="https",
        forwarded_host="bot.policyline.example, proxy.internal",
    )
    assert public_request_url(**arrived) == "http://rasa-internal:5005/webhooks/twilio_sms/webhook"
    assert public_request_url(**arrived, trust_forwarded_headers=True) == URL


def test_the_form_is_read_as_a_multidict_with_blank_values_kept() -> None:
    form = parse_twilio_form(b"Body=&From=%2B15125550101&MediaUrl0=a&MediaUrl0=b&Body=x+y")
    assert form.getall("Body") == ["", "x y"]
    assert form.getall("MediaUrl0") == ["a", "b"]
    assert form.getone("From") == "+15125550101"


@pytest.mark.parametrize(
    "body",
    [b"Body=%FF%FE", b"\xff\xfe=1", b"&".join(b"k%d=v" % i for i in range(300))],
    ids=["invalid-percent-utf8", "invalid-raw-utf8", "too-many-fields"],
)
def test_bodies_twilio_never_sends_are_malformed(body: bytes) -> None:
    with pytest.raises(MalformedForm):
        parse_twilio_form(body)
