"""How money, dates and instants are written to policyholders (SMS first: short and plain).

Amounts are "$1,234.50", dates "Dec 5, 2026", times of day "2:41 PM" in the carrier's display
time zone.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.clock import as_utc

# The carrier's contact-centre time zone; policyholders read "as of" times in it.
DEFAULT_DISPLAY_TZ = ZoneInfo("America/Chicago")


def day(value: date) -> str:
    """Format a date as ``Dec 5, 2026``."""
    return f"{value:%b} {value.day}, {value.year}"


def time_of_day(instant: datetime, tz: ZoneInfo = DEFAULT_DISPLAY_TZ) -> str:
    """Format an instant's local time as ``2:41 PM``."""
    local = as_utc(instant).astimezone(tz)
    hour = local.hour % 12 or 12
    return f"{hour}:{local.minute:02d} {'AM' if local.hour < 12 else 'PM'}"


def as_of(fetched_at: datetime, now: datetime, tz: ZoneInfo = DEFAULT_DISPLAY_TZ) -> str:
    """Say how old data is: ``as of 2:41 PM`` today, ``as of Dec 4, 2:41 PM`` otherwise."""
    fetched_local = as_utc(fetched_at).astimezone(tz)
    now_local = as_utc(now).astimezone(tz)
    clock_time = time_of_day(fetched_at, tz)
    if fetched_local.date() == now_local.date():
        return f"as of {clock_time}"
    return f"as of {fetched_local:%b} {fetched_local.day}, {clock_time}"


def mask_policy_number(policy_number: str) -> str:
    """Keep the line prefix and the last three digits: ``AUT-1000001`` → ``AUT-****001``."""
    prefix, _, digits = policy_number.rpartition("-")
    if not digits:
        return "****"
    hidden = "*" * max(len(digits) - 3, 0)
    masked = f"{hidden}{digits[-3:]}"
    return f"{prefix}-{masked}" if prefix else masked
