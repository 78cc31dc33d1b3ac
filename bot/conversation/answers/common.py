"""Sentences shared by every journey: stale-data notes, apologies and the offer of a person."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.conversation.formatting import DEFAULT_DISPLAY_TZ, as_of
from bot.phone_numbers import display_phone

OFFER_PERSON = "Reply AGENT to talk to a person."
# Said when the human-exit rule hands over after misses in a row.
STILL_NOT_UNDERSTOOD = "Sorry, I'm still not getting it, so let me get you to a person."
# Said before "Which one?" is asked again, when an answer to it named none of the choices.
CHOICE_NOT_UNDERSTOOD = "Sorry, I couldn't tell which one you mean."


def with_staleness(
    text: str,
    *,
    stale: bool,
    fetched_at: datetime,
    now: datetime,
    tz: ZoneInfo = DEFAULT_DISPLAY_TZ,
) -> str:
    """Prefix ``text`` with its age when the data came from a stale cache entry.

    Stale data is only ever shown with the time it was true ("As of 2:41 PM: ...").
    """
    if not stale:
        return text
    note = as_of(fetched_at, now, tz)
    return f"{note[0].upper()}{note[1:]} (our policy system is slow right now): {text}"


def pas_unavailable(contact_phone: str) -> str:
    """The apology when the PAS cannot answer and nothing is cached: a way forward and a person."""
    return (
        "Sorry, I can't reach our policy system right now, so I can't look that up. "
        f"Please try again in a few minutes, or call us at {display_phone(contact_phone)}. "
        f"{OFFER_PERSON}"
    )


def took_too_long(contact_phone: str) -> str:
    """The apology when a turn ran out of time."""
    return (
        "Sorry, that is taking longer than it should. Please try again in a minute, "
        f"or call us at {display_phone(contact_phone)}. {OFFER_PERSON}"
    )


def something_went_wrong(contact_phone: str) -> str:
    """The apology for our own errors: no details, a way forward."""
    return (
        "Sorry, something went wrong on our side. Please try again, "
        f"or call us at {display_phone(contact_phone)}. {OFFER_PERSON}"
    )


def not_on_your_account_text(what: str) -> str:
    """A policy or claim number that is not the verified holder's. The same words whether the
    number exists or not, so nothing about other people's accounts is disclosed."""
    plural = {"policy": "policies"}.get(what, f"{what}s")
    return (
        f"That {what} number isn't on your account, so I can't help with it here. "
        f"I can only help with your own {plural}."
    )
