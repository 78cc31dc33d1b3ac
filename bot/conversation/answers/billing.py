"""Billing answers: balance and due date, payment history, autopay status, amount checks."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from bot.conversation.formatting import day, mask_policy_number
from bot.conversation.user_input import AmountProblem
from bot.money import money
from pas_connector.models import Billing, PaymentRecord

_METHOD_WORDS = {"card": "card", "us_bank_account": "bank account", "ach": "bank account"}


def method_words(method: str | None) -> str:
    """A payment method in plain words (``us_bank_account`` → ``bank account``)."""
    if not method:
        return "payment method on file"
    return _METHOD_WORDS.get(method, method.replace("_", " "))


def ordinal(n: int) -> str:
    """``1`` → ``1st``, ``22`` → ``22nd``, ``13`` → ``13th``."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def balance_text(billing: Billing) -> str:
    """Balance, due date, minimum due and any past-due amount, in two or three short sentences."""
    ref = mask_policy_number(billing.policy_number)
    if billing.status == "cancelled":
        if billing.balance > 0:
            return f"Policy {ref} is cancelled. The remaining balance is {money(billing.balance)}."
        return f"Policy {ref} is cancelled and has no balance due."
    if billing.balance <= 0:
        return f"Policy {ref} is paid up: there is no balance due right now."

    parts = [f"Your balance on policy {ref} is {money(billing.balance)}"]
    if billing.past_due > 0:
        parts[0] += f", including {money(billing.past_due)} past due"
        parts[0] += ". Please pay the past-due amount as soon as you can to keep your coverage."
    else:
        parts[0] += "."
    if billing.due_date is not None:
        if billing.minimum_due > 0 and billing.minimum_due < billing.balance:
            parts.append(
                f"The minimum due is {money(billing.minimum_due)} by {day(billing.due_date)}."
            )
        else:
            parts.append(f"It is due {day(billing.due_date)}.")
    if billing.autopay.enabled:
        parts.append(autopay_draft_sentence(billing))
    return " ".join(parts)


def autopay_draft_sentence(billing: Billing) -> str:
    """One sentence on when autopay drafts (only meaningful when it is on)."""
    method = method_words(billing.autopay.method)
    if billing.autopay.draft_day:
        draft_day = ordinal(billing.autopay.draft_day)
        return f"Autopay is on: your {method} is drafted on the {draft_day}."
    return f"Autopay is on: your {method} pays each bill on its own."


def autopay_status_text(billing: Billing) -> str:
    """Whether autopay is on, with which method and draft day, and what the user can do next."""
    ref = mask_policy_number(billing.policy_number)
    if billing.autopay.enabled:
        when = (
            f" on the {ordinal(billing.autopay.draft_day)} of each month"
            if billing.autopay.draft_day
            else ""
        )
        method = method_words(billing.autopay.method)
        return (
            f"Autopay is on for policy {ref}: we draft your {method}{when}. Reply "
            "'cancel autopay' to turn it off or 'update payment method' to change it."
        )
    return (
        f"Autopay is off for policy {ref}. Reply 'set up autopay' and I'll send you a secure link "
        "to turn it on."
    )


def payment_history_text(records: Sequence[PaymentRecord], policy_number: str, limit: int) -> str:
    """The last ``limit`` payments, newest first: one line each with date, amount and method."""
    ref = mask_policy_number(policy_number)
    if not records:
        return f"I don't see any payments on policy {ref} yet."
    newest = sorted(records, key=lambda r: r.posted_at, reverse=True)[:limit]
    noun = "payment" if len(newest) == 1 else f"{len(newest)} payments"
    lines = [f"Your last {noun} on policy {ref}:"]
    for record in newest:
        status = "" if record.status in ("posted", "settled", "succeeded") else f", {record.status}"
        lines.append(
            f"- {day(record.posted_at.date())}: {money(record.amount)} "
            f"({method_words(record.method)}{status})"
        )
    return "\n".join(lines)


def autopay_cancelled_text(billing: Billing) -> str:
    """Confirmation after autopay was turned off, with what is still owed."""
    ref = mask_policy_number(billing.policy_number)
    text = f"Done: autopay is now off for policy {ref}."
    if billing.balance > 0 and billing.due_date is not None:
        text += f" Your next payment of {money(billing.minimum_due or billing.balance)} is due "
        text += f"{day(billing.due_date)}; you can pay it any time by texting 'pay my bill'."
    return text


# --- payment amounts: every refusal asks again, with the forms that are understood -----------

_ONE_AMOUNT = "Please reply with one amount, like $50 or $1,234.50, or FULL for the whole balance."
_AMOUNT_PROBLEMS = {
    AmountProblem.MISSING: "Sorry, I didn't get the amount.",
    AmountProblem.NOT_POSITIVE: "The amount has to be more than $0.00.",
    AmountProblem.TOO_PRECISE: "An amount can't have more than two digits after the decimal point.",
    AmountProblem.MALFORMED: "Sorry, I couldn't read that as an amount.",
    AmountProblem.SEVERAL: "I'm not sure which amount you mean.",
}


def amount_problem_text(problem: AmountProblem) -> str:
    """Why an answer is not an amount we can take, and how to answer instead."""
    return f"{_AMOUNT_PROBLEMS[problem]} {_ONE_AMOUNT}"


def amount_question_text(balance: Decimal) -> str:
    """Asks for the amount when none was given."""
    return (
        f"How much would you like to pay? Your balance is {money(balance)}. "
        "Reply with an amount like $50, or 'full'."
    )


def nothing_to_pay_text() -> str:
    return "There is no balance due on this policy right now."


def nothing_past_due_text(balance: Decimal) -> str:
    return (
        f"Nothing is past due on this policy. Your balance is {money(balance)}. "
        "Please reply with an amount up to the balance, or 'full'."
    )


def amount_over_balance_text(balance: Decimal) -> str:
    return (
        f"That is more than your balance of {money(balance)}. "
        "Please reply with an amount up to the balance, or 'full'."
    )
