"""Instalment schedules, the billing state they imply on a given day, and their payment history.

A term premium is paid either in full at inception or in twelve monthly instalments, the first
due on the effective date and each next one on the same day of the following months. On the
as-of day the PAS shows:

- ``balance``: every instalment not yet paid (billed or not),
- ``past_due``: instalments whose due date has passed unpaid (one due today is not late yet),
- ``minimum_due``: the past-due amount when there is one, else the next instalment,
- ``due_date``: the most recent missed due date, else the next due date.

Payments already made become ``replica_payments`` rows (the history the API cannot give).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from functools import cached_property

from pas_sandbox.dates import add_months, at, days
from pas_sandbox.records import Autopay, Billing, PaymentRow

INSTALMENTS = 12
_PM_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"


def confirmation_code(rng: random.Random) -> str:
    """A payment confirmation such as ``PAY-3FA2B9C01D`` (40 random bits, upper-case hex).

    Hex has no I, O or Q to mishear when a confirmation is read out on the phone, and one
    ``getrandbits`` call keeps the ~280,000 of a 41,000-holder book cheap.
    """
    return f"PAY-{rng.getrandbits(40):010X}"


def payment_method_ref(rng: random.Random) -> str:
    """An opaque stored-payment-method reference shaped like a Stripe id."""
    bits = rng.getrandbits(144)
    return "pm_" + "".join(_PM_ALPHABET[(bits >> (6 * i)) & 63] for i in range(24))


@dataclass(frozen=True)
class Schedule:
    """How one term's premium is billed."""

    effective: date
    total_cents: int
    monthly: bool

    @property
    def instalment_cents(self) -> int:
        return self.total_cents // INSTALMENTS if self.monthly else self.total_cents

    @cached_property
    def amounts(self) -> tuple[int, ...]:
        """Each instalment's amount; the last absorbs the rounding remainder."""
        if not self.monthly:
            return (self.total_cents,)
        regular = self.instalment_cents
        return (regular,) * (INSTALMENTS - 1) + (self.total_cents - regular * (INSTALMENTS - 1),)

    @cached_property
    def due_dates(self) -> tuple[date, ...]:
        return tuple(add_months(self.effective, i) for i in range(len(self.amounts)))


def bill(schedule: Schedule, as_of: date, *, missed: int, autopay: Autopay) -> Billing:
    """The billing state on ``as_of`` when the last ``missed`` due instalments went unpaid."""
    amounts = schedule.amounts
    dues = schedule.due_dates
    n_due = sum(1 for d in dues if d < as_of)
    missed = min(missed, n_due)
    paid = n_due - missed
    balance = sum(amounts[paid:])
    past_due = sum(amounts[paid:n_due])
    due_date: date | None
    if past_due:
        minimum, due_date, status = past_due, dues[n_due - 1], "past_due"
    elif n_due < len(amounts):
        minimum, due_date, status = amounts[n_due], dues[n_due], "current"
    else:
        minimum, due_date, status = 0, None, "paid"
    return Billing(
        balance_cents=balance,
        minimum_due_cents=minimum,
        due_date=due_date,
        past_due_cents=past_due,
        status=status,
        autopay=autopay,
        instalment_cents=schedule.instalment_cents,
    )


def paid_instalments(schedule: Schedule, as_of: date, *, missed: int) -> list[tuple[date, int]]:
    """``(due_date, amount_cents)`` of every instalment paid by ``as_of``."""
    dues = schedule.due_dates
    n_due = sum(1 for d in dues if d < as_of)
    paid = max(0, n_due - missed)
    return list(zip(dues[:paid], schedule.amounts[:paid], strict=True))


def payment_history(
    rng: random.Random,
    policy_number: str,
    paid: list[tuple[date, int]],
    *,
    autopay: Autopay,
    as_of: date,
) -> list[PaymentRow]:
    """Replica rows for the instalments in ``paid``.

    Autopay drafts post on the due date; manual payments a few days early. About one bank
    payment in forty is returned and paid again by card three days later.
    """
    rows: list[PaymentRow] = []
    for due, amount in paid:
        if autopay.enabled and autopay.method:
            method, posted_day = autopay.method, due
        else:
            draw = rng.random()  # 60 % card, 30 % bank account, 10 % check
            method = "card" if draw < 0.6 else "us_bank_account" if draw < 0.9 else "check"
            posted_day = due - days(rng.randrange(0, 6))
        posted_day = min(posted_day, as_of)
        posted = at(posted_day, 0, rng.randrange(8 * 60, 21 * 60))  # 08:00-20:59
        if method == "us_bank_account" and rng.random() < 0.025:
            rows.append(
                PaymentRow(
                    policy_number, posted, amount, method, "returned", confirmation_code(rng)
                )
            )
            retry_day = min(posted_day + days(3), as_of)
            posted = at(retry_day, 0, rng.randrange(8 * 60, 21 * 60))
            method = "card"
        rows.append(
            PaymentRow(policy_number, posted, amount, method, "posted", confirmation_code(rng))
        )
    return rows
