"""Autopay: SetupIntent enrolment, off-session drafts keyed by bill and attempt, change, cancel."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.payments.service import PaymentRefused
from tests.payments.conftest import MARIA_POLICY, PayStack, bank_account, card
from tests.support.waiting import wait_until


def enrol(pay_stack: PayStack, payment_method_data: dict, purpose: str = "autopay_setup") -> str:
    """Enrol through a set-up link as the pay page does; the saved payment method id."""
    link = pay_stack.issue_link(None, purpose)
    page, secret = pay_stack.open_page(link)
    assert page.status_code == 200 and secret.startswith("seti_")
    confirmed = pay_stack.confirm_like_stripe_js(secret, payment_method_data)
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "succeeded"
    pm = confirmed.json()["payment_method"]
    wait_until(
        lambda: pay_stack.service.autopay_status(MARIA_POLICY)[0].autopay.payment_method_ref == pm,
        what="setup_intent.succeeded to set autopay in the PAS",
    )
    return pm


def test_enrolment_sets_autopay_in_the_pas_and_a_draft_charges_once_per_bill_attempt(
    pay_stack: PayStack,
):
    pm = enrol(pay_stack, card("4242424242424242"))

    billing, method = pay_stack.service.autopay_status(MARIA_POLICY)
    assert billing.autopay.enabled and billing.autopay.method == "card"
    assert method.payment_method_id == pm and method.customer_id.startswith("cus_")
    day = billing.autopay.draft_day
    assert wait_until(pay_stack.outbox)[0].body == (
        f"Autopay is on for policy AUT-****001: your card ending 4242 will be charged on day "
        f"{day} of each month."
    )

    before, due = billing.balance, billing.minimum_due
    bill = billing.due_date.isoformat()
    draft = pay_stack.service.charge_autopay(MARIA_POLICY, bill, attempt=1)
    assert draft.kind == "autopay" and draft.amount == due
    assert draft.idempotency_key == f"autopay:{MARIA_POLICY}:{bill}:1"
    wait_until(
        lambda: (
            pay_stack.service.records.payment_by_key(draft.idempotency_key).status == "succeeded"
        ),
        what="the draft's webhook",
    )
    assert pay_stack.balance() == before - due
    # The scheduler runs again for the same bill and attempt: the same row, no second charge.
    again = pay_stack.service.charge_autopay(MARIA_POLICY, bill, attempt=1)
    assert again.id == draft.id and again.payment_intent_id == draft.payment_intent_id
    assert len(pay_stack.service.records.payments_for(MARIA_POLICY)) == 1
    assert pay_stack.balance() == before - due


def test_method_change_replaces_the_saved_method_and_cancel_turns_autopay_off(
    pay_stack: PayStack,
):
    old = enrol(pay_stack, card("4242424242424242"))
    new = enrol(pay_stack, bank_account("000123456789"), purpose="update_method")

    billing, method = pay_stack.service.autopay_status(MARIA_POLICY)
    assert billing.autopay.method == "us_bank_account" and method.payment_method_id == new
    assert method.mandate_id and method.mandate_id.startswith("mandate_")
    detached = pay_stack.service._stripe.v1.payment_methods.retrieve(old)
    assert detached.customer is None

    cancelled = pay_stack.service.cancel_autopay(MARIA_POLICY)
    assert not cancelled.autopay.enabled
    assert pay_stack.service.records.autopay_method(MARIA_POLICY) is None


def test_declined_off_session_draft_is_recorded_and_the_holder_is_told(pay_stack: PayStack):
    enrol(pay_stack, card("4000000000000341"))  # saves fine, every charge is declined
    billing, _ = pay_stack.service.autopay_status(MARIA_POLICY)

    draft = pay_stack.service.charge_autopay(MARIA_POLICY, billing.due_date.isoformat(), 1)

    assert draft.status == "failed" and draft.failure_code == "card_declined"
    assert pay_stack.balance() == billing.balance
    texts = [
        m.body for m in wait_until(lambda: len(pay_stack.outbox()) == 2 and pay_stack.outbox())
    ]
    assert texts[1].startswith(
        f"Your payment of ${billing.minimum_due:,.2f} on policy AUT-****001 didn't go through "
        "(the card was declined)."
    )
    # The next attempt is a new business key (and a new charge attempt).
    retry = pay_stack.service.charge_autopay(MARIA_POLICY, billing.due_date.isoformat(), 2)
    assert retry.id != draft.id and retry.status == "failed"
    assert Decimal(billing.minimum_due) > 0


def test_a_draft_never_uses_a_method_the_pas_no_longer_has(pay_stack: PayStack):
    """The conversation's cancel goes to the PAS directly; the next draft must not charge."""
    pm = enrol(pay_stack, card("4242424242424242"))
    pay_stack.components.pas.run(pay_stack.components.connector.cancel_autopay(MARIA_POLICY))

    with pytest.raises(PaymentRefused, match=r"Autopay is not on for this policy\."):
        pay_stack.service.charge_autopay(MARIA_POLICY, "2026-12-01", 1)

    assert pay_stack.service.records.autopay_method(MARIA_POLICY) is None
    assert pay_stack.service.records.payments_for(MARIA_POLICY) == []
    assert pay_stack.service._stripe.v1.payment_methods.retrieve(pm).customer is None


def test_enrolment_the_pas_refuses_is_undone_and_the_holder_is_told(pay_stack: PayStack):
    cancelled_policy, phone = "AUT-1000002", "+12065550104"  # Robert Chen: cancelled
    link = pay_stack.issue_link(None, "autopay_setup", policy=cancelled_policy)
    _, secret = pay_stack.open_page(link)

    confirmed = pay_stack.confirm_like_stripe_js(secret, card("4242424242424242"))

    assert confirmed.status_code == 200
    texts = wait_until(lambda: pay_stack.outbox(to=phone), what="the refusal text")
    assert texts[0].body == (
        "We couldn't turn on autopay for policy AUT-****002, and your payment method was not "
        "saved. Please call (800) 555-0100."
    )
    assert pay_stack.service.records.autopay_method(cancelled_policy) is None
    billing, _ = pay_stack.service.autopay_status(cancelled_policy)
    assert not billing.autopay.enabled
    assert pay_stack.state(link) == "failed"
