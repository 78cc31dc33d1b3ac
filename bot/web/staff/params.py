"""Reading the console's query strings into domain filters, with clear refusals."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta

from bot.conversation.formatting import DEFAULT_DISPLAY_TZ
from bot.conversation.outcomes import Outcome
from bot.transcripts.containment import MAX_RANGE_DAYS, Bucketing
from bot.transcripts.conversations import ConversationFilter, InvalidFilter

DEFAULT_DASHBOARD_DAYS = 28


def _day(args: Mapping[str, str], name: str) -> date | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise InvalidFilter(f"{name} must be a date like 2026-11-25") from exc


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=DEFAULT_DISPLAY_TZ)


def conversation_filter(args: Mapping[str, str], search: str | None = None) -> ConversationFilter:
    """``channel, from, to (inclusive days, carrier time), intent, outcome, verified`` from the
    query string; the search text comes separately (it never travels in a URL)."""
    first, last = _day(args, "from"), _day(args, "to")
    outcome_raw = (args.get("outcome") or "").strip()
    try:
        outcome = Outcome(outcome_raw) if outcome_raw else None
    except ValueError as exc:
        raise InvalidFilter(f"unknown outcome {outcome_raw!r}") from exc
    verified_raw = (args.get("verified") or "").strip()
    if verified_raw not in ("", "yes", "no"):
        raise InvalidFilter("verified is yes or no")
    return ConversationFilter(
        channel=(args.get("channel") or "").strip() or None,
        since=_local_midnight(first) if first else None,
        until=_local_midnight(last + timedelta(days=1)) if last else None,
        intent=(args.get("intent") or "").strip() or None,
        outcome=outcome,
        verified=None if not verified_raw else verified_raw == "yes",
        search=(search or "").strip() or None,
    )


def page_number(args: Mapping[str, str]) -> int:
    raw = (args.get("page") or "1").strip()
    if not raw.isdigit() or not 1 <= int(raw) <= 100_000:
        raise InvalidFilter("page must be a whole number from 1")
    return int(raw)


def dashboard_range(args: Mapping[str, str], today: date) -> tuple[date, date, Bucketing]:
    """The dashboard's days (default: the last four weeks) and bucket size."""
    last = _day(args, "to") or today
    first = _day(args, "from") or last - timedelta(days=DEFAULT_DASHBOARD_DAYS - 1)
    if first > last:
        raise InvalidFilter("from must not be after to")
    if (last - first).days >= MAX_RANGE_DAYS:
        raise InvalidFilter(f"the dashboard covers at most {MAX_RANGE_DAYS} days")
    raw = (args.get("bucket") or "day").strip()
    try:
        bucketing = Bucketing(raw)
    except ValueError as exc:
        raise InvalidFilter("bucket is day or week") from exc
    return first, last, bucketing
