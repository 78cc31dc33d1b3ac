"""Redact personal data from free text before it is stored for staff (handoff summaries).

Applied in this order, because later patterns would otherwise eat parts of earlier ones:
card numbers (13-19 digits, spaces or dashes allowed, Luhn-valid), dates (numeric and month-name
forms: dates of birth), policy and claim numbers, phone numbers (``phonenumbers``, US default),
one-time codes (6 digits), then any remaining run of 5 or more digits (ZIP codes, keypad entry).
What is left keeps its words so staff can still read what the person asked.

``redact(text, masks)`` writes placeholders by default; ``Masks`` lets a caller keep a safe part
instead (the staff console keeps a policy number's last digits: ``bot.transcripts.redaction``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import phonenumbers

CARD = "[CARD]"
DATE = "[DATE]"
POLICY = "[POLICY]"
CLAIM = "[CLAIM]"
PHONE = "[PHONE]"
CODE = "[CODE]"
NUMBER = "[NUMBER]"

_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_CARD_CANDIDATE = re.compile(r"(?<!\d)\d(?:[ -]?\d){12,18}(?!\d)")
_DATES = (
    re.compile(r"(?<!\d)\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}(?!\d)"),
    re.compile(rf"\b{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{2,4}}(?!\d)", re.IGNORECASE),
    re.compile(
        rf"(?<!\d)\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTHS},?\s+\d{{2,4}}(?!\d)",
        re.IGNORECASE,
    ),
)
_CLAIM = re.compile(r"\bclm[\s-]?\d{6,10}(?!\d)", re.IGNORECASE)
_POLICY = re.compile(r"\b[a-z]{3}[\s-]?\d{7}(?!\d)", re.IGNORECASE)
_CODE = re.compile(r"(?<!\d)\d{6}(?!\d)")
_LONG_DIGITS = re.compile(r"\d(?:[ -]?\d){4,}")


@dataclass(frozen=True)
class Masks:
    """What a found policy number or phone number is replaced with (its matched text → text)."""

    policy: Callable[[str], str] = lambda _found: POLICY
    phone: Callable[[str], str] = lambda _found: PHONE


PLACEHOLDERS = Masks()


def luhn_valid(digits: str) -> bool:
    """True when a digit string passes the Luhn check used by payment card numbers."""
    if not digits.isdigit():
        return False
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def _redact_cards(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        digits = re.sub(r"\D", "", match.group(0))
        return CARD if 13 <= len(digits) <= 19 and luhn_valid(digits) else match.group(0)

    return _CARD_CANDIDATE.sub(replace, text)


def _redact_phones(text: str, mask: Callable[[str], str]) -> str:
    pieces: list[str] = []
    last = 0
    matcher = phonenumbers.PhoneNumberMatcher(text, "US", leniency=phonenumbers.Leniency.POSSIBLE)
    for match in matcher:
        pieces.append(text[last : match.start])
        pieces.append(mask(match.raw_string))
        last = match.end
    pieces.append(text[last:])
    return "".join(pieces)


def redact(text: str, masks: Masks = PLACEHOLDERS) -> str:
    """Replace card numbers, dates, policy/claim numbers, phones, codes and long digit runs."""
    text = _redact_cards(text)
    for pattern in _DATES:
        text = pattern.sub(DATE, text)
    text = _CLAIM.sub(CLAIM, text)
    text = _POLICY.sub(lambda found: masks.policy(found.group(0)), text)
    text = _redact_phones(text, masks.phone)
    text = _CODE.sub(CODE, text)
    return _LONG_DIGITS.sub(NUMBER, text)
