"""Handoff records and task outcomes as rows in the application database."""

from __future__ import annotations

from sqlalchemy import select

from bot.conversation.handoff import HandoffService, handoffs, new_ticket
from bot.conversation.outcomes import Category, Outcome, OutcomeRecorder, task_outcomes


def test_handoff_row_holds_context_with_personal_data_redacted(engine, clock):
    service = HandoffService(engine, clock=clock, ticket_factory=lambda: "HO-TEST0001")
    record = service.open(
        reason="coverage_question",
        intent="coverage_question",
        assurance="verified",
        policy_number="AUT-1000001",
        user_messages=[
            "hi",
            "my dob is 4/12/1985",
            "zip 78704",
            "am I covered for hail on AUT-1000001?",
        ],
        channel="sms",
        conversation_id="SM123",
    )
    with engine.connect() as conn:
        row = (
            conn.execute(select(handoffs).where(handoffs.c.ticket == "HO-TEST0001")).one()._mapping
        )
    assert row["queue"] == "coverage"
    assert row["urgent"] is False
    assert row["policy_ref"] == "AUT-****001"
    assert row["assurance"] == "verified"
    assert row["channel"] == "sms" and row["conversation_id"] == "SM123"
    assert row["summary"].splitlines() == [
        "hi",
        "my dob is [DATE]",
        "zip [NUMBER]",
        "am I covered for hail on [POLICY]?",
    ]
    assert "1985" not in row["summary"] and "1000001" not in row["summary"]
    assert service.get("HO-TEST0001") == record
    assert record.payload() == {
        "ticket": "HO-TEST0001",
        "reason": "coverage_question",
        "intent": "coverage_question",
        "urgent": False,
        "queue": "coverage",
        "callback": False,
    }


def test_report_claim_handoff_goes_to_the_claims_queue_marked_urgent(engine, clock):
    record = HandoffService(engine, clock=clock).open(
        reason="report_claim",
        intent="report_claim",
        assurance="anonymous",
        policy_number=None,
        user_messages=["I just had an accident"],
        channel="voice",
        conversation_id="CA1",
        urgent=True,
    )
    assert record.queue == "claims" and record.urgent
    assert record.policy_ref is None
    assert record.ticket.startswith("HO-") and len(record.ticket) == 11


def test_tickets_are_random():
    assert len({new_ticket() for _ in range(200)}) == 200


def test_outcome_rows_carry_category_and_a_holder_pseudonym_not_the_id(engine, clock):
    recorder = OutcomeRecorder(engine, hash_key="k", clock=clock)
    recorder.record(
        conversation_id="c1",
        channel="sms",
        intent="request_id_card",
        outcome=Outcome.CONTAINED,
        holder_id="H0000001",
    )
    first_at = clock.now
    clock.advance(seconds=30)  # rows of one conversation read back in time order
    recorder.record(
        conversation_id="c1",
        channel="sms",
        intent="coverage_question",
        outcome=Outcome.HANDOFF,
        holder_id="H0000001",
        reason="needs_judgment",
    )
    rows = recorder.for_conversation("c1")
    assert [(r.intent, r.category, r.outcome) for r in rows] == [
        ("request_id_card", Category.DOCUMENTS, Outcome.CONTAINED),
        ("coverage_question", Category.COVERAGE, Outcome.HANDOFF),
    ]
    assert rows[1].reason == "needs_judgment"
    assert rows[0].at == first_at
    with engine.connect() as conn:
        stored = conn.execute(select(task_outcomes.c.holder_hash)).scalars().all()
    assert stored == [recorder.holder_hash("H0000001")] * 2
    assert all("H0000001" not in h for h in stored)


def test_repeat_contact_within_72_hours_by_the_same_holder(engine, clock):
    recorder = OutcomeRecorder(engine, hash_key="k", clock=clock)
    recorder.record(
        conversation_id="first",
        channel="sms",
        intent="check_balance",
        outcome=Outcome.CONTAINED,
        holder_id="H0000001",
    )
    clock.advance(hours=71)
    assert recorder.is_repeat_contact("H0000001", "second")
    assert not recorder.is_repeat_contact("H0000001", "first")  # the same conversation
    assert not recorder.is_repeat_contact("H0000002", "second")
    clock.advance(hours=2)
    assert not recorder.is_repeat_contact("H0000001", "second")
