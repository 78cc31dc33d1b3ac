"""Phone numbers as the rest of the code sees them: E.164 text, or a keyed digest.

A raw phone number is PII. Wherever a number has to be a *key* (a suppression list row, a
conversation id, a log field) we use an HMAC of it under a server secret, labelled with its
purpose so that one digest cannot be replayed as another. A plain SHA-256 of a phone number would
not do: the space of numbers is small enough to enumerate.
"""

from __future__ import annotations

import hashlib
import hmac

import phonenumbers

DEFAULT_REGION = "US"


def to_e164(raw: str | None, region: str = DEFAULT_REGION) -> str | None:
    """``raw`` as an E.164 number (``+15125550101``), or ``None`` when it is not a valid number.

    Twilio sends E.164 already; callers' IDs can also be ``anonymous`` or ``+266696687`` (withheld),
    which are not valid numbers and come back as ``None``.
    """
    if not raw:
        return None
    try:
        parsed = phonenumbers.parse(raw.strip(), region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def phone_digest(key: str, e164: str, purpose: str) -> str:
    """Hex HMAC-SHA256 of ``purpose:e164`` under ``key`` (64 hex characters)."""
    message = f"{purpose}:{e164}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def phone_hint(e164: str) -> str:
    """A hint safe for logs and staff screens: the last two digits only (``***01``)."""
    return f"***{e164[-2:]}" if len(e164) >= 2 else "***"


def display_phone(e164: str, region: str = DEFAULT_REGION) -> str:
    """A number the way people write it: ``(800) 555-0100`` at home, international otherwise."""
    try:
        parsed = phonenumbers.parse(e164, region)
    except phonenumbers.NumberParseException:
        return e164
    home = phonenumbers.region_code_for_number(parsed) == region
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if home
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(parsed, style)
