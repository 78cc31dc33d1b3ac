"""Check a requested payment amount against billing, with messages people understand.

The wording is in ``bot.conversation.answers.billing``; the reading of what people typed is in
``bot.conversation.user_input.read_amount``. An amount is never rounded or re-signed here: one
with more than two decimals, zero or below, or above the balance is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from bot.conversation.answers.billing import (
    amount_over_balance_text,
    amount_problem_text,
    amount_question_text,
    nothing_past_due_text,
    nothing_to_pay_text,
)
from bot.conversation.user_input import AmountProblem, AmountRequest
from pas_connector.models import Billing

CENT = Decimal("0.01")


@dataclass(frozen=True)
class AmountCheck:
    """The amount to charge when ``ok``; otherwise the message to send and ask again."""

    ok: bool
    amount: Decimal | None = None
    message: str | None = None


def check_amount(requested: AmountRequest | AmountProblem | None, billing: Billing) -> AmountCheck:
    """``full`` means the balance, ``past_due`` the past-due amount and ``minimum`` the minimum
    due; any amount must be above
    zero, have at most two decimals and be at most the balance."""
    balance = billing.balance
    if balance <= 0:
        return AmountCheck(False, message=nothing_to_pay_text())
    if requested is None:
        return AmountCheck(False, message=amount_question_text(balance))
    if isinstance(requested, AmountProblem):
        return AmountCheck(False, message=amount_problem_text(requested))
    if requested == "full":
        return AmountCheck(True, amount=balance)
    if requested == "past_due":
        if billing.past_due <= 0:
            return AmountCheck(False, message=nothing_past_due_text(balance))
        requested = billing.past_due
    elif requested == "minimum":
        # the minimum due, or the whole balance when no separate minimum is set
        requested = billing.minimum_due if billing.minimum_due > 0 else balance
    if requested <= 0:
        return AmountCheck(False, message=amount_problem_text(AmountProblem.NOT_POSITIVE))
    if requested > balance:
        return AmountCheck(False, message=amount_over_balance_text(balance))
    # Bounded by the balance now, so quantizing cannot overflow the decimal context.
    if requested != requested.quantize(CENT):
        return AmountCheck(False, message=amount_problem_text(AmountProblem.TOO_PRECISE))
    return AmountCheck(True, amount=requested.quantize(CENT))
