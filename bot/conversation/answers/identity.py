"""What the identity step tells people, in one place."""

from __future__ import annotations

from datetime import datetime

from bot.conversation.formatting import time_of_day
from bot.phone_numbers import display_phone


def verification_paused_notice(
    carrier_name: str, until: datetime | None, contact_phone: str
) -> str:
    """The text to a policyholder's number on file when checks of their identity are paused.

    It says what happened and what still works, never who tried or what they got wrong.
    """
    when = f" until {time_of_day(until)}" if until else " for 15 minutes"
    return (
        f"{carrier_name}: ID checks by policy number are paused{when} after wrong answers. "
        "Texts and calls from this number still work. "
        f"Not you? Call {display_phone(contact_phone)}."
    )
