"""One-time card payments through the pay page's intent, fulfilled only by Stripe's webhook."""

from __future__ import annotations

import threading
from decimal import Decimal

import httpx
import pytest

from bot.conversation.user_input import parse_amount
from bot.payments.service import PaymentRefused
from tests.payments.conftest import MARIA_POLICY, PayStack, card, token_of
from tests.support.waiting import wait_until


def test_card_payment_is_posted_to_the_pas_from_the_webhook_and_texted(pay_stack: PayStack):
    before = pay_stack.balance()
    link = pay_stack.issue_link("100.00")
    page, secret = pay_stack.open_page(link)
    assert page.status_code == 200 and secret is not None
    assert pay_stack.state(link) == "open"

    confirmed = pay_stack.confirm_like_stripe_js(secret, card("4242424242424242"))

    assert confirmed.status_code == 200 and confirmed.json()["status"] == "succeeded"
    # The browser's word is not enough: the PAS is only touched by the webhook.
    wait_until(lambda: pay_stack.state(link) == "succeeded", what="the webhook to post the payment")
    assert pay_stack.balance() == before - Decimal("100.00")
    row = pay_stack.service.records.payment_by_link(link.link_id)
    assert row.pas_confirmation and row.method == "card" and row.payment_intent_id.startswith("pi_")
    texts = [m.body for m in wait_until(pay_stack.outbox, what="the confirmation text")]
    assert texts == [
        f"Payment received: $100.00 on policy AUT-****001. Confirmation {row.pas_confirmation}. "
        f"Your balance is now ${before - Decimal('100.00'):,.2f}."
    ]
    status = pay_stack.http.get(f"{link.url}/status").json()
    assert status["state"] == "succeeded" and status["confirmation"] == row.pas_confirmation
    # The link is used up now.
    assert pay_stack.http.get(link.url).status_code == 410


def test_declined_card_is_refused_nothing_is_posted_and_the_holder_is_told(pay_stack: PayStack):
    before = pay_stack.balance()
    link = pay_stack.issue_link("50.00")
    _, secret = pay_stack.open_page(link)

    declined = pay_stack.confirm_like_stripe_js(secret, card("4000000000000341"))

    assert declined.status_code == 402
    assert declined.json()["error"]["code"] == "card_declined"
    wait_until(lambda: pay_stack.state(link) == "failed", what="the payment_failed webhook")
    assert pay_stack.balance() == before
    assert [m.body for m in wait_until(pay_stack.outbox, what="the text")] == [
        "Your payment of $50.00 on policy AUT-****001 didn't go through (the card was declined). "
        "Your balance has not changed. Text us 'make a payment' for a new secure link, or call "
        "(800) 555-0100."
    ]
    # The same link can still be paid with another card.
    _, again = pay_stack.open_page(link)
    assert again == secret
    assert pay_stack.confirm_like_stripe_js(again, card("4242424242424242")).status_code == 200
    wait_until(lambda: pay_stack.state(link) == "succeeded", what="the second card's payment")
    assert pay_stack.balance() == before - Decimal("50.00")


def test_double_submit_charges_and_posts_once(pay_stack: PayStack):
    before = pay_stack.balance()
    link = pay_stack.issue_link("75.00")
    secrets: list[str | None] = []
    loads = [threading.Thread(target=lambda: secrets.append(pay_stack.open_page(link)[1]))
             for _ in range(4)]  # fmt: skip
    for t in loads:
        t.start()
    for t in loads:
        t.join()
    assert len(set(secrets)) == 1 and secrets[0] is not None  # one intent for every page load

    results: list[httpx.Response] = []
    clicks = [
        threading.Thread(
            target=lambda: results.append(
                pay_stack.confirm_like_stripe_js(secrets[0], card("4242424242424242"))
            )
        )
        for _ in range(3)
    ]
    for t in clicks:
        t.start()
    for t in clicks:
        t.join()

    assert sorted(r.status_code for r in results) == [200, 400, 400]
    wait_until(lambda: pay_stack.state(link) == "succeeded", what="the payment")
    intent_id = secrets[0].split("_secret_")[0]
    customer = pay_stack.service.records.customer_of(MARIA_POLICY)
    charges = httpx.get(
        f"{pay_stack.localstripe.url}/v1/charges",
        params={"customer": customer, "limit": 100},
        headers={"Authorization": f"Bearer {pay_stack.settings.stripe.secret_key}"},
    ).json()["data"]
    assert [c["payment_intent"] for c in charges] == [intent_id]  # one charge in all
    assert pay_stack.balance() == before - Decimal("75.00")
    assert sum("Payment received" in m.body for m in pay_stack.outbox()) == 1
    assert len(pay_stack.service.records.payments_for(MARIA_POLICY)) == 1


def test_amount_above_the_balance_gets_a_clear_answer_and_no_intent(pay_stack: PayStack):
    balance = pay_stack.balance()
    with pytest.raises(PaymentRefused) as refused:
        pay_stack.service.request_payment_link(
            MARIA_POLICY, parse_amount(f"{balance + 1}"), "sms-test", "sms"
        )
    assert refused.value.message == (
        f"That is more than your balance of ${balance:,.2f}. "
        "Please reply with an amount up to the balance, or 'full'."
    )
    link = pay_stack.service.request_payment_link(MARIA_POLICY, "full", "sms-test", "sms")
    assert link.amount == balance

    # The balance drops (paid by another route) after a link was sent: the page says so.
    stale = pay_stack.issue_link(f"{balance}")
    pay_stack.components.pas.run(
        pay_stack.components.connector.post_payment(
            MARIA_POLICY, Decimal("10.00"), "card", "paid-by-phone-agent", "test-agent-payment-1"
        )
    )
    page, secret = pay_stack.open_page(stale)
    assert page.status_code == 409 and secret is None
    assert (
        f"This link is for ${balance:,.2f}, which is more than your balance of "
        f"${balance - Decimal('10.00'):,.2f}." in page.text
    )
    assert pay_stack.service.records.payment_by_link(stale.link_id) is None


def test_pay_page_carries_a_strict_content_security_policy(pay_stack: PayStack):
    link = pay_stack.issue_link("20.00")
    page, _ = pay_stack.open_page(link)
    csp = page.headers["Content-Security-Policy"]
    ls = pay_stack.localstripe.url
    assert "default-src 'none'" in csp
    assert f"script-src 'self' {ls}" in csp and "unsafe-inline" not in csp
    assert f"connect-src 'self' {ls}" in csp and "frame-ancestors 'none'" in csp
    assert f'src="{ls}/js.stripe.com/v3/"' in page.text  # localstripe's Stripe.js stand-in
    assert 'integrity="sha384-' in page.text
    assert page.headers["Cache-Control"] == "no-store"
    assert token_of(link) not in page.text.split("data-status-url")[0]  # only in our own URLs
