"""The handoff queue's context, and the staff access audit, on both databases."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.transcripts.audit import StaffAccessAudit, StaffAction
from bot.transcripts.handoff_queue import HandoffQueue
from tests.staff.world import BASE, MovableClock, World


def test_queue_lists_urgent_first_with_context(dbs, world: World) -> None:  # type: ignore[no-untyped-def]
    page = HandoffQueue(dbs.app_engine).page()
    assert [h.ticket for h in page.items] == ["HO-CLAIM234", "HO-COVER567"]
    claim, coverage = page.items
    assert (claim.urgent, claim.queue, claim.reason, claim.verified) == (
        True,
        "claims",
        "first_notice_of_loss",
        False,
    )
    assert (coverage.intent, coverage.verified, coverage.policy_ref) == (
        "coverage_question",
        True,
        "REN-****001",
    )
    summary = " ".join(coverage.summary)
    assert "flood damage" in summary and "4242" not in summary
    assert world.personas["priya"]["policy_number"] not in summary


def test_queue_filters_by_queue_and_refuses_unknown_ones(dbs, world: World) -> None:  # type: ignore[no-untyped-def]
    queue = HandoffQueue(dbs.app_engine)
    assert [h.ticket for h in queue.page(queue="coverage").items] == ["HO-COVER567"]
    assert queue.page(queue="service").total == 0
    assert queue.page(since=BASE + timedelta(hours=2)).total == 1
    with pytest.raises(ValueError):
        queue.page(queue="billing")


def test_every_access_is_recorded_with_who_what_and_when(dbs) -> None:  # type: ignore[no-untyped-def]
    clock = MovableClock(BASE)
    audit = StaffAccessAudit(dbs.app_engine, clock=clock)
    audit.record(7, StaffAction.VIEW_TRANSCRIPT, conversation_id="sms-1")
    clock.now = BASE + timedelta(minutes=5)
    audit.record(8, StaffAction.EXPORT_TURNS, detail={"channel": "sms"})
    newest, oldest = audit.recent()
    assert (newest.staff_account_id, newest.action, newest.detail) == (
        8,
        StaffAction.EXPORT_TURNS,
        {"channel": "sms"},
    )
    assert (oldest.conversation_id, oldest.at) == ("sms-1", BASE)
    assert [r.staff_account_id for r in audit.recent(conversation_id="sms-1")] == [7]
    assert [r.action for r in audit.recent(staff_account_id=8)] == [StaffAction.EXPORT_TURNS]
