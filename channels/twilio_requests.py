"""Build webhook requests exactly as Twilio sends them, signed with an auth token.

The simulators use these to talk to a running Rasa server, and tests use them to prove the
channels accept Twilio's requests and refuse everything else. The signature is computed with
twilio's own ``RequestValidator.compute_signature`` over the URL Twilio would call (the public URL
when the server sits behind a proxy, which may differ from the URL the request is sent to).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from multidict import MultiDict
from twilio.request_validator import RequestValidator

from bot.twilio_signatures import SIGNATURE_HEADER

FormPairs = Sequence[tuple[str, str]]
LOCAL_ACCOUNT_SID = "AC" + "0" * 32
LOCAL_TWILIO_NUMBER = "+15005550006"


@dataclass(frozen=True)
class SignedTwilioRequest:
    """A form POST ready to send: its URL-encoded body and headers (with the signature)."""

    body: bytes
    headers: dict[str, str]
    signature: str


def twilio_signature(auth_token: str, url: str, params: FormPairs) -> str:
    """Twilio's ``X-Twilio-Signature`` for a form POST of ``params`` to ``url``."""
    return str(RequestValidator(auth_token).compute_signature(url, MultiDict(params)))


def signed_form_request(auth_token: str, signed_url: str, params: FormPairs) -> SignedTwilioRequest:
    """A POST of ``params`` signed for ``signed_url`` (the URL Twilio believes it calls)."""
    signature = twilio_signature(auth_token, signed_url, params)
    return SignedTwilioRequest(
        body=urlencode(list(params)).encode(),
        headers={
            "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
            SIGNATURE_HEADER: signature,
            "User-Agent": "TwilioProxy/1.1",
        },
        signature=signature,
    )


def new_message_sid() -> str:
    """A fresh message sid in Twilio's shape (``SM`` + 32 hex)."""
    return "SM" + secrets.token_hex(16)


def new_call_sid() -> str:
    """A fresh call sid in Twilio's shape (``CA`` + 32 hex)."""
    return "CA" + secrets.token_hex(16)


def sms_webhook_params(
    *,
    from_number: str,
    body: str | None,
    to_number: str = LOCAL_TWILIO_NUMBER,
    message_sid: str | None = None,
    media_urls: Iterable[str] = (),
    account_sid: str = LOCAL_ACCOUNT_SID,
) -> list[tuple[str, str]]:
    """The form of an incoming-message webhook (``body=None`` leaves ``Body`` out)."""
    sid = message_sid or new_message_sid()
    media = list(media_urls)
    params = [
        ("ToCountry", "US"),
        ("SmsMessageSid", sid),
        ("NumMedia", str(len(media))),
        ("SmsSid", sid),
        ("SmsStatus", "received"),
        ("To", to_number),
        ("NumSegments", "1"),
        ("MessageSid", sid),
        ("AccountSid", account_sid),
        ("From", from_number),
        ("ApiVersion", "2010-04-01"),
    ]
    if body is not None:
        params.append(("Body", body))
    params.extend((f"MediaUrl{i}", url) for i, url in enumerate(media))
    return params


def sms_status_params(
    *,
    message_sid: str,
    status: str,
    error_code: int | None = None,
    account_sid: str = LOCAL_ACCOUNT_SID,
) -> list[tuple[str, str]]:
    """The form of a message status callback."""
    params = [
        ("MessageSid", message_sid),
        ("SmsSid", message_sid),
        ("MessageStatus", status),
        ("SmsStatus", status),
        ("AccountSid", account_sid),
        ("ApiVersion", "2010-04-01"),
    ]
    if error_code is not None:
        params.append(("ErrorCode", str(error_code)))
    return params


def voice_webhook_params(
    *,
    call_sid: str,
    from_number: str,
    to_number: str = LOCAL_TWILIO_NUMBER,
    call_status: str = "in-progress",
    digits: str | None = None,
    speech: str | None = None,
    confidence: float = 0.92,
    account_sid: str = LOCAL_ACCOUNT_SID,
) -> list[tuple[str, str]]:
    """The form of a voice webhook: the call's first request, or a <Gather> result."""
    params = [
        ("AccountSid", account_sid),
        ("ApiVersion", "2010-04-01"),
        ("CallSid", call_sid),
        ("CallStatus", call_status),
        ("Called", to_number),
        ("Caller", from_number),
        ("Direction", "inbound"),
        ("From", from_number),
        ("To", to_number),
    ]
    if digits is not None:
        params.append(("Digits", digits))
    if speech is not None:
        params.extend([("SpeechResult", speech), ("Confidence", f"{confidence:.8f}")])
    return params
