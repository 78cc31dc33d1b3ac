"""Parse what policyholders type, say or key in: dates of birth, ZIP codes, policy and claim
numbers, payment amounts. Each parser returns ``None`` when it cannot be sure; it never guesses a
missing part (a date without a year is not a date of birth).
"""

from __future__ import annotations

import enum
import re
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from dateutil import parser as date_parser  # type: ignore[import-untyped]

from bot.conversation.spoken_numbers import (
    VAGUE_QUANTITY,
    amount_words_to_digits,
    words_to_digits,
)

POLICY_PREFIXES = ("AUT", "HOM", "REN")
# Oldest plausible policyholder; anything before is a typo, not a date of birth.
OLDEST_BIRTH_YEAR = 1900

_POLICY = re.compile(r"\b([a-z]{3})[\s-]*(\d{7})\b", re.IGNORECASE)
_BARE_POLICY = re.compile(r"(?<!\d)(\d{7})(?!\d)")
_CLAIM = re.compile(r"\b(?:clm[\s-]*)?(\d{8})\b", re.IGNORECASE)
_ZIP = re.compile(r"(?<!\d)(\d{5})(?:-\d{4})?(?!\d)")
_FULL_WORDS = re.compile(
    r"\b(full|all|everything|whole|entire|total"
    r"|(the )?(full|whole|entire|total) (balance|amount))\b",
    re.IGNORECASE,
)
_PAST_DUE_WORDS = re.compile(r"\b(?:past[\s_-]*due|overdue)\b", re.IGNORECASE)
_MINIMUM_WORDS = re.compile(r"\b(?:minimum|min)(?:[\s_-]*(?:due|payment|amount))?\b", re.IGNORECASE)
# Policy and claim numbers written with their prefix are not amounts ("$96 for REN-3000001").
_PREFIXED_NUMBERS = re.compile(
    rf"\b(?:(?:{'|'.join(POLICY_PREFIXES)})[\s-]*[0-9]{{7}}|clm[\s-]*[0-9]{{8}})\b", re.IGNORECASE
)
_SIGN_WORDS = re.compile(r"\b(?:minus|negative)\s+(?=\$?\s*[0-9])", re.IGNORECASE)
_DOLLARS_AND_CENTS = re.compile(
    r"(?<![0-9.,])([0-9][0-9,]*)\s*(?:dollars?|bucks?)\s*(?:and\s+)?([0-9]{1,2})\s*cents?\b",
    re.IGNORECASE,
)
_CENTS = re.compile(r"(?<![0-9.,])([0-9]{1,2})\s*cents?\b", re.IGNORECASE)
# One number as written, with what is glued to it: a minus sign and "$" before (either order),
# letters, "%", "/" or ":" after. ASCII digits only: other scripts' digits are not amounts here.
_MINUS = r"[-\u2212\u2013\u2014]\s*"
_NUMBER = re.compile(
    rf"(?P<minus>{_MINUS})?(?P<dollar>\$\s*)?(?P<minus_after_dollar>{_MINUS})?"
    r"(?P<head>(?<=[A-Za-z]))?"
    r"(?P<body>\.?[0-9](?:[0-9.,]*[0-9])?)"
    r"(?P<tail>[eE][-+]?[0-9]+|[A-Za-z%/:][A-Za-z0-9%/:]*)?"
)
# Thousands separators only in groups of three; a decimal point with digits after it.
_WELL_FORMED = re.compile(r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.([0-9]+))?")
_CURRENCY_SUFFIX = re.compile(r"(?:dollars?|bucks?|usd)", re.IGNORECASE)
_ORDINAL_SUFFIX = re.compile(r"(?:st|nd|rd|th)", re.IGNORECASE)


