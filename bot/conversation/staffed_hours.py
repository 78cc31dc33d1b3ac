"""When people staff the contact centre: outside those hours a handoff becomes a callback.

The hours are one setting (``CONTACT_CENTRE_HOURS``), e.g. ``mon-fri 08:00-20:00; sat 09:00-13:00``
in ``CONTACT_CENTRE_TIMEZONE`` (an IANA zone), or ``always`` (the default: a 24/7 centre).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_PART = re.compile(
    r"^(?P<first>[a-z]{3})(?:-(?P<last>[a-z]{3}))?\s+"
    r"(?P<opens>\d{1,2}:\d{2})-(?P<closes>\d{1,2}:\d{2})$"
)


class HoursSyntaxError(ValueError):
    """The hours setting cannot be read."""


@dataclass(frozen=True)
class Window:
    """One weekday's staffed window, local time (closes after opens, same day)."""

    weekday: int  # Monday is 0
    opens: time
    closes: time


@dataclass(frozen=True)
class StaffedHours:
    """The weekly staffed windows in one time zone; no windows means always staffed."""

    windows: tuple[Window, ...]
    zone: ZoneInfo

    @classmethod
    def parse(cls, spec: str, zone: str) -> StaffedHours:
        """``always`` or ``mon-fri 08:00-20:00; sat 09:00-13:00``."""
        text = spec.strip().lower()
        if text in ("", "always", "24/7"):
            return cls((), ZoneInfo(zone))
        windows: list[Window] = []
        for part in (p.strip() for p in text.split(";") if p.strip()):
            match = _PART.match(part)
            if match is None or match["first"] not in _DAYS:
                raise HoursSyntaxError(f"cannot read staffed hours {part!r}")
            first = _DAYS.index(match["first"])
            last_name = match["last"] or match["first"]
            if last_name not in _DAYS:
                raise HoursSyntaxError(f"cannot read staffed hours {part!r}")
            opens, closes = _clock(match["opens"]), _clock(match["closes"])
            if closes <= opens:
                raise HoursSyntaxError(f"closing time before opening time in {part!r}")
            for day in range(first, _DAYS.index(last_name) + 1):
                windows.append(Window(day, opens, closes))
        return cls(tuple(windows), ZoneInfo(zone))

    @property
    def always(self) -> bool:
        return not self.windows

    def is_staffed(self, now: datetime) -> bool:
        if self.always:
            return True
        local = now.astimezone(self.zone)
        return any(
            w.weekday == local.weekday() and w.opens <= local.time() < w.closes
            for w in self.windows
        )

    def next_opening(self, now: datetime) -> datetime | None:
        """When people are next there (``now`` if they are), None if always staffed."""
        if self.always:
            return None
        if self.is_staffed(now):
            return now
        local = now.astimezone(self.zone)
        for ahead in range(8):
            day = (local + timedelta(days=ahead)).date()
            for w in sorted(self.windows, key=lambda w: w.opens):
                if w.weekday != day.weekday():
                    continue
                opening = datetime.combine(day, w.opens, tzinfo=self.zone)
                if opening > local:
                    return opening
        return None


def _clock(text: str) -> time:
    hours, minutes = (int(x) for x in text.split(":"))
    if not (0 <= hours <= 24 and 0 <= minutes < 60):
        raise HoursSyntaxError(f"not a time of day: {text}")
    return time(23, 59, 59) if hours == 24 else time(hours, minutes)


def opening_text(opening: datetime, now: datetime) -> str:
    """ "today at 8:00 AM", "tomorrow at 8:00 AM", "Monday at 8:00 AM" (the centre's time)."""
    local_now = now.astimezone(opening.tzinfo)
    days = (opening.date() - local_now.date()).days
    hour = opening.strftime("%I:%M %p").lstrip("0")
    zone = opening.strftime("%Z")
    if days == 0:
        when = "today"
    elif days == 1:
        when = "tomorrow"
    else:
        when = opening.strftime("%A")
    return f"{when} at {hour} {zone}".strip()
