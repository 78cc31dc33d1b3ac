"""What a person typed or said, made safe to hand to Rasa.

- A leading ``/`` is removed: Rasa reads ``/intent{"entity": ...}`` as a ready-made intent with
  entities, which only our own menus may send (``menu_choices``), never a person's text.
- Control characters go; the length is capped (1,600 characters is Twilio's SMS maximum; the SMS
  channel answers a longer text politely and never hands it over).
- Card and bank account numbers must never reach the tracker (it is stored, and shown to staff).
  ``contains_payment_account_number`` spots card numbers (13-19 digits passing the Luhn check,
  spaces or dashes allowed) and long digit runs said next to bank words; channels refuse such
  messages and point to the secure payment routes instead.
"""

from __future__ import annotations

import re
import unicodedata

MAX_USER_TEXT_CHARS = 1600

_CARD_CANDIDATE = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")
# "account" alone is everyday insurance talk ("my account"); an account *number* is not.
_BANK_WORDS = re.compile(
    r"\b(?:routing|account\s+(?:number|no|#)|acct|checking|savings|bank|aba)\b", re.IGNORECASE
)
# 9+ digits: 8-digit answers are dates of birth (MMDDYYYY) and claim numbers.
_BANK_NUMBER = re.compile(r"(?<!\d)\d{9,17}(?!\d)")


def without_command_prefix(text: str) -> str:
    """``text`` without a leading ``/`` (which would make Rasa read it as an intent command)."""
    return text.strip().lstrip("/").strip()


def clean_user_text(text: str, max_chars: int = MAX_USER_TEXT_CHARS) -> str:
    """``text`` without control characters or a leading ``/``, at most ``max_chars`` long."""
    kept = "".join(ch if ch in "\n\t" or unicodedata.category(ch)[0] != "C" else " " for ch in text)
    return without_command_prefix(kept)[:max_chars]


def luhn_valid(digits: str) -> bool:
    """The Luhn (mod 10) check used by payment card numbers."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2 == 1:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def contains_payment_account_number(text: str) -> bool:
    """True when ``text`` seems to hold a card number or a bank account / routing number."""
    for match in _CARD_CANDIDATE.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        if 13 <= len(digits) <= 19 and luhn_valid(digits):
            return True
    if _BANK_WORDS.search(text):
        compact = re.sub(r"(?<=\d)[ -](?=\d)", "", text)
        if _BANK_NUMBER.search(compact):
            return True
    return False
