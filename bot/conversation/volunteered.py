"""Identity details a person gives before they are asked ("balance pls, dob 4/12/85 zip 78704").

They are read from the message text in this one place, when verification starts, and then go
through exactly the same checks as answers to the questions: the form's format checks, the PAS
comparison, the failure count and lockout, and the one-time code when nothing proves possession of
the number on file. Reading them only saves the questions.

A wrong reading costs a failed verification attempt, so the reader prefers saying nothing:
- a date of birth is a date after a label ("dob", "born", "birthday", "date of birth"), or else
  the one date in the message old enough to be a policyholder's birth date and not introduced as
  some other date ("since", "due", "on" …): a loss date or a due date is not a date of birth;
- a ZIP code is five digits after (or before) a label ("zip", "postal code", "I live in"), or else
  the one five-digit number left in a message that also gives a date of birth, and never a number
  inside a street address, a payment amount, a policy or a claim number;
- a policy number is one with its line prefix (``AUT-1000001``) or seven digits after "policy".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from bot.conversation.spoken_numbers import words_to_digits
from bot.conversation.user_input import (
    POLICY_PREFIXES,
    parse_date_of_birth,
    parse_policy_number,
    parse_zip,
)

# A policyholder is at least this old; an unlabelled date more recent than that is some other
# date (a loss date, a due date, a payment date), not a date of birth.
MIN_POLICYHOLDER_AGE = 16

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_YEAR = r"(?:\d{4}|'?\d{2})"
# One written date: 4/12/1985, 04-12-85, 1985-04-12, April 12(th), 1985, 12 April 85, the 12th
# of April 1985. Digits glued to other digits or slashes are not dates.
_DATE = re.compile(
    r"(?<![\d/.-])(?:"
    r"\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})"
    r"|\d{4}-\d{1,2}-\d{1,2}"
    rf"|{_MONTH}\s+(?:the\s+)?{_DAY},?\s+(?:of\s+)?{_YEAR}"
    rf"|(?:the\s+)?{_DAY}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}"
    r")(?![\d/]|\.\d)",
    re.IGNORECASE,
)
# Eight keyed digits (04121985) are a date only right after a label.
_KEYED_DATE = re.compile(r"(?<!\d)\d{8}(?!\d)")
_DOB_LABEL = re.compile(
    r"\b(?:d\.?\s?o\.?\s?b\b\.?|date\s+of\s+birth|birth\s*date|birth\s*day|b-?day"
    r"|born(?:\s+on)?)(?:'s|\s+is|\s+was|\s+of)?\s*[:=#-]?\s*",
    re.IGNORECASE,
)
# Words that introduce a date that is not a birth date.
_OTHER_DATE = re.compile(
    r"\b(?:on|since|from|until|till|by|effective|expir\w*|due|loss|accident|happened|crash\w*"
    r"|paid|payment|purchased|bought|renew\w*|start\w*|ends?|cancel\w*|as\s+of)\W+(?:\w+\W+)?$",
    re.IGNORECASE,
)
_ZIP_LABEL_BEFORE = re.compile(
    r"\b(?:(?P<own>my\s+)?(?:zip(?:\s*code)?|zipcode|postal(?:\s*code)?|post\s*code)"
    r"|(?P<home>i\s+live\s+in|i\s+am\s+in|i'?m\s+in|live\s+in)(?:\s+[a-z.]+,?){0,3})"
    r"(?:'s|\s+is|\s+was)?\s*[:=#-]?\s*(?P<zip>(?:\d\s?){4}\d(?:-\d{4})?)(?!\d)",
    re.IGNORECASE,
)
_ZIP_LABEL_AFTER = re.compile(
    r"(?<![\d$.,])(?P<zip>\d{5})(?:-\d{4})?\s+(?:is\s+)?(?:(?P<own>my)\s+|the\s+)?"
    r"(?:zip|postal)\b",
    re.IGNORECASE,
)
_FIVE_DIGITS = re.compile(r"(?<![\d$.,/-])(\d{5})(?:-\d{4})?(?![\d/]|\.\d|,\d)")
# A five-digit number that is money: "$12345", "12345 dollars".
_MONEY_AFTER = re.compile(r"^\s*(?:dollars?|bucks?|usd)\b", re.IGNORECASE)
# A street address: a house number, then words, then a street word; its ZIP is not the user's.
_STREET = re.compile(
    r"\b\d+[a-z]?\s+(?:[a-z0-9.'-]+\s+){0,4}(?:st|street|ave|avenue|rd|road|blvd|boulevard|dr"
    r"|drive|ln|lane|way|ct|court|pl|place|pkwy|parkway|hwy|highway|suite|ste|cir|circle|trl"
    r"|trail|ter|terrace|loop|row|sq|square)\b\.?|\bp\.?\s?o\.?\s+box\b",
    re.IGNORECASE,
)
_STATES = (
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ"
    " NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY"
).split()
# State codes that are also everyday words count only in capitals ("IN 46204", not "in 46204").
_WORD_STATES = {"CO", "DE", "HI", "ID", "IN", "LA", "MA", "ME", "MI", "MO", "OH", "OK", "OR", "PA"}
_STATE_BEFORE = re.compile(
    rf"\b(?:{'|'.join(_STATES)}|(?i:{'|'.join(sorted(set(_STATES) - _WORD_STATES))}))\s*,?\s*$"
)
_PREFIXED_POLICY = re.compile(
    rf"\b(?:{'|'.join(POLICY_PREFIXES)})[\s-]*\d{{7}}(?!\d)", re.IGNORECASE
)
_LABELLED_POLICY = re.compile(
    r"\bpolicy(?:\s*(?:number|num|no\.?|#))?(?:\s+is)?\s*[:#-]?\s*((?:\d[\s-]?){6}\d)(?!\d)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class VolunteeredIdentity:
    """What a message says about who is writing; ``None`` where it says nothing sure."""

    date_of_birth: date | None = None
    zip_code: str | None = None
    # canonical (``AUT-1000001``), or seven bare digits for verification to try on each line
    policy_number: str | None = None

    def __bool__(self) -> bool:
        return any((self.date_of_birth, self.zip_code, self.policy_number))

    def slot_values(self) -> dict[str, str]:
        """What was read, as the verification form's slots hold it (the date in ISO form)."""
        values = {
            "date_of_birth": self.date_of_birth.isoformat() if self.date_of_birth else None,
            "zip_code": self.zip_code,
            "policy_number": self.policy_number,
        }
        return {name: value for name, value in values.items() if value is not None}

    def as_text(self) -> str:
        """The details written with their labels ("dob 09/30/1972 zip 28203"), which
        ``read_volunteered_identity`` reads back the same: what a part of a message cut from the
        rest (``channels.requests_in_a_message``) can carry along."""
        parts = []
        if self.date_of_birth is not None:
            parts.append(f"dob {self.date_of_birth:%m/%d/%Y}")
        if self.zip_code is not None:
            parts.append(f"zip {self.zip_code}")
        if self.policy_number is not None:
            parts.append(f"policy {self.policy_number}")
        return " ".join(parts)


