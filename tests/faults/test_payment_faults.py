"""Payment faults: Stripe unreachable mid-payment, and a ``<Pay>`` callback after the call ended.

Each test runs the real web app (pay page, Stripe webhook, Twilio-signed ``<Pay>`` callback) on
the PAS sandbox with a localstripe of its own, which it stops and starts again on the same port
(its objects kept in a state file, as Stripe keeps them through an outage). What was charged is
read back from localstripe's API (every PaymentIntent and charge it holds) and from our payment
records, the PAS balance and the outbox.
"""

from __future__ import annotations

import json
import logging
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.settings import LOCAL_SECRETS
from channels.twilio_requests import new_call_sid
from devtools.localstripe_server import register_webhook_endpoint
from tests.payments.conftest import (
    MARIA_POLICY,
    WEBHOOK_SECRET,
    Localstripe,
    PayStack,
    card,
    serving_pay_stack,
    start_localstripe,
    token_of,
)
from tests.payments.test_ivr_pay import pay_callback, pay_result, tokenised_card
from tests.payments.test_webhooks import deliver, stripe_signature
from tests.support.servers import SandboxHandle, artifact_log_dir
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.faults, pytest.mark.slow]

CARD = "4242424242424242"
UNAVAILABLE_PAGE = ("Payments are unavailable right now", "Please try again in a few minutes.")
UNAVAILABLE_CALL = "Sorry, payments are unavailable right now. Nothing was charged."


@dataclass
class StripeStandIn:
    """This test's localstripe: stopped and started again on its port, objects kept."""

    server: Localstripe
    log_path: Path
    state_file: Path
    webhook_url: str = ""

    @property
    def url(self) -> str:
        return self.server.url

    def stop(self) -> None:
        self.server.stop()

    def start_again(self) -> None:
        self.server = start_localstripe(
            self.log_path, port=self.server.port, state_file=self.state_file
        )
        if self.webhook_url:  # webhook endpoints live in localstripe's memory only
            register_webhook_endpoint(self.url, self.webhook_url, WEBHOOK_SECRET)

    def objects(self, kind: str) -> list[dict[str, Any]]:
        """Every ``payment_intents`` / ``charges`` / ``events`` object localstripe holds."""
        response = httpx.get(
            f"{self.url}/v1/{kind}",
            params={"limit": 100},
            headers={"Authorization": f"Bearer {LOCAL_SECRETS['STRIPE_SECRET_KEY']}"},
            timeout=10,
        )
        response.raise_for_status()
        return list(response.json()["data"])


@pytest.fixture
def stripe(tmp_path: Path) -> Iterator[StripeStandIn]:
    log = artifact_log_dir(tmp_path) / "localstripe.log"
    state = tmp_path / "localstripe.pickle"
    stand_in = StripeStandIn(start_localstripe(log, state_file=state), log, state)
    try:
        yield stand_in
    finally:
        stand_in.stop()


@pytest.fixture
def pay(stripe: StripeStandIn, sandbox: SandboxHandle, tmp_path: Path) -> Iterator[PayStack]:
    with serving_pay_stack(stripe.server, sandbox, tmp_path) as stack:
        stripe.webhook_url = f"{stack.base_url}/stripe/webhook"
        yield stack


def _charged_once(pay: PayStack, stripe: StripeStandIn, link: Any, before: Decimal) -> None:
    """One PaymentIntent, one succeeded charge, one payment row, one PAS posting, one text."""
    row = pay.service.records.payment_by_link(link.link_id)
    assert row is not None and row.status == "succeeded"
    intents = stripe.objects("payment_intents")
    assert [(i["id"], i["status"]) for i in intents] == [(row.payment_intent_id, "succeeded")]
    charges = stripe.objects("charges")
    assert [(c["payment_intent"], c["status"]) for c in charges] == [
        (row.payment_intent_id, "succeeded")
    ]
    assert len(pay.service.records.payments_for(MARIA_POLICY)) == 1
    assert pay.balance() == before - link.amount
    received = [m.body for m in wait_until(pay.outbox, what="the confirmation text")]
    assert sum(body.startswith("Payment received") for body in received) == 1, received


