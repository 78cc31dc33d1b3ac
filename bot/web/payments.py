"""Payments on the web app: the pay page, Stripe's webhook and the IVR ``<Pay>`` callback.

- ``GET /pay/<token>``: the pay page for a pay link: Stripe's Payment Element (card or US bank
  account) for a payment, or a SetupIntent for autopay. Card and bank numbers go from the
  browser to Stripe only (SAQ-A): the page runs no script but Stripe.js and our own file (with
  SRI), under a strict Content-Security-Policy.
- ``GET /pay/<token>/status``: JSON the page polls after confirming; "succeeded" only once the
  webhook has posted the payment to the PAS.
- ``POST /stripe/webhook``: Stripe-Signature on the raw body, 403 otherwise; each event once.
- ``POST /stripe/ivr/pay/<token>``: Twilio's ``<Pay>`` action callback, Twilio-signed (403
  otherwise), answered with TwiML.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import threading
import time
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify, render_template, request

from bot.payments.factory import PaymentComponents, build_payments
from bot.payments.ivr import (
    MAX_PAY_ATTEMPTS,
    AfterPay,
    CallRecordings,
    after_pay_twiml,
    call_has_ended,
    empty_twiml,
)
from bot.payments.links import PayLinkError
from bot.payments.service import PaymentRefused, PaymentService, PaymentsUnavailable
from bot.payments.webhooks import ForgedWebhook, MalformedEvent, verify_event
from bot.phone_numbers import display_phone
from bot.settings import Settings
from bot.twilio_signatures import SIGNATURE_HEADER, public_request_url, twilio_signature_valid
from bot.web.body_limits import body_limit
from bot.web.root import web_root
from bot.web.security_headers import page_policy
from pas_connector.errors import PasError

log = logging.getLogger("bot.web.payments")
bp = Blueprint("payments", __name__)
EXTENSION = "policyline.payments"
MAX_TOKEN_LENGTH = 200
MAX_WEBHOOK_BYTES = 512 * 1024
STATIC = Path(__file__).parent / "static"

_LINK_REFUSALS = {
    "invalid": ("This link isn't valid", "The link may have been copied incompletely.", 404),
    "expired": ("This link has expired", "For your security, pay links expire quickly.", 410),
    "used": ("This link has already been used", "Each pay link works once.", 410),
}


def init_app(app: Flask) -> None:
    """Prepare payments for this app. The service (on the app's engine, clock and PAS facade:
    ``bot.web.root``, and a Stripe client) is built on the first payments request, or taken from
    ``PAYMENT_COMPONENTS``."""
    app.extensions[EXTENSION] = app.config.get("PAYMENT_COMPONENTS")
    app.extensions[EXTENSION + ".lock"] = threading.Lock()
    app.extensions[EXTENSION + ".sri"] = {
        name: _sri(STATIC / "payments" / name) for name in ("pay.js", "pay.css")
    } | {"shared.css": _sri(STATIC / "shared.css")}


def _components() -> PaymentComponents:
    app = current_app
    components: PaymentComponents | None = app.extensions[EXTENSION]
    if components is None:
        with app.extensions[EXTENSION + ".lock"]:
            components = app.extensions[EXTENSION]
            if components is None:
                root = web_root(app)
                components = build_payments(
                    root.settings, engine=root.engine, pas=root.pas, clock=root.clock
                )
                app.extensions[EXTENSION] = components
    assert components is not None
    return components


def _service() -> PaymentService:
    return _components().service


def _settings() -> Settings:
    settings: Settings = current_app.config["POLICYLINE_SETTINGS"]
    return settings


def _sri(path: Path) -> str:
    digest = hashlib.sha384(path.read_bytes()).digest()
    return "sha384-" + base64.b64encode(digest).decode()


def _origin(url: str) -> str:
    scheme, rest = url.split("://", 1)
    return f"{scheme}://{rest.split('/', 1)[0]}"


def content_security_policy(stripe_js_url: str, api_base: str | None) -> str:
    """Only our own files and Stripe's (or localstripe's) scripts, frames and API."""
    stripe_js = _origin(stripe_js_url)
    if api_base:
        scripts, frames, connect = [stripe_js], [stripe_js], [_origin(api_base)]
    else:
        scripts = ["https://js.stripe.com", "https://*.js.stripe.com"]
        frames = [*scripts, "https://hooks.stripe.com"]
        connect = ["https://api.stripe.com", "https://*.stripe.com"]
    return page_policy(
        add={
            "script-src": scripts,
            "frame-src": frames,
            "connect-src": connect,
            "img-src": ["https://*.stripe.com"],
            "font-src": ["'self'"],
        }
    )


def _page_headers(response: Response) -> Response:
    stripe_settings = _settings().stripe
    response.headers["Content-Security-Policy"] = content_security_policy(
        stripe_settings.js_url, stripe_settings.api_base
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _message_page(title: str, message: str, status: int) -> Response:
    body = render_template(
        "payments/message.html",
        title=title,
        message=message,
        phone=display_phone(current_app.config["CONTACT_CENTRE_PHONE"]),
    )
    return _page_headers(Response(body, status=status, mimetype="text/html"))


@bp.get("/pay/<token>")
def pay_page(token: str) -> Response:
    """The pay page for one link."""
    if len(token) > MAX_TOKEN_LENGTH:
        return _message_page(*_LINK_REFUSALS["invalid"])
    try:
        checkout = _service().open_checkout(token)
    except PayLinkError as refused:
        return _message_page(*_LINK_REFUSALS[refused.reason])
    except PaymentRefused as refused:
        return _message_page("We can't take this payment", refused.message, 409)
    except (PaymentsUnavailable, PasError):
        return _message_page(
            "Payments are unavailable right now", "Please try again in a few minutes.", 503
        )
    stripe_settings = _settings().stripe
    body = render_template(
        "payments/pay.html",
        checkout=checkout,
        token=token,
        publishable_key=stripe_settings.publishable_key,
        stripe_js_url=stripe_settings.js_url,
        sri=current_app.extensions[EXTENSION + ".sri"],
        status_url=f"/pay/{token}/status",
        return_url=f"{current_app.config['PUBLIC_BASE_URL']}/pay/{token}/done",
    )
    return _page_headers(Response(body, mimetype="text/html"))


@bp.get("/pay/<token>/status")
def pay_status(token: str) -> Response:
    """Where the link's payment stands (the page polls this after confirming)."""
    if len(token) > MAX_TOKEN_LENGTH:
        return _json({"state": "invalid"}, 404)
    try:
        state = _service().state_of(token)
    except PayLinkError:
        return _json({"state": "invalid"}, 404)
    except PasError:
        return _json({"state": "unknown"}, 503)
    return _json(
        {"state": state.state, "message": state.message, "confirmation": state.confirmation}
    )


