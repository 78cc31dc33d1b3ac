"""Is this request really from Twilio? Form parsing, the signed URL, and the signature check.

The one check for every Twilio callback: the SMS and voice webhooks on the Rasa server
(``channels.twilio_webhooks``) and the ``<Pay>`` callbacks on the web app (``bot.web.payments``).

Twilio signs ``URL + sorted(name + value for every form parameter)`` with HMAC-SHA1 under the
account's auth token and sends it in ``X-Twilio-Signature``. We check it with twilio's own
``RequestValidator`` before doing any work, with three details that bite (docs/architecture.md,
"Budgets and library facts"):

- a missing header must be refused *before* calling the validator (``validate(url, params,
  None)`` raises ``TypeError``);
- the URL is the one Twilio called: behind a proxy that is the configured public base URL plus
  the request's path and query, not the internal host the request arrived on;
- the form is a multi-dict: a repeated key (``MediaUrl0``... or a forged extra ``Body``) counts
  every value, so a parameter added or changed after signing fails the check.

Signatures carry no timestamp: replays are stopped by de-duplicating ``MessageSid`` /
(``CallSid``, turn) after this check.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import parse_qsl

from multidict import MultiDict
from twilio.request_validator import RequestValidator

SIGNATURE_HEADER = "X-Twilio-Signature"
# Twilio's SMS and voice webhooks have a few dozen parameters; far more is not Twilio.
MAX_FORM_FIELDS = 256


class MalformedForm(ValueError):
    """The body is not a URL-encoded UTF-8 form we could ever have been sent by Twilio."""


def parse_twilio_form(body: bytes, *, max_fields: int = MAX_FORM_FIELDS) -> MultiDict[str]:
    """The webhook body as a multi-dict, keeping blank values and repeated keys in order."""
    try:
        text = body.decode("utf-8")
        pairs = parse_qsl(
            text,
            keep_blank_values=True,
            strict_parsing=False,
            encoding="utf-8",
            errors="strict",
            max_num_fields=max_fields,
        )
    except (UnicodeDecodeError, ValueError) as exc:
        raise MalformedForm(str(exc)) from exc
    return MultiDict(pairs)


def public_request_url(
    *,
    path: str,
    query: str,
    scheme: str,
    host: str,
    public_base_url: str | None = None,
    trust_forwarded_headers: bool = False,
    forwarded_proto: str | None = None,
    forwarded_host: str | None = None,
) -> str:
    """The URL Twilio called for a request that reached us with this path, query and host.

    A configured ``public_base_url`` wins (it may carry a path prefix the proxy strips). Without
    it, the request's own scheme and Host header are used, overridden by ``X-Forwarded-Proto`` /
    ``X-Forwarded-Host`` (first hop) only when ``trust_forwarded_headers`` is on: otherwise
    anyone could choose the URL their forged signature is checked against.
    """
    suffix = path + (f"?{query}" if query else "")
    if public_base_url:
        return public_base_url.rstrip("/") + suffix
    if trust_forwarded_headers:
        scheme = _first_hop(forwarded_proto) or scheme
        host = _first_hop(forwarded_host) or host
    return f"{scheme}://{host}{suffix}"


def _first_hop(value: str | None) -> str | None:
    if not value:
        return None
    first = value.split(",", 1)[0].strip()
    return first or None


def twilio_signature_valid(
    auth_token: str, url: str, params: Mapping[str, str], signature: str | None
) -> bool:
    """True when ``signature`` is Twilio's signature of ``url`` and ``params``.

    ``params`` is a multi-dict (``multidict.MultiDict`` on Sanic, werkzeug's on Flask): the
    validator reads every value of a repeated key through ``getall`` / ``getlist``.
    """
    if not signature:
        # RequestValidator.validate(url, params, None) raises TypeError: refuse here instead.
        return False
    return bool(RequestValidator(auth_token).validate(url, params, signature))
