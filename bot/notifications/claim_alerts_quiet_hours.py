"""Quiet hours in the policyholder's own time zone: alerts found at night wait for the morning.

The zone comes from the state of the policyholder's mailing address. States that span two zones
use the zone where most of their people live (a Panhandle Floridian is an hour off; the window
is wide enough that this never lands a text in the middle of their night). Messages are *held*,
never dropped: ``release_at`` says when one may go.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

# The zone most of each state's population lives in (IANA names).
STATE_ZONES: dict[str, str] = {
    "AL": "America/Chicago",
    "AK": "America/Anchorage",
    "AZ": "America/Phoenix",
    "AR": "America/Chicago",
    "CA": "America/Los_Angeles",
    "CO": "America/Denver",
    "CT": "America/New_York",
    "DC": "America/New_York",
    "DE": "America/New_York",
    "FL": "America/New_York",
    "GA": "America/New_York",
    "HI": "Pacific/Honolulu",
    "ID": "America/Boise",
    "IL": "America/Chicago",
    "IN": "America/Indiana/Indianapolis",
    "IA": "America/Chicago",
    "KS": "America/Chicago",
    "KY": "America/New_York",
    "LA": "America/Chicago",
    "ME": "America/New_York",
    "MD": "America/New_York",
    "MA": "America/New_York",
    "MI": "America/Detroit",
    "MN": "America/Chicago",
    "MS": "America/Chicago",
    "MO": "America/Chicago",
    "MT": "America/Denver",
    "NE": "America/Chicago",
    "NV": "America/Los_Angeles",
    "NH": "America/New_York",
    "NJ": "America/New_York",
    "NM": "America/Denver",
    "NY": "America/New_York",
    "NC": "America/New_York",
    "ND": "America/Chicago",
    "OH": "America/New_York",
    "OK": "America/Chicago",
    "OR": "America/Los_Angeles",
    "PA": "America/New_York",
    "RI": "America/New_York",
    "SC": "America/New_York",
    "SD": "America/Chicago",
    "TN": "America/Chicago",
    "TX": "America/Chicago",
    "UT": "America/Denver",
    "VT": "America/New_York",
    "VA": "America/New_York",
    "WA": "America/Los_Angeles",
    "WV": "America/New_York",
    "WI": "America/Chicago",
    "WY": "America/Denver",
    "PR": "America/Puerto_Rico",
}
# Unknown or missing state: the zone furthest west of the lower 48, so "8 AM" is never earlier
# than 8 AM anywhere on the mainland.
FALLBACK_ZONE = "America/Los_Angeles"


def zone_for_state(state: str | None) -> ZoneInfo:
    """The time zone for a two-letter US state code (any case); the fallback when unknown."""
    return ZoneInfo(STATE_ZONES.get((state or "").strip().upper(), FALLBACK_ZONE))


def parse_clock_time(text: str) -> time:
    """``"21:00"`` → ``time(21, 0)``; ``ValueError`` with a clear message otherwise."""
    try:
        hours, minutes = text.strip().split(":")
        return time(int(hours), int(minutes))
    except ValueError as exc:
        raise ValueError(f"expected a time of day as HH:MM, got {text!r}") from exc


@dataclass(frozen=True)
class QuietHours:
    """A nightly window (``start`` to ``end``, local time) in which no alert is sent.

    ``start`` after ``end`` wraps past midnight (21:00 to 08:00); equal times mean no quiet hours.
    """

    start: time = time(21, 0)
    end: time = time(8, 0)

    @classmethod
    def parse(cls, start: str, end: str) -> QuietHours:
        """From ``HH:MM`` texts (the settings)."""
        return cls(parse_clock_time(start), parse_clock_time(end))

    def is_quiet(self, local: time) -> bool:
        """True when ``local`` (a wall-clock time) falls in the window."""
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def release_at(self, now: datetime, zone: ZoneInfo) -> datetime:
        """When a message due ``now`` may be sent (UTC): ``now`` itself unless it is quiet then."""
        local = now.astimezone(zone)
        if not self.is_quiet(local.time()):
            return now.astimezone(timezone.utc)
        day: date = local.date()
        if self.start > self.end and local.time() >= self.start:
            day += timedelta(days=1)  # evening: the window ends tomorrow morning
        release = datetime.combine(day, self.end, tzinfo=zone)
        return release.astimezone(timezone.utc)
