"""Calendar arithmetic for policy terms and billing schedules."""

from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta, timezone


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole months, clamped to the last day of a shorter month."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def months_between(start: date, end: date) -> int:
    """Whole months from ``start`` to ``end`` (how many monthly anniversaries have passed)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if add_months(start, months) > end:
        months -= 1
    return months


def next_day_of_month(after: date, day_of_month: int) -> date:
    """The first date strictly after ``after`` that falls on ``day_of_month`` (1-28)."""
    candidate = after.replace(day=day_of_month)
    if candidate <= after:
        candidate = add_months(candidate, 1)
    return candidate


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """``day`` at a wall-clock time, as an aware UTC instant (``minute`` may exceed 59)."""
    hour, minute = hour + minute // 60, minute % 60
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.utc)


def days(n: int) -> timedelta:
    """A span of whole days."""
    return timedelta(days=n)
