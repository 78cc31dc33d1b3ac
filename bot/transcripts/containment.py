"""Containment by category over time, from the task outcome records (``task_outcomes``).

A task is *contained* when its outcome is ``contained`` and the same policyholder does not come back
about the same category, in another conversation, within 72 hours after it (docs/architecture.md,
"Intents and outcomes": repeat contacts by the same policyholder within 72 hours count against
containment). The repeat counts against the *earlier* task — its answer did not hold — while the
repeat itself is counted on its own merits. Outcomes with no holder (never verified) cannot be
linked and count as they are. ``same_category=False`` makes any later contact a repeat, whatever it
was about.

Containment rate = contained tasks ÷ all tasks (contained, handoff, abandoned, failed) of the four
categories (documents, payments, claims, coverage); conversation intents (``other``) are left out.
Days and weeks (Monday first) are in the carrier's display time zone. A bucket is *provisional*
while a repeat could still arrive for one of its tasks (its end is less than 72 h ago).
"""

from __future__ import annotations

import bisect
import enum
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.engine import Engine

from bot.clock import as_utc
from bot.conversation.formatting import DEFAULT_DISPLAY_TZ
from bot.conversation.outcomes import REPEAT_CONTACT_WINDOW, Outcome, task_outcomes
from bot.conversation.tasks import Category

CATEGORIES: tuple[Category, ...] = (
    Category.DOCUMENTS,
    Category.PAYMENTS,
    Category.CLAIMS,
    Category.COVERAGE,
)
# The reference deployment's containment ("deflection") at 90 days (docs/architecture.md,
# "Reference figures"). Coverage has no figure: "coverage
# queries remain predominantly phone-handled — by design, as they require agent judgment".
CASE_STUDY: dict[Category, float | None] = {
    Category.DOCUMENTS: 0.89,
    Category.PAYMENTS: 0.74,
    Category.CLAIMS: 0.58,
    Category.COVERAGE: None,
}
CASE_STUDY_OVERALL = 0.61
MAX_RANGE_DAYS = 366


class Bucketing(str, enum.Enum):
    DAY = "day"
    WEEK = "week"


@dataclass(frozen=True)
class OutcomeFact:
    """The columns of one outcome row the computation needs."""

    conversation_id: str
    category: Category
    outcome: Outcome
    holder_hash: str | None
    at: datetime


@dataclass
class Tally:
    """Counts of one category (or all) in one period."""

    tasks: int = 0
    contained: int = 0
    # contained in the bot, but the holder came back within 72 h: not counted as contained
    repeat_contacts: int = 0
    handoff: int = 0
    abandoned: int = 0
    failed: int = 0

    @property
    def rate(self) -> float | None:
        """Containment rate, or ``None`` with no tasks."""
        return self.contained / self.tasks if self.tasks else None

    def add(self, fact: OutcomeFact, repeated: bool) -> None:
        self.tasks += 1
        if fact.outcome is Outcome.CONTAINED:
            if repeated:
                self.repeat_contacts += 1
            else:
                self.contained += 1
        elif fact.outcome is Outcome.HANDOFF:
            self.handoff += 1
        elif fact.outcome is Outcome.ABANDONED:
            self.abandoned += 1
        else:
            self.failed += 1


@dataclass
class Bucket:
    """One day or week."""

    start: date
    end: date  # exclusive
    by_category: dict[Category, Tally] = field(
        default_factory=lambda: {c: Tally() for c in CATEGORIES}
    )
    overall: Tally = field(default_factory=Tally)
    provisional: bool = False


@dataclass(frozen=True)
class ContainmentReport:
    """Containment per bucket and for the whole range, with the reference figures."""

    first_day: date
    last_day: date  # inclusive
    bucketing: Bucketing
    buckets: tuple[Bucket, ...]
    totals: dict[Category, Tally]
    overall: Tally
    provisional: bool
    case_study: dict[Category, float | None] = field(default_factory=lambda: dict(CASE_STUDY))
    case_study_overall: float = CASE_STUDY_OVERALL


def bucket_start(day: date, bucketing: Bucketing) -> date:
    """The first day of the bucket ``day`` falls in."""
    return day - timedelta(days=day.weekday()) if bucketing is Bucketing.WEEK else day


def _local_midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=tz).astimezone(timezone.utc)


