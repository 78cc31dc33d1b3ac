"""Payments on a call: the <Pay> verb, and its Twilio-signed action callback on the web app."""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from twilio.http import HttpClient
from twilio.http.response import Response as TwilioResponse
from twilio.twiml.voice_response import VoiceResponse

from bot.payments.ivr import CallRecordings, StripePayVerbs, voice_payment_hook
from bot.settings import TwilioSettings
from channels.twilio_requests import new_call_sid, signed_form_request
from tests.payments.conftest import PayStack, token_of
from tests.support.waiting import wait_until

CONNECTOR = "Stripe_Connector"


@dataclass(frozen=True)
class VoicePayLink:
    """The voice channel's pay link shape (``channels.bot_messages.PayLink``)."""

    url: str
    amount: str | None = None


class RecordingTwilio(HttpClient):
    """A Twilio HTTP client that records requests and answers like the Recordings API."""

    def __init__(self) -> None:
        super().__init__(logging.getLogger("test.twilio"), is_async=False)
        self.requests: list[tuple[str, str, dict[str, Any]]] = []
        self.lock = threading.Lock()

    def request(self, method, uri, params=None, data=None, headers=None, auth=None,  # type: ignore[no-untyped-def]
                timeout=None, allow_redirects=False):  # fmt: skip
        with self.lock:
            self.requests.append((method, uri, dict(data or {})))
        body = {"sid": "RE" + "0" * 32, "status": dict(data or {}).get("Status", "paused")}
        return TwilioResponse(200, json.dumps(body))


def pay_callback(pay_stack: PayStack, token: str, form: list[tuple[str, str]], *,
                 attempt: int = 1, sign_url: str | None = None, auth: str | None = None):  # type: ignore[no-untyped-def]  # fmt: skip
    url = f"{pay_stack.base_url}/stripe/ivr/pay/{token}?attempt={attempt}"
    signed = signed_form_request(
        auth or pay_stack.components.twilio.auth_token, sign_url or url, form
    )
    return pay_stack.http.post(url, content=signed.body, headers=signed.headers)


def pay_result(
    call_sid: str, payment_method_id: str, result: str = "success"
) -> list[tuple[str, str]]:
    """The form Twilio posts to <Pay>'s action URL after tokenising a card."""
    return [
        ("AccountSid", "AC" + "0" * 32),
        ("CallSid", call_sid),
        ("Result", result),
        ("PaymentToken", payment_method_id),
        ("ProfileId", ""),
        ("PaymentConfirmationCode", ""),
        ("PaymentCardNumber", "xxxx-xxxx-xxxx-4242"),
        ("PaymentCardType", "visa"),
        ("ExpirationDate", "1230"),
        ("PaymentCardPostalCode", "78704"),
    ]


def tokenised_card(pay_stack: PayStack, number: str) -> str:
    """What Twilio's Stripe connector does with the digits the caller keys in."""
    pm = pay_stack.service._stripe.v1.payment_methods.create(
        params={
            "type": "card",
            "card": {"number": number, "exp_month": 12, "exp_year": 2030, "cvc": "123"},
        }
    )
    return str(pm.id)


def test_pay_verb_only_tokenises_with_the_stripe_connector_and_pauses_recording():
    twilio = RecordingTwilio()
    recordings = CallRecordings(
        TwilioSettings(account_sid="AC" + "1" * 32, from_number="+15005550006"), twilio
    )
    hook = StripePayVerbs("https://pay.example.test", CONNECTOR, recordings)
    call_sid = new_call_sid()

    verb = hook.pay_verb(VoicePayLink("https://pay.example.test/pay/abc.DEF-1"), call_sid)

    response = VoiceResponse()
    response.append(verb)
    twiml = str(response)
    assert f'paymentConnector="{CONNECTOR}"' in twiml
    assert 'tokenType="payment-method"' in twiml and "chargeAmount" not in twiml
    assert 'action="https://pay.example.test/stripe/ivr/pay/abc.DEF-1?attempt=1"' in twiml
    wait_until(lambda: twilio.requests, what="the recording pause")
    method, uri, data = twilio.requests[0]
    assert method == "POST" and uri.endswith(f"/Calls/{call_sid}/Recordings/Twilio.CURRENT.json")
    assert data["Status"] == "paused"
    # No connector configured: no <Pay>; the channel texts the link instead.
    assert voice_payment_hook("https://pay.example.test", "", TwilioSettings()) is None