def _said(twiml: str) -> tuple[list[str], list[str]]:
    """What a TwiML answer says, and its verbs in order."""
    root = ET.fromstring(twiml)
    assert root.tag == "Response", twiml
    return [el.text or "" for el in root.iter("Say")], [el.tag for el in root]


# -- Stripe unreachable ---------------------------------------------------------------------------


def test_a_pay_page_opened_while_stripe_is_down_says_try_again_and_pays_once_when_it_is_back(
    pay: PayStack, stripe: StripeStandIn
) -> None:
    before = pay.balance()
    link = pay.issue_link("80.00")
    stripe.stop()

    for _ in range(2):  # the first visit, then a reload while Stripe is still down
        page, secret = pay.open_page(link)
        assert page.status_code == 503 and secret is None
        assert all(words in page.text for words in UNAVAILABLE_PAGE), page.text
        assert "Traceback" not in page.text and "APIConnectionError" not in page.text
    status = pay.http.get(f"{link.url}/status")
    assert status.status_code == 200 and status.json()["state"] == "open"

    stripe.start_again()
    page, secret = pay.open_page(link)
    assert page.status_code == 200 and secret is not None
    assert pay.open_page(link)[1] == secret  # a reload resumes the same PaymentIntent
    confirmed = pay.confirm_like_stripe_js(secret, card(CARD))
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "succeeded"
    wait_until(lambda: pay.state(link) == "succeeded", what="the webhook to post the payment")
    _charged_once(pay, stripe, link, before)
    assert pay.http.get(link.url).status_code == 410  # used up: it cannot be paid again


def test_a_call_paying_while_stripe_is_down_hears_nothing_was_charged_and_pays_once_after(
    pay: PayStack, stripe: StripeStandIn
) -> None:
    before = pay.balance()
    link = pay.issue_link("60.00")
    assert pay.open_page(link)[0].status_code == 200  # the texted link was opened: an intent
    token = tokenised_card(pay, CARD)  # Twilio's connector tokenised the keyed card
    stripe.stop()

    answer = pay_callback(pay, token_of(link), pay_result(new_call_sid(), token))

    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("text/xml")
    said, verbs = _said(answer.text)
    assert UNAVAILABLE_CALL in said and verbs[-1] == "Hangup", answer.text
    assert pay.state(link) == "open" and pay.balance() == before and pay.outbox() == []

    stripe.start_again()
    # Nothing was charged while Stripe was down: the intent still waits for a payment method.
    assert [i["status"] for i in stripe.objects("payment_intents")] == ["requires_payment_method"]
    assert stripe.objects("charges") == []
    # The policyholder calls again; Twilio tokenises the card again for the new <Pay>.
    again = pay_callback(pay, token_of(link), pay_result(new_call_sid(), tokenised_card(pay, CARD)))
    said, _ = _said(again.text)
    assert any("Your payment of $60.00 was accepted." in s for s in said), again.text
    wait_until(lambda: pay.state(link) == "succeeded", what="the webhook to post the payment")
    _charged_once(pay, stripe, link, before)