def read_volunteered_identity(text: str, today: date) -> VolunteeredIdentity:
    """The date of birth, ZIP code and policy number ``text`` gives (see the module docstring)."""
    if not text or text.startswith("/"):
        return VolunteeredIdentity()
    written = words_to_digits(text)
    dob = read_date_of_birth(written, today)
    return VolunteeredIdentity(
        date_of_birth=dob,
        zip_code=read_zip(written, with_date_of_birth=dob is not None),
        policy_number=read_policy_number(written),
    )


def read_date_of_birth(text: str, today: date) -> date | None:
    """A labelled date of birth, else the one plausible unlabelled birth date (module docstring)."""
    for label in _DOB_LABEL.finditer(text):
        after = text[label.end() : label.end() + 40]
        found = _DATE.match(after) or _KEYED_DATE.match(after)
        if found is not None:
            parsed = parse_date_of_birth(found.group(0), today)
            if parsed is not None:
                return parsed
    plausible: set[date] = set()
    for found in _DATE.finditer(text):
        before = re.split(r"[.?!;\n]", text[max(0, found.start() - 30) : found.start()])[-1]
        if _OTHER_DATE.search(before):
            continue
        parsed = parse_date_of_birth(found.group(0), today)
        if parsed is not None and _old_enough(parsed, today):
            plausible.add(parsed)
    return plausible.pop() if len(plausible) == 1 else None


def _old_enough(born: date, today: date) -> bool:
    years = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    return years >= MIN_POLICYHOLDER_AGE


def read_zip(text: str, *, with_date_of_birth: bool) -> str | None:
    """A labelled ZIP code, else (only beside a date of birth) the one bare five-digit number that
    is not part of an address, an amount, a date, or a policy or claim number."""
    # Everything from a street address's house number on belongs to that address (city, ZIP):
    # there only "my zip" or "I live in" is the writer's.
    address_from = min((m.start() for m in _STREET.finditer(text)), default=len(text))
    labelled = {
        zip5
        for match in [*_ZIP_LABEL_BEFORE.finditer(text), *_ZIP_LABEL_AFTER.finditer(text)]
        if (zip5 := parse_zip(match.group("zip"))) is not None
        and (match.start() < address_from or match.groupdict().get("own") or match["home"])
    }
    if labelled:
        return labelled.pop() if len(labelled) == 1 else None
    if not with_date_of_birth:
        return None
    dates = [m.span() for m in _DATE.finditer(text)]
    bare: set[str] = set()
    for match in _FIVE_DIGITS.finditer(text):
        start, end = match.span()
        if start >= address_from or any(s <= start < e for s, e in dates):
            continue
        if _MONEY_AFTER.match(text[end:]) or _STATE_BEFORE.search(text[:start]):
            continue
        bare.add(match.group(1))
    return bare.pop() if len(bare) == 1 else None


def read_policy_number(text: str) -> str | None:
    """A policy number written with its line prefix, or seven digits right after "policy"."""
    prefixed = {p for m in _PREFIXED_POLICY.finditer(text) for p in parse_policy_number(m[0])}
    if prefixed:
        return prefixed.pop() if len(prefixed) == 1 else None
    labelled = _LABELLED_POLICY.search(text)
    if labelled is None:
        return None
    return re.sub(r"\D", "", labelled.group(1))
