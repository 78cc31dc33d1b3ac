"""What "Pay now" on the policyholder home asks for: the full balance or the minimum due.

The amount is always recomputed from fresh billing (never taken from the page), then bounded by
the same rule the assistant uses (``bot.payments.amounts.check_amount``: above zero, at most the
balance). The pay page checks the balance again when the payment starts.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from bot.conversation.user_input import AmountRequest
from bot.payments.amounts import AmountCheck, check_amount
from pas_connector.models import Billing

PayChoice = Literal["full", "minimum"]
PAY_CHOICES: tuple[PayChoice, ...] = ("full", "minimum")


def payment_amount(choice: PayChoice, billing: Billing) -> AmountCheck:
    """The amount to put on a pay link for ``choice``, or why there is none."""
    if choice == "minimum" and billing.minimum_due <= Decimal("0"):
        return AmountCheck(False, message="There is no minimum due on this policy right now.")
    requested: AmountRequest = billing.minimum_due if choice == "minimum" else "full"
    return check_amount(requested, billing)