def parse_date_of_birth(text: str, today: date) -> date | None:
    """A date of birth from many forms: ``4/12/1985``, ``april 12 1985``, ``04121985``,
    ``12 April 85``, ``1985-04-12``, spoken ``april twelfth nineteen eighty five``.

    Month-first is assumed for numeric dates (US). Two-digit years resolve to the past; a date in
    the future or before 1900 is refused.
    """
    cleaned = words_to_digits(text).strip()
    if not cleaned:
        return None
    keyed = re.fullmatch(r"[\d\s]+", cleaned) is not None
    candidate = _from_digits(re.sub(r"\s", "", cleaned)) if keyed else _from_words(cleaned)
    if candidate is None:
        return None
    four_digit_year = str(candidate.year) in re.findall(r"(?<!\d)\d{4}(?!\d)", cleaned)
    if (
        candidate > today
        and not (keyed and len(cleaned.replace(" ", "")) == 8)
        and not four_digit_year
    ):
        # A two-digit year put in this century ("01/01/30" is 1930 for a date of birth).
        try:
            candidate = candidate.replace(year=candidate.year - 100)
        except ValueError:
            return None
    if candidate > today or candidate.year < OLDEST_BIRTH_YEAR:
        return None
    return candidate


def _from_digits(digits: str) -> date | None:
    # Keypad entry: MMDDYYYY (the prompt's order), else YYYYMMDD; MMDDYY for six digits.
    if len(digits) == 8:
        for layout in ((4, 0, 2), (0, 4, 6)):
            year_at, month_at, day_at = layout
            try:
                return date(
                    int(digits[year_at : year_at + 4]),
                    int(digits[month_at : month_at + 2]),
                    int(digits[day_at : day_at + 2]),
                )
            except ValueError:
                continue
        return None
    if len(digits) == 6:
        try:
            parsed = date(2000 + int(digits[4:]), int(digits[:2]), int(digits[2:4]))
        except ValueError:
            return None
        return parsed
    return None


def _from_words(text: str) -> date | None:
    # Parse twice with different defaults: a part that changes with the default was missing.
    results: list[datetime] = []
    for default in (datetime(2001, 1, 1), datetime(2002, 2, 2)):
        try:
            results.append(date_parser.parse(text, default=default, fuzzy=True, dayfirst=False))
        except (ValueError, OverflowError):
            return None
    first, second = results
    if first != second or first.time() != datetime.min.time():
        return None
    return first.date()


def parse_zip(text: str) -> str | None:
    """A 5-digit ZIP code (ZIP+4 and spoken digits accepted; only the first five are kept)."""
    cleaned = words_to_digits(text)
    compact = re.sub(r"[\s]", "", cleaned)
    match = _ZIP.search(compact)
    return match.group(1) if match else None


def parse_policy_number(text: str) -> list[str]:
    """Candidate policy numbers in canonical form (``AUT-1000001``).

    ``aut 1000001`` gives one candidate; seven bare digits give one per known line prefix, to be
    tried in turn against the PAS. No candidates: not a policy number.
    """
    match = _POLICY.search(text)
    if match:
        return [f"{match.group(1).upper()}-{match.group(2)}"]
    bare = _BARE_POLICY.search(re.sub(r"[\s-]", "", words_to_digits(text)))
    if bare:
        return [f"{prefix}-{bare.group(1)}" for prefix in POLICY_PREFIXES]
    return []


def parse_claim_number(text: str) -> str | None:
    """A claim number in canonical form (``CLM-50000001``) from ``clm 50000001`` or 8 digits."""
    match = _CLAIM.search(text)
    return f"CLM-{match.group(1)}" if match else None


# What someone asked to pay: an amount, the whole balance, or the past-due part of it.
AmountRequest = Decimal | Literal["full", "past_due", "minimum"]


class AmountProblem(enum.Enum):
    """Why an answer is not one well-formed amount. Nothing is ever rounded, re-signed or
    guessed: each problem gets its own reply (``answers.billing.amount_problem_text``)."""

    MISSING = "missing"  # no amount in the answer
    NOT_POSITIVE = "not_positive"  # "-5", "$-1", "minus 5", "0"
    TOO_PRECISE = "too_precise"  # more than two decimals: "12.345", "144.004"
    MALFORMED = "malformed"  # "1e2", "50.5.5", "1,23", "100k", ".5"
    SEVERAL = "several"  # two different amounts, or an amount and "full" / "past due"


