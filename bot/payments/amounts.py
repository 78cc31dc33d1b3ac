"""Check a requested payment amount against the balance, with messages people understand."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from bot.conversation.formatting import money
from bot.conversation.user_input import AmountRequest


@dataclass(frozen=True)
class AmountCheck:
    """The amount to charge when ``ok``; otherwise the message to send and ask again."""

    ok: bool
    amount: Decimal | None = None
    message: str | None = None


def check_amount(requested: AmountRequest | None, balance: Decimal) -> AmountCheck:
    """``full`` means the balance; any amount must be above zero and at most the balance."""
    if balance <= 0:
        return AmountCheck(False, message="There is no balance due on this policy right now.")
    if requested is None:
        return AmountCheck(
            False,
            message=(
                f"How much would you like to pay? Your balance is {money(balance)}. "
                "Reply with an amount like $50, or 'full'."
            ),
        )
    if requested == "full":
        return AmountCheck(True, amount=balance)
    amount = requested.quantize(Decimal("0.01"))
    if amount <= 0:
        return AmountCheck(False, message="The amount has to be more than $0.00.")
    if amount > balance:
        return AmountCheck(
            False,
            message=(
                f"That is more than your balance of {money(balance)}. "
                "Please reply with an amount up to the balance, or 'full'."
            ),
        )
    return AmountCheck(True, amount=amount)
