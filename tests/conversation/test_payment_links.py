"""Pay links: signed, no PII in the URL, 30-minute expiry, single use; amount checks."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.payments.amounts import check_amount
from bot.payments.links import PayLinkError, PaymentLinkService
from tests.conversation.test_answers import billing

BASE = "https://pay.example.test"


def service(engine, clock) -> PaymentLinkService:
    return PaymentLinkService(engine, secret_key="s", public_base_url=BASE + "/", clock=clock)


def token_of(url: str) -> str:
    return url.rsplit("/pay/", 1)[1]


def test_link_points_at_the_pay_page_without_personal_data(engine, clock):
    link = service(engine, clock).issue("AUT-1000001", Decimal("412.50"), "SM1", "sms")
    assert link.url.startswith(f"{BASE}/pay/")
    assert "1000001" not in link.url and "412" not in link.url
    assert link.payload() == {
        "url": link.url,
        "amount": "412.50",
        "expires_at": "2026-11-25T21:11:00Z",
    }


def test_link_resolves_to_its_record_and_can_be_redeemed_once(engine, clock):
    links = service(engine, clock)
    link = links.issue("AUT-1000001", Decimal("200"), "SM1", "sms")
    resolved = links.resolve(token_of(link.url))
    assert (resolved.policy_number, resolved.amount, resolved.purpose) == (
        "AUT-1000001",
        Decimal("200.00"),
        "one_time",
    )
    assert links.redeem(token_of(link.url)).used_at == clock.now
    with pytest.raises(PayLinkError) as second:
        links.redeem(token_of(link.url))
    assert second.value.reason == "used"


def test_link_expires_after_thirty_minutes(engine, clock):
    links = service(engine, clock)
    token = token_of(links.issue("AUT-1000001", Decimal("10"), "SM1", "sms").url)
    clock.advance(minutes=29, seconds=59)
    assert links.resolve(token).amount == Decimal("10.00")
    clock.advance(seconds=1)
    with pytest.raises(PayLinkError) as expired:
        links.redeem(token)
    assert expired.value.reason == "expired"


def test_forged_token_is_invalid(engine, clock):
    links = service(engine, clock)
    token = token_of(links.issue("AUT-1000001", Decimal("10"), "SM1", "sms").url)
    other = PaymentLinkService(engine, secret_key="other", public_base_url=BASE, clock=clock)
    with pytest.raises(PayLinkError) as forged:
        other.resolve(token)
    assert forged.value.reason == "invalid"


def test_autopay_setup_link_needs_no_amount(engine, clock):
    link = service(engine, clock).issue("HOM-2000001", Decimal("0"), "SM1", "sms", "autopay_setup")
    assert link.purpose == "autopay_setup"
    with pytest.raises(ValueError):
        service(engine, clock).issue("HOM-2000001", Decimal("0"), "SM1", "sms", "one_time")


@pytest.mark.parametrize(
    ("requested", "ok", "amount", "words"),
    [
        ("full", True, Decimal("412.50"), None),
        (Decimal("200"), True, Decimal("200.00"), None),
        (Decimal("412.50"), True, Decimal("412.50"), None),
        (Decimal("412.51"), False, None, "more than your balance of $412.50"),
        (Decimal("0"), False, None, "more than $0.00"),
        (None, False, None, "How much"),
    ],
)
def test_amount_is_checked_against_the_balance(requested, ok, amount, words):
    check = check_amount(requested, billing(balance=Decimal("412.50")))
    assert (check.ok, check.amount) == (ok, amount)
    if words:
        assert words in check.message


def test_nothing_to_pay_when_the_balance_is_zero():
    assert not check_amount("full", billing(balance=Decimal("0.00"))).ok
