"""What staff may read of a conversation: ``redact_for_staff`` applied to every message shown.

Built on ``bot.conversation.redaction`` (cards, dates of birth, one-time codes, claim numbers,
long digit runs become placeholders) with masks that keep what staff need to tell records apart:

- policy numbers keep the line prefix and last three digits (``AUT-****001``);
- phone numbers keep the last four digits (``(***) ***-0101``);
- web links become ``[LINK]``: document and payment links are bearer tokens;
- e-mail addresses become ``[EMAIL]``.

Links and e-mail addresses go first, because their digits would otherwise be read as codes.
"""

from __future__ import annotations

import re

from bot.conversation.formatting import mask_policy_number
from bot.conversation.redaction import Masks, redact

LINK = "[LINK]"
EMAIL = "[EMAIL]"

_URL = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_POLICY_PARTS = re.compile(r"([A-Za-z]{3})[\s-]?(\d+)")


def mask_policy(found: str) -> str:
    """``AUT-1000001`` / ``aut 1000001`` → ``AUT-****001``."""
    parts = _POLICY_PARTS.fullmatch(found.strip())
    if parts is None:
        return "[POLICY]"
    return mask_policy_number(f"{parts.group(1).upper()}-{parts.group(2)}")


def mask_phone(found: str) -> str:
    """Any phone number → ``(***) ***-1234`` (its last four digits only)."""
    digits = re.sub(r"\D", "", found)
    return f"(***) ***-{digits[-4:]}" if len(digits) >= 4 else "[PHONE]"


STAFF_MASKS = Masks(policy=mask_policy, phone=mask_phone)


def redact_for_staff(text: str) -> str:
    """``text`` as staff may see it (also safe to apply twice)."""
    text = _URL.sub(LINK, text)
    text = _EMAIL.sub(EMAIL, text)
    return redact(text, STAFF_MASKS)