def test_signed_pay_callback_charges_the_token_and_the_webhook_posts_it(pay_stack: PayStack):
    before = pay_stack.balance()
    link = pay_stack.issue_link("60.00")
    pm = tokenised_card(pay_stack, "4242424242424242")

    answer = pay_callback(pay_stack, token_of(link), pay_result(new_call_sid(), pm))

    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("text/xml")
    assert "Your payment of $60.00 was accepted." in answer.text and "<Hangup" in answer.text
    wait_until(lambda: pay_stack.state(link) == "succeeded", what="the webhook to post it")
    assert pay_stack.balance() == before - Decimal("60.00")
    assert wait_until(pay_stack.outbox)[0].body.startswith("Payment received: $60.00")
    assert pay_stack.service.records.payment_by_link(link.link_id).kind == "ivr"


def test_unsigned_or_forged_pay_callbacks_get_403_and_charge_nothing(pay_stack: PayStack):
    link = pay_stack.issue_link("60.00")
    token = token_of(link)
    form = pay_result(new_call_sid(), tokenised_card(pay_stack, "4242424242424242"))
    url = f"{pay_stack.base_url}/stripe/ivr/pay/{token}?attempt=1"

    unsigned = pay_stack.http.post(url, data=dict(form))
    wrong_token = pay_callback(pay_stack, token, form, auth="not-our-auth-token")
    other_url = pay_callback(pay_stack, token, form, sign_url=url.replace("attempt=1", "attempt=2"))
    extra = pay_callback(pay_stack, token, form)  # then a field is added after signing:
    forged = pay_stack.http.post(
        url,
        content=signed_form_request(pay_stack.components.twilio.auth_token, url, form).body
        + b"&PaymentToken=pm_attacker",
        headers=signed_form_request(pay_stack.components.twilio.auth_token, url, form).headers,
    )

    assert [r.status_code for r in (unsigned, wrong_token, other_url, forged)] == [403] * 4
    assert extra.status_code == 200  # the genuine one is accepted


def test_declined_card_on_a_call_offers_one_more_try_then_ends(pay_stack: PayStack):
    before = pay_stack.balance()
    link = pay_stack.issue_link("60.00")
    call_sid = new_call_sid()

    first = pay_callback(
        pay_stack,
        token_of(link),
        pay_result(call_sid, tokenised_card(pay_stack, "4000000000000341")),
    )
    assert "Sorry, that card was declined. Let's try another card." in first.text
    assert f"/stripe/ivr/pay/{token_of(link)}?attempt=2" in first.text and "<Pay" in first.text

    second = pay_callback(
        pay_stack, token_of(link),
        pay_result(call_sid, tokenised_card(pay_stack, "4000000000000341")), attempt=2,
    )  # fmt: skip
    assert "<Pay" not in second.text and "Nothing was charged." in second.text
    assert "<Hangup" in second.text
    assert pay_stack.balance() == before

    caller_gave_up = pay_callback(
        pay_stack, token_of(link), pay_result(call_sid, "", "caller-interrupted-with-star")
    )
    assert "cancelled the payment" in caller_gave_up.text


async def test_a_call_asked_to_pay_gets_pay_from_our_hook_and_its_callback_charges(
    pay_stack: PayStack, tmp_path
):
    """The voice channel's call flow with ``StripePayVerbs``: the bot's pay link becomes <Pay>
    (nothing texted), and Twilio's callback to that <Pay> action charges the link."""
    import asyncio

    from channels.resources import ChannelResources
    from tests.channels.support import make_settings
    from tests.channels.voice_support import Facts, VoiceBot, build_calls, parse, request

    link = pay_stack.issue_link("45.00")
    bot = VoiceBot(
        answer=[
            {"text": "Your payment is $45.00."},
            {
                "custom": {
                    "pay_link": {"url": link.url, "amount": "45.00", "sms_to": "+15125550101"}
                }
            },
        ]
    )
    resources = ChannelResources.build(make_settings(tmp_path))
    try:
        calls = build_calls(
            resources, bot, Facts(),
            payment_hook=StripePayVerbs(pay_stack.base_url, CONNECTOR),
        )  # fmt: skip
        twiml = await calls.respond(request(seq=1, digits="3"))
    finally:
        resources.engine.dispose()
    pay = parse(twiml).find("Pay")
    assert pay is not None and pay.get("tokenType") == "payment-method"
    assert pay.get("chargeAmount") is None and pay.get("paymentConnector") == CONNECTOR
    action = pay.get("action")
    assert action == f"{pay_stack.base_url}/stripe/ivr/pay/{token_of(link)}?attempt=1"

    pm = tokenised_card(pay_stack, "4242424242424242")
    answer = await asyncio.to_thread(
        pay_callback, pay_stack, token_of(link), pay_result(new_call_sid(), pm)
    )
    assert "was accepted" in answer.text
    await asyncio.to_thread(
        wait_until, lambda: pay_stack.state(link) == "succeeded", 15, "the payment"
    )
