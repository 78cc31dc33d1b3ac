"""Staffed hours: when a handoff reaches a person now, and when it becomes a callback."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from bot.conversation.staffed_hours import HoursSyntaxError, StaffedHours, opening_text

CHICAGO = "America/Chicago"
WEEKDAYS_AND_SATURDAY = "mon-fri 08:00-20:00; sat 09:00-13:00"


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


def test_always_is_staffed_at_any_hour_and_has_no_next_opening() -> None:
    hours = StaffedHours.parse("always", CHICAGO)
    assert hours.is_staffed(utc(2026, 12, 6, 3, 0))
    assert hours.next_opening(utc(2026, 12, 6, 3, 0)) is None


def test_weekday_daytime_is_staffed_in_the_centres_own_zone() -> None:
    hours = StaffedHours.parse(WEEKDAYS_AND_SATURDAY, CHICAGO)
    # Monday 7 Dec 2026, 14:00 UTC is 08:00 in Chicago: just open.
    assert hours.is_staffed(utc(2026, 12, 7, 14, 0))
    # 13:59 UTC is 07:59 in Chicago: not yet.
    assert not hours.is_staffed(utc(2026, 12, 7, 13, 59))


def test_late_friday_opens_again_on_saturday_morning() -> None:
    hours = StaffedHours.parse(WEEKDAYS_AND_SATURDAY, CHICAGO)
    friday_night = utc(2026, 12, 12, 3, 30)  # Friday 21:30 in Chicago
    opening = hours.next_opening(friday_night)
    assert opening is not None
    assert (opening.weekday(), opening.hour) == (5, 9)
    assert opening_text(opening, friday_night) == "tomorrow at 9:00 AM CST"


def test_saturday_afternoon_waits_for_monday() -> None:
    hours = StaffedHours.parse(WEEKDAYS_AND_SATURDAY, CHICAGO)
    saturday = utc(2026, 12, 12, 21, 0)  # Saturday 15:00 in Chicago
    opening = hours.next_opening(saturday)
    assert opening is not None and opening.weekday() == 0 and opening.hour == 8
    assert opening_text(opening, saturday).startswith("Monday at 8:00 AM")


@pytest.mark.parametrize("spec", ["weekdays 9-5", "mon-fri 20:00-08:00", "mon-fry 08:00-17:00"])
def test_unreadable_hours_are_refused_rather_than_guessed(spec: str) -> None:
    with pytest.raises(HoursSyntaxError):
        StaffedHours.parse(spec, CHICAGO)
