"""What people are told about one-time codes we will not send (the web pages and the chat)."""

from __future__ import annotations

import math
from datetime import timedelta

from bot.phone_numbers import display_phone


def code_budget_spent(contact_phone: str, retry_after: timedelta, *, meanwhile: str = "") -> str:
    """The answer when the send budget of one-time codes is spent (no code was sent).

    When to try again, another way in the person already has (``meanwhile``, e.g. "use your
    authenticator app"), and a person at the contact centre. The chat adds its own way to reach
    a person (``OFFER_PERSON``).
    """
    minutes = max(1, math.ceil(retry_after.total_seconds() / 60))
    wait = "a minute" if minutes == 1 else f"{minutes} minutes"
    instead = f", or {meanwhile}" if meanwhile else ""
    return (
        "Sorry, we've sent several codes already. "
        f"Please try again in {wait}{instead}. "
        f"Need help now? Call us at {display_phone(contact_phone)}."
    )