def read_amount(text: str) -> AmountRequest | AmountProblem:
    """Exactly one well-formed amount in ``text``, or why there is none.

    Accepted: ``$1,234.50``, ``1234.5``, ``96``, ``$96``, ``96 dollars``, ``80 bucks``,
    ``ninety six dollars and fifty cents``, ``a hundred and fifty``, ``a grand``; ``full`` for
    "all", "the whole thing", "the full balance"; ``past_due`` for "the past-due part", "past
    due amount"; ``minimum`` for "the minimum due". Refused, never coerced: a minus sign or
    zero, scientific notation, more than two decimals, thousands separators out of place, two
    different amounts in one answer, and number words that say two amounts or a vague one
    ("one fifty": $150 or $1.50; "a couple hundred"). Dates ("12/15"), ordinals ("the 1st")
    and prefixed policy or claim numbers are not amounts and are skipped.
    """
    if VAGUE_QUANTITY.search(text):
        return AmountProblem.MALFORMED  # "a couple hundred", "one and a half": no one amount
    cleaned = _PREFIXED_NUMBERS.sub(" ", amount_words_to_digits(text))
    cleaned = _SIGN_WORDS.sub("-", cleaned)
    cleaned = _DOLLARS_AND_CENTS.sub(lambda m: f"{m.group(1)}.{int(m.group(2)):02d}", cleaned)
    cleaned = _CENTS.sub(lambda m: f"0.{int(m.group(1)):02d}", cleaned)
    amounts: set[Decimal] = set()
    for match in _NUMBER.finditer(cleaned):
        read = _read_number(match)
        if isinstance(read, AmountProblem):
            return read
        if read is not None:
            amounts.add(read)
    words: AmountRequest | None = None
    if _PAST_DUE_WORDS.search(cleaned):
        words = "past_due"  # "the whole past-due amount" is the past-due part
    elif _MINIMUM_WORDS.search(cleaned):
        words = "minimum"  # "the minimum due", "just the min payment"
    elif _FULL_WORDS.search(cleaned):
        words = "full"
    if len(amounts) > 1 or (amounts and words is not None):
        return AmountProblem.SEVERAL
    if amounts:
        [amount] = amounts
        return amount if amount > 0 else AmountProblem.NOT_POSITIVE
    return words if words is not None else AmountProblem.MISSING


def _read_number(match: re.Match[str]) -> Decimal | AmountProblem | None:
    """One number as an amount; ``None`` for a number that is no amount (a date, "1st")."""
    tail = match.group("tail") or ""
    money_sign = match.group("dollar") is not None
    if not money_sign and (tail[:1] in ("/", ":") or _ORDINAL_SUFFIX.fullmatch(tail)):
        return None
    if match.group("head") is not None or (tail and not _CURRENCY_SUFFIX.fullmatch(tail)):
        return AmountProblem.MALFORMED
    well_formed = _WELL_FORMED.fullmatch(match.group("body"))
    if well_formed is None:
        return AmountProblem.MALFORMED
    if len(well_formed.group(1) or "") > 2:
        return AmountProblem.TOO_PRECISE
    whole, _, cents = match.group("body").replace(",", "").partition(".")
    # Built exactly (no context rounding, whatever the number of digits).
    amount = Decimal(f"{whole}.{cents.ljust(2, '0')}")
    negative = match.group("minus") is not None or match.group("minus_after_dollar") is not None
    return amount.copy_negate() if negative else amount


def parse_amount(text: str) -> AmountRequest | None:
    """The amount in ``text`` when there is exactly one well-formed amount, else ``None``
    (``read_amount`` says why)."""
    read = read_amount(text)
    return None if isinstance(read, AmountProblem) else read


def amount_request_text(request: AmountRequest) -> str:
    """How a request is kept in the ``amount`` slot: ``full``, ``past_due``, ``minimum`` or
    ``96.00``.
    ``read_amount`` reads it back to the same request."""
    return request if isinstance(request, str) else f"{request:.2f}"