@bp.get("/pay/<token>/done")
def pay_done(token: str) -> Response:
    """Where Stripe returns after a redirecting payment method: show the outcome."""
    try:
        state = _service().state_of(token)
    except PayLinkError:
        return _message_page(*_LINK_REFUSALS["invalid"])
    titles = {
        "succeeded": "Payment received",
        "processing": "Payment processing",
        "failed": "Payment not completed",
        "open": "Payment in progress",
    }
    return _message_page(titles[state.state], state.message, 200)


def _json(payload: dict[str, Any], status: int = 200) -> Response:
    response = jsonify(payload)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/stripe/webhook")
@body_limit(MAX_WEBHOOK_BYTES)
def stripe_webhook() -> Response:
    """Stripe events: verified on the raw body, then processed once by event id."""
    payload = request.get_data(cache=False, as_text=False)
    stripe_settings = _settings().stripe
    started = time.perf_counter()
    try:
        event = verify_event(
            _components().client,
            payload,
            request.headers.get("Stripe-Signature"),
            stripe_settings.webhook_secret,
            stripe_settings.webhook_tolerance_s,
        )
    except MalformedEvent as exc:
        log.warning("stripe webhook refused: %s", exc)
        return _json({"error": "not an event"}, 400)
    except ForgedWebhook as exc:
        log.warning("stripe webhook refused: %s", exc)
        return _json({"error": "forbidden"}, 403)
    try:
        outcome = _service().handle_event(event)
    except (PaymentsUnavailable, PasError) as exc:
        # Not processed (the event's claim was released): Stripe redelivers later.
        log.warning("stripe event %s not processed now: %s", event.id, type(exc).__name__)
        return _json({"error": "try again"}, 503)
    log.info("stripe event %s (%s): %s in %.0f ms", event.id, event.type, outcome,
             (time.perf_counter() - started) * 1000)  # fmt: skip
    return _json({"received": True, "outcome": outcome})


