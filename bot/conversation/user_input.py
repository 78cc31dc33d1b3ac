"""Parse what policyholders type, say or key in: dates of birth, ZIP codes, policy and claim
numbers, payment amounts. Each parser returns ``None`` when it cannot be sure; it never guesses a
missing part (a date without a year is not a date of birth).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Literal

from dateutil import parser as date_parser  # type: ignore[import-untyped]

from bot.conversation.spoken_numbers import words_to_digits

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
_MONEY = re.compile(r"\$?\s*(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?(?!\d)")


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


AmountRequest = Decimal | Literal["full"]


def parse_amount(text: str) -> AmountRequest | None:
    """A payment amount: ``$200``, ``200.50``, ``$1,234.50``, ``two hundred dollars``, or
    ``full`` for "the full balance". ``None`` when there is no amount in the text.
    """
    if _FULL_WORDS.search(text):
        return "full"
    match = _MONEY.search(words_to_digits(text))
    if not match:
        return None
    whole = match.group(1).replace(",", "")
    cents = (match.group(2) or "0").ljust(2, "0")
    try:
        return Decimal(f"{whole}.{cents}")
    except InvalidOperation:
        return None
