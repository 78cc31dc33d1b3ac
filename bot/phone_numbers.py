"""Phone numbers, the one way: parse and validate to E.164, write for people, hint for logs.

Every number that enters the product (a Twilio ``From``, a caller ID, a number on file in the
PAS, a configured contact number) goes through ``to_e164`` before it is compared, stored as a
keyed digest (``bot.keyed_digest``) or sent to. Validation is ``phonenumbers.is_valid_number``:
a number must exist in the numbering plan, not merely have the right length, so ``555-555-0100``
and withheld caller IDs (``+266696687``) are refused alike.

A raw phone number is PII: logs carry ``phone_hint`` (last two digits); staff screens mask
numbers found in free text (``bot.transcripts.redaction.mask_phone``).
"""

from __future__ import annotations

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


def display_phone(e164: str, region: str = DEFAULT_REGION) -> str:
    """A number the way people write it: ``(800) 555-0100`` in the home country calling code
    (all of NANP for the US), international (``+44 20 7946 0958``) otherwise; unparsable text is
    returned unchanged.
    """
    try:
        parsed = phonenumbers.parse(e164, region)
    except phonenumbers.NumberParseException:
        return e164
    home = parsed.country_code == phonenumbers.country_code_for_region(region)
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if home
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(parsed, style)


def phone_hint(e164: str) -> str:
    """A hint safe for logs: the last two digits only (``***01``)."""
    return f"***{e164[-2:]}" if len(e164) >= 2 else "***"
