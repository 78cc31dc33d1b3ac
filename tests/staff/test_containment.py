"""Containment by category and period, with the 72-hour repeat-contact rule."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from bot.conversation.outcomes import Category, Outcome, OutcomeRecorder
from bot.transcripts.containment import (
    CASE_STUDY,
    CASE_STUDY_OVERALL,
    Bucketing,
    OutcomeFact,
    containment_report,
    repeated_tasks,
    tally,
)
from tests.staff.world import MovableClock

# Tuesday 3 November 2026, noon in Chicago
NOON = datetime(2026, 11, 3, 18, 0, tzinfo=timezone.utc)
LATER = NOON + timedelta(days=30)


def fact(
    conversation: str,
    category: Category,
    outcome: Outcome,
    *,
    holder: str | None = None,
    hours: float = 0,
) -> OutcomeFact:
    return OutcomeFact(conversation, category, outcome, holder, NOON + timedelta(hours=hours))


def test_rate_is_contained_over_all_tasks_per_category() -> None:
    facts = [
        fact("c1", Category.DOCUMENTS, Outcome.CONTAINED),
        fact("c2", Category.DOCUMENTS, Outcome.CONTAINED),
        fact("c3", Category.DOCUMENTS, Outcome.HANDOFF),
        fact("c4", Category.DOCUMENTS, Outcome.ABANDONED),
        fact("c5", Category.PAYMENTS, Outcome.FAILED),
        fact("c6", Category.PAYMENTS, Outcome.CONTAINED),
        fact("c7", Category.OTHER, Outcome.CONTAINED),  # conversation intents are left out
    ]
    report = tally(facts, NOON.date(), NOON.date(), Bucketing.DAY, now=LATER)
    docs = report.totals[Category.DOCUMENTS]
    assert (docs.tasks, docs.contained, docs.handoff, docs.abandoned) == (4, 2, 1, 1)
    assert docs.rate == 0.5
    assert report.totals[Category.PAYMENTS].rate == 0.5
    assert report.totals[Category.CLAIMS].rate is None
    assert (report.overall.tasks, report.overall.contained) == (6, 3)


def test_a_repeat_within_72_hours_counts_against_the_earlier_contained_task() -> None:
    facts = [
        fact("c1", Category.DOCUMENTS, Outcome.CONTAINED, holder="h1"),
        fact("c2", Category.DOCUMENTS, Outcome.CONTAINED, holder="h1", hours=71.9),
    ]
    assert repeated_tasks(facts) == {0}
    report = tally(facts, NOON.date(), (NOON + timedelta(days=3)).date(), Bucketing.WEEK, now=LATER)
    docs = report.totals[Category.DOCUMENTS]
    assert (docs.tasks, docs.contained, docs.repeat_contacts, docs.rate) == (2, 1, 1, 0.5)


@pytest.mark.parametrize(
    ("second", "repeated"),
    [
        (fact("c2", Category.DOCUMENTS, Outcome.CONTAINED, holder="h1", hours=72), {0}),
        (fact("c2", Category.DOCUMENTS, Outcome.CONTAINED, holder="h1", hours=72.01), set()),
        (fact("c2", Category.DOCUMENTS, Outcome.CONTAINED, holder="h2", hours=1), set()),
        (fact("c1", Category.DOCUMENTS, Outcome.CONTAINED, holder="h1", hours=1), set()),
        (fact("c2", Category.PAYMENTS, Outcome.CONTAINED, holder="h1", hours=1), set()),
        (fact("c2", Category.DOCUMENTS, Outcome.HANDOFF, holder="h1", hours=1), {0}),
    ],
    ids=[
        "exactly-72h",
        "just-after-72h",
        "another-holder",
        "same-conversation",
        "another-category",
        "came-back-for-a-person",
    ],
)
def test_what_counts_as_a_repeat_contact(second: OutcomeFact, repeated: set[int]) -> None:
    first = fact("c1", Category.DOCUMENTS, Outcome.CONTAINED, holder="h1")
    assert repeated_tasks([first, second]) == repeated


def test_any_category_repeat_when_asked() -> None:
    facts = [
        fact("c1", Category.DOCUMENTS, Outcome.CONTAINED, holder="h1"),
        fact("c2", Category.PAYMENTS, Outcome.CONTAINED, holder="h1", hours=5),
    ]
    assert repeated_tasks(facts, same_category=False) == {0}


def test_unverified_contacts_are_never_linked() -> None:
    facts = [
        fact("c1", Category.CLAIMS, Outcome.CONTAINED),
        fact("c2", Category.CLAIMS, Outcome.CONTAINED, hours=1),
    ]
    assert repeated_tasks(facts) == set()


def test_days_and_weeks_bucket_in_the_carrier_time_zone() -> None:
    # 05:30 UTC on Wednesday is still Tuesday evening in Chicago
    late_tuesday = OutcomeFact(
        "c1",
        Category.CLAIMS,
        Outcome.CONTAINED,
        None,
        datetime(2026, 11, 4, 5, 30, tzinfo=timezone.utc),
    )
    days = tally([late_tuesday], date(2026, 11, 2), date(2026, 11, 8), Bucketing.DAY, now=LATER)
    assert [b.start for b in days.buckets][:2] == [date(2026, 11, 2), date(2026, 11, 3)]
    assert len(days.buckets) == 7
    assert days.buckets[1].by_category[Category.CLAIMS].tasks == 1
    weeks = tally([late_tuesday], date(2026, 11, 3), date(2026, 11, 20), Bucketing.WEEK, now=LATER)
    # weeks start on Monday, even when the range does not
    assert [b.start for b in weeks.buckets] == [
        date(2026, 11, 2),
        date(2026, 11, 9),
        date(2026, 11, 16),
    ]
    assert weeks.buckets[0].overall.tasks == 1


def test_facts_outside_the_range_only_serve_as_repeats() -> None:
    facts = [
        fact("c1", Category.PAYMENTS, Outcome.CONTAINED, holder="h1"),
        fact("c2", Category.PAYMENTS, Outcome.CONTAINED, holder="h1", hours=30),  # next day
    ]
    report = tally(facts, NOON.date(), NOON.date(), Bucketing.DAY, now=LATER)
    payments = report.totals[Category.PAYMENTS]
    assert (payments.tasks, payments.contained, payments.repeat_contacts) == (1, 0, 1)


def test_recent_buckets_are_provisional_until_the_repeat_window_passes() -> None:
    now = datetime(2026, 11, 6, 12, 0, tzinfo=timezone.utc)
    report = tally([], date(2026, 11, 1), date(2026, 11, 5), Bucketing.DAY, now=now)
    assert [b.provisional for b in report.buckets] == [False, False, True, True, True]
    assert report.provisional is True


def test_report_carries_the_case_study_figures() -> None:
    report = tally([], NOON.date(), NOON.date(), Bucketing.DAY, now=LATER)
    assert report.case_study[Category.DOCUMENTS] == 0.89
    assert report.case_study[Category.PAYMENTS] == 0.74
    assert report.case_study[Category.CLAIMS] == 0.58
    assert report.case_study[Category.COVERAGE] is None
    assert report.case_study_overall == CASE_STUDY_OVERALL == 0.61
    assert set(CASE_STUDY) == {
        Category.DOCUMENTS,
        Category.PAYMENTS,
        Category.CLAIMS,
        Category.COVERAGE,
    }


def test_bad_ranges_are_refused() -> None:
    with pytest.raises(ValueError, match="before"):
        tally([], date(2026, 11, 5), date(2026, 11, 1), Bucketing.DAY, now=LATER)
    with pytest.raises(ValueError, match="at most"):
        tally([], date(2025, 1, 1), date(2026, 11, 1), Bucketing.DAY, now=LATER)


def test_report_from_recorded_outcomes_in_the_database(dbs) -> None:  # type: ignore[no-untyped-def]
    """Outcomes written by the recorder the actions use; the holder is known only by hash."""
    clock = MovableClock(NOON)
    recorder = OutcomeRecorder(dbs.app_engine, hash_key="k", clock=clock)

    def record(hours: float, conversation: str, intent: str, outcome: Outcome, holder: str | None):  # type: ignore[no-untyped-def]
        clock.now = NOON + timedelta(hours=hours)
        recorder.record(
            conversation_id=conversation,
            channel="sms",
            intent=intent,
            outcome=outcome,
            holder_id=holder,
        )

    record(0, "a", "request_id_card", Outcome.CONTAINED, "H0000001")
    record(2, "b", "request_id_card", Outcome.CONTAINED, "H0000001")  # repeat of "a"
    record(3, "c", "check_balance", Outcome.CONTAINED, "H0000002")
    record(4, "d", "make_payment", Outcome.FAILED, "H0000002")
    record(5, "e", "claim_status", Outcome.HANDOFF, None)
    record(6, "f", "coverage_question", Outcome.HANDOFF, "H0000003")
    record(30, "g", "request_certificate", Outcome.CONTAINED, None)
    record(24 * 8, "h", "request_id_card", Outcome.CONTAINED, "H0000009")  # outside the range

    report = containment_report(
        dbs.app_engine, date(2026, 11, 2), date(2026, 11, 8), Bucketing.DAY, now=LATER
    )
    totals = report.totals
    assert (totals[Category.DOCUMENTS].tasks, totals[Category.DOCUMENTS].contained) == (3, 2)
    assert totals[Category.DOCUMENTS].repeat_contacts == 1
    # H0000002 came back about payments an hour after the contained balance check
    payments = totals[Category.PAYMENTS]
    assert (payments.tasks, payments.contained, payments.repeat_contacts, payments.failed) == (
        2,
        0,
        1,
        1,
    )
    assert totals[Category.CLAIMS].rate == 0.0
    assert totals[Category.COVERAGE].rate == 0.0
    assert (report.overall.tasks, report.overall.contained) == (7, 2)
    by_day = {b.start: b.overall.tasks for b in report.buckets}
    assert by_day[date(2026, 11, 3)] == 6 and by_day[date(2026, 11, 4)] == 1
