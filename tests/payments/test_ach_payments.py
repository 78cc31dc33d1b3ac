"""US bank account (ACH) payments: processing first, then settled or returned, by webhook."""

from __future__ import annotations

from decimal import Decimal

from tests.payments.conftest import PayStack, bank_account
from tests.support.waiting import wait_until


def test_ach_payment_processes_then_succeeds_and_is_posted_once(pay_stack: PayStack):
    before = pay_stack.balance()
    link = pay_stack.issue_link("120.00")
    _, secret = pay_stack.open_page(link)

    confirmed = pay_stack.confirm_like_stripe_js(secret, bank_account("000123456789"))

    assert confirmed.json()["status"] == "processing"
    wait_until(lambda: pay_stack.state(link) == "processing", what="payment_intent.processing")
    assert pay_stack.balance() == before  # nothing posted while the debit is in flight
    wait_until(lambda: pay_stack.state(link) == "succeeded", what="the debit to settle")
    assert pay_stack.balance() == before - Decimal("120.00")
    row = pay_stack.service.records.payment_by_link(link.link_id)
    assert row.method == "us_bank_account"
    texts = [
        m.body for m in wait_until(lambda: len(pay_stack.outbox()) == 2 and pay_stack.outbox())
    ]
    assert texts[0].startswith("Your bank payment of $120.00 on policy AUT-****001 is processing.")
    assert texts[1].startswith("Payment received: $120.00 on policy AUT-****001.")


def test_ach_payment_returned_by_the_bank_is_not_posted_and_the_holder_is_told(
    pay_stack: PayStack,
):
    before = pay_stack.balance()
    link = pay_stack.issue_link("80.00")
    _, secret = pay_stack.open_page(link)

    confirmed = pay_stack.confirm_like_stripe_js(secret, bank_account("000111111113"))

    assert confirmed.json()["status"] == "processing"
    wait_until(lambda: pay_stack.state(link) == "failed", what="the debit to be returned")
    assert pay_stack.balance() == before
    texts = [
        m.body for m in wait_until(lambda: len(pay_stack.outbox()) == 2 and pay_stack.outbox())
    ]
    assert texts[1] == (
        "Your payment of $80.00 on policy AUT-****001 was returned by your bank (the account is "
        "closed). Your balance has not changed. Text us 'make a payment' for a new secure link, "
        "or call (800) 555-0100."
    )
    assert pay_stack.service.records.payment_by_link(link.link_id).failure_code == "account_closed"
