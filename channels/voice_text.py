"""Bot text rewritten for the ear: what a text-to-speech voice should say on a phone call.

- Links are dropped (a voice reading a URL helps nobody; links are texted instead), and so are
  emoji, markdown and bullet symbols.
- Money is said in words: "$412.50" → "412 dollars and 50 cents".
- Dates are spoken: "Dec 5, 2026", "2026-12-05" and "12/5/2026" → "December 5th, 2026".
- Identifiers are read digit by digit: "AUT-1000001" → "A U T, 1 0 0 0 0 0 1"; masked ones say
  only what is shown: "AUT-****001" → "A U T ending in 0 0 1"; phone numbers in groups.
- Symbols become words (& → and, % → percent) or go.
- A question asking for a date of birth, ZIP code or policy number gets a keypad hint.
"""

from __future__ import annotations

import re
import unicodedata

MONTHS = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]  # fmt: skip
_MONTH_BY_ABBREV = {m[:3].lower(): i for i, m in enumerate(MONTHS, start=1)}
_MONTH_WORD = r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"

_MARKDOWN_LINK = re.compile(r"\[([^\]]+)\]\((?:https?://|www\.)[^)]*\)")
# A link and the preposition that pointed at it ("pay at https://..." → "pay").
_URL = re.compile(r"(?:\b(?:at|on|via|visit)\s+)?(?:https?://|www\.)[^\s<>\"]+", re.IGNORECASE)
_MONEY = re.compile(r"(-)?\$\s?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?(?!\d)")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})(?:T[\d:.]+Z?)?\b")
_US_DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")
_WORD_DATE = re.compile(rf"\b{_MONTH_WORD}\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(\d{{4}})\b)?")
# AUT-****001, ***0101 (an "ending in" already written before it is absorbed, not repeated)
_MASKED = re.compile(
    r"(?:\bending(?:\s+in)?\s+)?(?<![\w*•])(?:([A-Z]{1,4})-?)?[*•]{2,}[- ]?(\d{2,6})\b"
)
_PREFIXED_ID = re.compile(r"\b([A-Z]{1,4})-(\d{4,})\b")
_PHONE = re.compile(
    # (800) 555-0100, 800-555-0100, +1 800 555 0100 ... or E.164 +18005550100
    r"(?<!\d)(?:\+?1[ .-]?)?\(?(\d{3})\)?[ .-]?(\d{3})[ .-](\d{4})(?!\d)"
    r"|(?<!\d)\+1(\d{3})(\d{3})(\d{4})(?!\d)"
)
_LONG_NUMBER = re.compile(r"(?<![\d.,])(\d{5,})(?![\d]|[.,]\d)")
_SYMBOL_WORDS = [
    (re.compile(r"\s*&\s*"), " and "),
    (re.compile(r"(\d)\s*%"), r"\1 percent"),
    (re.compile(r"\s*%\s*"), " percent "),
    (re.compile(r"(?<=\w)\s*/\s*(?=[A-Za-z])"), " or "),
    (re.compile(r"\s*@\s*"), " at "),
    (re.compile(r"#\s*(?=\d)"), "number "),
]
_DROP = re.compile(r"[*_#~|<>{}\[\]\\^`=•·▪►✓✔→←]+")

_KEYPAD_HINTS = [
    (
        re.compile(r"date of birth|birth ?date|\bdob\b|born", re.IGNORECASE),
        "You can also key it in as 8 digits, month, day and year, then press pound.",
    ),
    (
        re.compile(r"\bzip\b|postal code", re.IGNORECASE),
        "You can also key in the 5 digits.",
    ),
    (
        re.compile(r"policy number", re.IGNORECASE),
        "You can also key in its 7 digits, then press pound.",
    ),
]


def ordinal(n: int) -> str:
    """1 → "1st", 2 → "2nd", 11 → "11th", 23 → "23rd"."""
    if 10 <= n % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def spoken_money(negative: bool, whole: str, cents: str | None) -> str:
    """ "412", "50" → "412 dollars and 50 cents"; "1", None → "1 dollar"."""
    dollars = int(whole.replace(",", ""))
    cent_value = int((cents or "0").ljust(2, "0")) if cents else 0
    parts = []
    if dollars or not cent_value:
        parts.append(f"{dollars} dollar{'' if dollars == 1 else 's'}")
    if cent_value:
        parts.append(f"{cent_value} cent{'' if cent_value == 1 else 's'}")
    said = " and ".join(parts)
    return f"minus {said}" if negative else said