def _twilio_signed() -> bool:
    """Same check as the SMS and voice webhooks (``bot.twilio_signatures``): the URL Twilio
    called, every form value (multi-dict), no validator call without a signature header. The URL
    is the one we put in the ``<Pay>`` action: ``Settings.twilio_callback_base_url`` + path."""
    url = public_request_url(
        path=request.path,
        query=request.query_string.decode("utf-8", "replace"),
        scheme=request.scheme,
        host=request.host,
        public_base_url=_settings().twilio_callback_base_url,
    )
    signature = request.headers.get(SIGNATURE_HEADER)
    return twilio_signature_valid(_components().twilio.auth_token, url, request.form, signature)


@bp.post("/stripe/ivr/pay/<token>")
def ivr_pay_callback(token: str) -> Response:
    """Twilio ``<Pay>`` finished: charge the tokenised card, tell the caller."""
    if len(token) > MAX_TOKEN_LENGTH or not _twilio_signed():
        log.warning("ivr pay callback refused: signature missing or wrong")
        return Response("forbidden", status=403, mimetype="text/plain")
    if call_has_ended(request.form.get("CallStatus")):
        # Twilio posts (or retries) <Pay>'s action after a hang-up: nobody would hear the outcome,
        # so nothing is charged and the link stays open to pay later.
        log.info("ivr pay callback after the call ended: nothing charged")
        return Response(empty_twiml(), mimetype="text/xml")
    components = _components()
    settings = _settings()
    attempt = request.args.get("attempt", "1")
    attempt_no = int(attempt) if attempt.isdigit() else 1
    result = request.form.get("Result", "")
    token_value = request.form.get("PaymentToken", "")
    call_sid = request.form.get("CallSid", "")
    after = _after_pay(components.service, token, result, token_value, attempt_no)
    twiml = after_pay_twiml(
        after, settings.twilio_callback_base_url, settings.stripe.twilio_pay_connector, token
    )
    if call_sid and components.twilio.rest_configured and after.retry_attempt is None:
        CallRecordings(components.twilio).in_background("resume", call_sid)
    return Response(twiml, mimetype="text/xml")


def _after_pay(
    service: PaymentService, token: str, result: str, payment_method: str, attempt: int
) -> AfterPay:
    retry = attempt + 1 if attempt < MAX_PAY_ATTEMPTS else None
    again = " Let's try another card." if retry else " Nothing was charged."
    if result != "success" or not payment_method.startswith("pm_"):
        if result == "caller-interrupted-with-star":
            return AfterPay("Okay, I've cancelled the payment. Nothing was charged.")
        return AfterPay("Sorry, I couldn't take those card details." + again, retry)
    try:
        outcome = service.pay_by_phone(token, payment_method)
    except PayLinkError as refused:
        return AfterPay(f"Sorry, this payment link is {refused.reason}. Please call us again.")
    except PaymentRefused as refused:
        return AfterPay(refused.message)
    except (PaymentsUnavailable, PasError):
        return AfterPay("Sorry, payments are unavailable right now. Nothing was charged.")
    if outcome.status == "declined":
        return AfterPay(outcome.message + again, retry)
    return AfterPay(outcome.message)
