"""What we tell a policyholder about a payment, and sending it on the conversation's channel.

Every channel we run today reaches the policyholder by SMS to the number on file: an SMS
conversation continues there, a call gets its confirmation texted (the caller ID is never
trusted), and the pay page shows the same outcome itself. Messages carry the masked policy
number and amounts, never card or bank numbers beyond the last four digits Stripe reports.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from bot.conversation.formatting import mask_policy_number
from bot.money import money
from bot.notifications.sms import SmsSender
from bot.phone_numbers import phone_hint

log = logging.getLogger("bot.payments.notices")

METHOD_WORDS = {"card": "card", "us_bank_account": "bank account"}


@dataclass(frozen=True)
class Notice:
    """One message about one payment."""

    policy_number: str
    channel: str | None
    text: str


def paid_text(policy_number: str, amount: Decimal, confirmation: str, new_balance: Decimal) -> str:
    return (
        f"Payment received: {money(amount)} on policy {mask_policy_number(policy_number)}. "
        f"Confirmation {confirmation}. Your balance is now {money(new_balance)}."
    )


def processing_text(policy_number: str, amount: Decimal) -> str:
    return (
        f"Your bank payment of {money(amount)} on policy {mask_policy_number(policy_number)} "
        "is processing. Bank payments take up to 4 business days; we'll text you when it clears."
    )


def failed_text(
    policy_number: str, amount: Decimal, *, returned: bool, reason: str | None, phone: str
) -> str:
    what = "was returned by your bank" if returned else "didn't go through"
    why = f" ({reason})" if reason else ""
    return (
        f"Your payment of {money(amount)} on policy {mask_policy_number(policy_number)} "
        f"{what}{why}. Your balance has not changed. Text us 'make a payment' for a new secure "
        f"link, or call {phone}."
    )


def autopay_on_text(policy_number: str, method: str, last4: str | None, draft_day: int) -> str:
    ending = f" ending {last4}" if last4 else ""
    return (
        f"Autopay is on for policy {mask_policy_number(policy_number)}: your "
        f"{METHOD_WORDS.get(method, method)}{ending} will be charged on day {draft_day} of "
        "each month."
    )


def autopay_refused_text(policy_number: str, phone: str) -> str:
    return (
        f"We couldn't turn on autopay for policy {mask_policy_number(policy_number)}, and your "
        f"payment method was not saved. Please call {phone}."
    )


def not_applied_text(policy_number: str, amount: Decimal, phone: str) -> str:
    return (
        f"We couldn't apply your payment of {money(amount)} to policy "
        f"{mask_policy_number(policy_number)}, so it has been refunded. Please call {phone}."
    )


# Stripe decline codes in words people understand (others: no reason given).
REASONS = {
    "card_declined": "the card was declined",
    "insufficient_funds": "insufficient funds",
    "expired_card": "the card has expired",
    "account_closed": "the account is closed",
    "no_account": "the account was not found",
    "debit_not_authorized": "the debit was not authorised",
}


class PaymentNotifier:
    """Sends notices by SMS to the number on file for the policy."""

    def __init__(self, sender: SmsSender, phone_on_file: Callable[[str], str | None]) -> None:
        self._sender = sender
        self._phone_on_file = phone_on_file

    def send(self, notice: Notice) -> bool:
        """True when the message went out (or into the local outbox)."""
        try:
            phone = self._phone_on_file(notice.policy_number)
        except Exception:  # the payment itself is done; a failed lookup only loses the text
            log.warning("no confirmation sent: phone lookup failed", exc_info=True)
            return False
        if not phone:
            log.info("no confirmation sent: no phone on file")
            return False
        result = self._sender.send_sms(phone, notice.text)
        if not result.accepted:
            log.info("payment notice to %s not sent: %s", phone_hint(phone), result.status)
        return result.accepted