def spoken_date(month: int, day: int, year: int | None) -> str | None:
    """ "December 5th, 2026" (or without the year); None for an impossible date."""
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    said = f"{MONTHS[month - 1]} {ordinal(day)}"
    return f"{said}, {year}" if year else said


def spell_digits(digits: str) -> str:
    return " ".join(digits)


def _letters(prefix: str) -> str:
    return " ".join(prefix.upper())


def _money(match: re.Match[str]) -> str:
    return spoken_money(bool(match.group(1)), match.group(2), match.group(3))


def _iso_date(match: re.Match[str]) -> str:
    said = spoken_date(int(match.group(2)), int(match.group(3)), int(match.group(1)))
    return said or match.group(0)


def _us_date(match: re.Match[str]) -> str:
    said = spoken_date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    return said or match.group(0)


def _word_date(match: re.Match[str]) -> str:
    month = _MONTH_BY_ABBREV[match.group(1)[:3].lower()]
    year = int(match.group(3)) if match.group(3) else None
    return spoken_date(month, int(match.group(2)), year) or match.group(0)


def _masked(match: re.Match[str]) -> str:
    prefix = f"{_letters(match.group(1))} " if match.group(1) else ""
    return f"{prefix}ending in {spell_digits(match.group(2))}"


def _prefixed_id(match: re.Match[str]) -> str:
    return f"{_letters(match.group(1))}, {spell_digits(match.group(2))}"


def _phone(match: re.Match[str]) -> str:
    groups = [g for g in match.groups() if g]
    return ", ".join(spell_digits(g) for g in groups)


def _strip_emoji(text: str) -> str:
    kept = []
    for ch in text:
        category = unicodedata.category(ch)
        if category == "So" or ch in "\u200d\ufe0f\ufe0e" or category == "Cs":
            continue
        kept.append(ch)
    return "".join(kept)


def _tidy(text: str) -> str:
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"\s+([.,;:!?])", r"\1", text)
    # A colon or comma left dangling where a link used to be.
    text = re.sub(r"[:,;]\s*(?=[.!?(]|$)", " ", text)
    text = re.sub(r"([.!?])(?:\s*[.!?])+", r"\1", text)
    text = re.sub(r"\(\s*\)", "", text).strip()
    # End on a full stop so the voice pauses before whatever is said next.
    if text and text[-1].isalnum():
        text += "."
    return text


# "(MM/DD/YYYY)" tells a texter how to type a date; a caller hears the keypad hint instead.
_FORMAT_HINT = re.compile(r"\s*\((?:MM/DD/YYYY|MM/DD/YY|YYYY-MM-DD|MM-DD-YYYY)\)")


def speak(text: str) -> str:
    """``text`` rewritten for a text-to-speech voice (see the module docstring)."""
    said = _FORMAT_HINT.sub("", text)
    said = _MARKDOWN_LINK.sub(r"\1", said)
    said = _URL.sub("", said)
    said = _strip_emoji(said)
    said = _MONEY.sub(_money, said)
    said = _ISO_DATE.sub(_iso_date, said)
    said = _US_DATE.sub(_us_date, said)
    said = _WORD_DATE.sub(_word_date, said)
    said = _MASKED.sub(_masked, said)
    said = _PREFIXED_ID.sub(_prefixed_id, said)
    said = _PHONE.sub(_phone, said)
    said = _LONG_NUMBER.sub(lambda m: spell_digits(m.group(1)), said)
    for pattern, replacement in _SYMBOL_WORDS:
        said = pattern.sub(replacement, said)
    said = _DROP.sub(" ", said)
    said = said.replace("\n", ". ")
    return _tidy(said)


def keypad_hint(question: str) -> str | None:
    """The keypad hint for a question asking for a number the caller may key in, if any."""
    if "?" not in question:
        return None
    for pattern, hint in _KEYPAD_HINTS:
        if pattern.search(question):
            return hint
    return None