def test_a_webhook_arriving_while_stripe_cannot_be_reached_is_refused_and_posted_once_later(
    pay: PayStack, stripe: StripeStandIn
) -> None:
    """Stripe's event arrives, but the intent cannot be re-read (our way to Stripe is down):
    503, nothing posted; Stripe's redelivery after the outage posts it once, and a second
    redelivery is a duplicate."""
    register_webhook_endpoint(stripe.url, "http://127.0.0.1:9/nowhere", "x")  # we deliver
    stripe.webhook_url = ""
    before = pay.balance()
    link = pay.issue_link("45.00")
    _, secret = pay.open_page(link)
    assert secret is not None
    assert pay.confirm_like_stripe_js(secret, card(CARD)).status_code == 200
    intent_id = secret.split("_secret_", 1)[0]
    event = wait_until(
        lambda: next(
            (e for e in stripe.objects("events")
             if e["type"] == "payment_intent.succeeded" and e["data"]["object"]["id"] == intent_id),
            None,
        ),
        what="localstripe's payment_intent.succeeded event",
    )  # fmt: skip
    body = json.dumps(event).encode()
    stripe.stop()

    refused = deliver(pay, body, stripe_signature(body, WEBHOOK_SECRET))

    assert refused.status_code == 503 and refused.json() == {"error": "try again"}
    assert pay.state(link) == "open" and pay.balance() == before and pay.outbox() == []

    stripe.start_again()
    first = deliver(pay, body, stripe_signature(body, WEBHOOK_SECRET))
    assert first.status_code == 200 and first.json()["outcome"] == "processed"
    second = deliver(pay, body, stripe_signature(body, WEBHOOK_SECRET))
    assert second.status_code == 200 and second.json()["outcome"] == "duplicate"
    assert pay.state(link) == "succeeded"
    _charged_once(pay, stripe, link, before)


# -- a <Pay> callback after the call ended -------------------------------------------------------


def _no_card_data_logged(caplog: pytest.LogCaptureFixture) -> None:
    """Nothing logged since the card was tokenised (by the test, as Twilio's connector would)
    holds the card number, masked or not, or the ``<Pay>`` card fields (expiry, postal code)."""
    logged = caplog.text
    assert "ivr pay callback" in logged  # the capture did see the callbacks
    for value in (CARD, "xxxx-xxxx-xxxx-4242", "PaymentCard", "ExpirationDate"):
        assert value not in logged, f"{value!r} was logged"


def _ended(form: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [*form, ("CallStatus", "completed")]


def test_a_pay_callback_for_a_call_that_already_ended_charges_and_records_nothing(
    pay: PayStack, stripe: StripeStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    before = pay.balance()
    link = pay.issue_link("60.00")
    token = tokenised_card(pay, CARD)
    caplog.clear()
    form = _ended(pay_result(new_call_sid(), token))

    answers = [pay_callback(pay, token_of(link), form) for _ in range(2)]  # and Twilio's retry

    for answer in answers:
        assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("text/xml")
        assert _said(answer.text) == ([], []), answer.text  # nothing to say to a call that ended
    assert stripe.objects("payment_intents") == [] and stripe.objects("charges") == []
    assert pay.service.records.payment_by_link(link.link_id) is None
    assert pay.balance() == before and pay.outbox() == []
    # The link was not used up: the policyholder can still pay with it.
    assert pay.state(link) == "open" and pay.open_page(link)[0].status_code == 200
    _no_card_data_logged(caplog)


def test_a_pay_callback_repeated_after_the_call_ended_charges_and_records_nothing_twice(
    pay: PayStack, stripe: StripeStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    before = pay.balance()
    link = pay.issue_link("60.00")
    call_sid = new_call_sid()
    token = tokenised_card(pay, CARD)
    caplog.clear()
    live = pay_callback(
        pay, token_of(link), [*pay_result(call_sid, token), ("CallStatus", "in-progress")]
    )
    assert any("was accepted" in s for s in _said(live.text)[0]), live.text

    # Twilio repeats the callback after the caller hung up: before and after the webhook.
    late = pay_callback(pay, token_of(link), _ended(pay_result(call_sid, token)))
    wait_until(lambda: pay.state(link) == "succeeded", what="the webhook to post the payment")
    later = pay_callback(pay, token_of(link), _ended(pay_result(call_sid, token)))

    for answer in (late, later):
        assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("text/xml")
        assert _said(answer.text) == ([], []), answer.text
    _charged_once(pay, stripe, link, before)
    _no_card_data_logged(caplog)