def repeated_tasks(
    facts: Sequence[OutcomeFact],
    *,
    window: timedelta = REPEAT_CONTACT_WINDOW,
    same_category: bool = True,
) -> set[int]:
    """Indexes of contained facts followed within ``window`` by a contact in another conversation
    from the same holder (about the same category unless ``same_category`` is false)."""
    timelines: dict[tuple[str, Category | None], list[tuple[datetime, str]]] = defaultdict(list)
    for fact in facts:
        if fact.holder_hash:
            key = (fact.holder_hash, fact.category if same_category else None)
            timelines[key].append((fact.at, fact.conversation_id))
    times: dict[tuple[str, Category | None], list[datetime]] = {}
    for key, timeline in timelines.items():
        timeline.sort()
        times[key] = [t for t, _ in timeline]
    repeated: set[int] = set()
    for index, fact in enumerate(facts):
        if fact.outcome is not Outcome.CONTAINED or not fact.holder_hash:
            continue
        key = (fact.holder_hash, fact.category if same_category else None)
        timeline, instants = timelines[key], times[key]
        lo = bisect.bisect_right(instants, fact.at)
        hi = bisect.bisect_right(instants, fact.at + window)
        if any(conversation != fact.conversation_id for _, conversation in timeline[lo:hi]):
            repeated.add(index)
    return repeated


def tally(
    facts: Sequence[OutcomeFact],
    first_day: date,
    last_day: date,
    bucketing: Bucketing,
    *,
    now: datetime,
    tz: ZoneInfo = DEFAULT_DISPLAY_TZ,
    window: timedelta = REPEAT_CONTACT_WINDOW,
    same_category: bool = True,
) -> ContainmentReport:
    """The report for ``facts`` (which may reach up to ``window`` past the range, for repeats)."""
    if last_day < first_day:
        raise ValueError("the last day comes before the first day")
    if (last_day - first_day).days >= MAX_RANGE_DAYS:
        raise ValueError(f"a report covers at most {MAX_RANGE_DAYS} days")
    buckets: dict[date, Bucket] = {}
    day = bucket_start(first_day, bucketing)
    step = timedelta(days=7 if bucketing is Bucketing.WEEK else 1)
    while day <= last_day:
        end = day + step
        buckets[day] = Bucket(
            start=day,
            end=end,
            provisional=_local_midnight(end, tz) + window > now,
        )
        day = end
    range_start = _local_midnight(first_day, tz)
    range_end = _local_midnight(last_day + timedelta(days=1), tz)
    totals = {c: Tally() for c in CATEGORIES}
    overall = Tally()
    repeated = repeated_tasks(facts, window=window, same_category=same_category)
    for index, fact in enumerate(facts):
        if fact.category not in totals or not range_start <= fact.at < range_end:
            continue
        is_repeat = index in repeated
        bucket = buckets[bucket_start(fact.at.astimezone(tz).date(), bucketing)]
        bucket.by_category[fact.category].add(fact, is_repeat)
        bucket.overall.add(fact, is_repeat)
        totals[fact.category].add(fact, is_repeat)
        overall.add(fact, is_repeat)
    return ContainmentReport(
        first_day=first_day,
        last_day=last_day,
        bucketing=bucketing,
        buckets=tuple(buckets.values()),
        totals=totals,
        overall=overall,
        provisional=range_end + window > now,
    )


def load_facts(engine: Engine, since: datetime, until: datetime) -> list[OutcomeFact]:
    """Outcome rows with ``since <= at < until``, oldest first."""
    t = task_outcomes
    query = (
        select(t.c.conversation_id, t.c.category, t.c.outcome, t.c.holder_hash, t.c.at)
        .where(t.c.at >= since, t.c.at < until)
        .order_by(t.c.at, t.c.id)
    )
    with engine.connect() as conn:
        return list(_facts(conn.execute(query)))


def _facts(rows: Iterable[object]) -> Iterable[OutcomeFact]:
    for row in rows:
        at: datetime = row.at  # type: ignore[attr-defined]
        yield OutcomeFact(
            conversation_id=row.conversation_id,  # type: ignore[attr-defined]
            category=Category(row.category),  # type: ignore[attr-defined]
            outcome=Outcome(row.outcome),  # type: ignore[attr-defined]
            holder_hash=row.holder_hash,  # type: ignore[attr-defined]
            at=as_utc(at),
        )


def containment_report(
    engine: Engine,
    first_day: date,
    last_day: date,
    bucketing: Bucketing = Bucketing.DAY,
    *,
    now: datetime,
    tz: ZoneInfo = DEFAULT_DISPLAY_TZ,
    same_category: bool = True,
) -> ContainmentReport:
    """Containment from ``first_day`` to ``last_day`` (inclusive, local days) by ``bucketing``."""
    since = _local_midnight(first_day, tz)
    until = _local_midnight(last_day + timedelta(days=1), tz) + REPEAT_CONTACT_WINDOW
    facts = load_facts(engine, since, until)
    return tally(facts, first_day, last_day, bucketing, now=now, tz=tz, same_category=same_category)
