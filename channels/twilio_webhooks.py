"""Sanic side of Twilio webhooks shared by both channels: verify first, then hand over the form.

``read_signed_form`` returns the form only for a request Twilio signed; otherwise the response to
send: 403 for a missing or wrong signature (the validator is not called without a header), 413
for an oversized body, 400 for a body that is not a UTF-8 form. No work happens before it.
"""

from __future__ import annotations

import logging

from multidict import MultiDict
from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.twilio_signatures import (
    SIGNATURE_HEADER,
    MalformedForm,
    parse_twilio_form,
    public_request_url,
    twilio_signature_valid,
)
from channels.config import ChannelSettings

log = logging.getLogger("channels.twilio")

XML = "text/xml; charset=utf-8"


def signed_url_for(request: Request, settings: ChannelSettings) -> str:
    """The URL Twilio signed, for a request that reached this server."""
    return public_request_url(
        path=request.path,
        query=request.query_string,
        scheme=request.scheme,
        host=request.headers.get("host", ""),
        public_base_url=settings.public_webhook_base_url,
        trust_forwarded_headers=settings.trust_forwarded_headers,
        forwarded_proto=request.headers.get("x-forwarded-proto"),
        forwarded_host=request.headers.get("x-forwarded-host"),
    )


def read_signed_form(
    request: Request, settings: ChannelSettings
) -> tuple[MultiDict[str] | None, HTTPResponse | None]:
    """``(form, None)`` for a genuine Twilio request, ``(None, refusal)`` otherwise."""
    signature = request.headers.get(SIGNATURE_HEADER)
    if not signature:
        log.warning("twilio webhook refused: no signature (%s)", request.path)
        return None, response.text("forbidden", status=403)
    body = request.body or b""
    if len(body) > settings.max_body_bytes:
        return None, response.text("payload too large", status=413)
    try:
        form = parse_twilio_form(body)
    except MalformedForm:
        log.warning("twilio webhook refused: unreadable form (%s)", request.path)
        return None, response.text("bad request", status=400)
    url = signed_url_for(request, settings)
    if not twilio_signature_valid(settings.twilio.auth_token, url, form, signature):
        log.warning("twilio webhook refused: signature does not match (%s)", request.path)
        return None, response.text("forbidden", status=403)
    return form, None


def twiml(body: str) -> HTTPResponse:
    return response.text(body, content_type=XML)


def first_value(form: MultiDict[str], name: str) -> str | None:
    """The first value of a form field (Twilio never repeats the fields we read)."""
    return form.getone(name, None)
