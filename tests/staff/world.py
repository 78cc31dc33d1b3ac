"""A small, realistic contact-centre day: five conversations on four channels, with the outcome
and handoff records the actions would have written, for the fixture personas."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy.engine import Engine

from bot.conversation.handoff import HandoffService
from bot.conversation.outcomes import Outcome, OutcomeRecorder
from tests.staff.tracker_writer import Script, TrackerWriter

# Monday 23 November 2026, 15:00 UTC (09:00 in Chicago)
BASE = datetime(2026, 11, 23, 15, 0, tzinfo=timezone.utc)
HASH_KEY = "test-audit-hash-key"
DOC_TOKEN = "Zk3xQ9rT2mN8vB1cY7wL0a.d.t6a2kq.Sig_abcDEF123"


@dataclass
class MovableClock:
    now: datetime = BASE

    def __call__(self) -> datetime:
        return self.now


@dataclass
class World:
    """What was written, so tests can name conversations and the secrets they contain."""

    personas: dict[str, dict[str, Any]]
    ids: dict[str, str] = field(default_factory=dict)
    tickets: dict[str, str] = field(default_factory=dict)


def persona(personas: list[dict[str, Any]], policy_number: str) -> dict[str, Any]:
    return next(p for p in personas if p["policy_number"] == policy_number)


def us_date(iso: str) -> str:
    year, month, day = iso.split("-")
    return f"{month}/{day}/{year}"


def build_world(writer: TrackerWriter, app_engine: Engine, personas: list[dict[str, Any]]) -> World:
    maria = persona(personas, "AUT-1000001")
    james = persona(personas, "HOM-2000001")
    priya = persona(personas, "REN-3000001")
    world = World(personas={"maria": maria, "james": james, "priya": priya})
    clock = MovableClock()
    outcomes = OutcomeRecorder(app_engine, hash_key=HASH_KEY, clock=clock)
    tickets = iter(["HO-CLAIM234", "HO-COVER567"])
    handoffs = HandoffService(app_engine, clock=clock, ticket_factory=lambda: next(tickets))

    # Script steps count minutes from BASE.
    def at(minutes: float) -> datetime:
        return BASE + timedelta(minutes=minutes)

    # A: SMS, Maria checks her balance after verifying (DOB, policy number, ZIP in the text).
    world.ids["balance_sms"] = "sms-4c1f0a9e3b7d"
    writer.write(
        Script(world.ids["balance_sms"], "sms", at(0))
        .user(0, "hi whats my balance", "check_balance")
        .bot(0.1, "Sure. What's your policy number?")
        .user(1, f"it's {maria['policy_number']}", "inform", policy_number=maria["policy_number"])
        .bot(1.1, "Thanks. What's your date of birth?")
        .user(2, f"my dob is {us_date(maria['date_of_birth'])}", "inform")
        .user(3, f"zip {maria['zip']}", "inform", zip_code=maria["zip"])
        .verified(3.1, holder_id=maria["holder_id"])
        .bot(3.2, "Your balance is $84.00, due Dec 5, 2026. Questions? Call (800) 555-0100.")
        .user(4, "thanks, text me at 512-555-0101 if anything changes", "thank")
    )
    clock.now = at(3.2)
    outcomes.record(
        conversation_id=world.ids["balance_sms"],
        channel="sms",
        intent="check_balance",
        outcome=Outcome.CONTAINED,
        holder_id=maria["holder_id"],
    )

    # B: a phone call reporting an accident: urgent handoff, never verified.
    world.ids["claim_call"] = "CA0f3b9e51c2d84a7b9e0e6f1a2b3c4d5e"
    writer.write(
        Script(world.ids["claim_call"], "voice", BASE)
        .user(60, "I was in an accident this morning", "report_claim")
        .bot(
            60.1,
            "I'm sorry this happened. Call our claims line now: (800) 555-0199.",
            custom={"handoff": {"ticket": "HO-CLAIM234", "queue": "claims", "urgent": True}},
        )
    )
    clock.now = at(60.1)
    world.tickets["claim_call"] = handoffs.open(
        reason="first_notice_of_loss",
        intent="report_claim",
        assurance="anonymous",
        policy_number=None,
        user_messages=["I was in an accident this morning"],
        channel="voice",
        conversation_id=world.ids["claim_call"],
        urgent=True,
    ).ticket
    outcomes.record(
        conversation_id=world.ids["claim_call"],
        channel="voice",
        intent="report_claim",
        outcome=Outcome.HANDOFF,
        reason="first_notice_of_loss",
    )

    # C: web chat, James signed in with MFA, gets his declarations page by link.
    world.ids["declarations_web"] = "web-8d2e61f0c4a94b57"
    writer.write(
        Script(world.ids["declarations_web"], "webchat", BASE)
        .verified(120, level="mfa", holder_id=james["holder_id"])
        .user(120.5, "I need my declarations page", "request_declarations")
        .bot(
            121,
            f"Here is your declarations page: https://policyline.test/d/{DOC_TOKEN}",
            custom={
                "document": {
                    "kind": "declarations",
                    "url": f"https://policyline.test/d/{DOC_TOKEN}",
                }
            },
        )
    )
    clock.now = at(121)
    outcomes.record(
        conversation_id=world.ids["declarations_web"],
        channel="webchat",
        intent="request_declarations",
        outcome=Outcome.CONTAINED,
        holder_id=james["holder_id"],
    )

    # D: SMS, Priya (verified) asks a coverage question, quoting her policy number and a card.
    world.ids["coverage_sms"] = "sms-9a8b7c6d5e4f"
    coverage_text = (
        f"does {priya['policy_number']} cover flood damage? I can pay with 4242 4242 4242 4242"
    )
    writer.write(
        Script(world.ids["coverage_sms"], "sms", BASE)
        .verified(180, holder_id=priya["holder_id"])
        .user(180.5, coverage_text, "coverage_question")
        .bot(
            181,
            "Coverage questions need one of our licensed agents. Your reference is HO-COVER567.",
            custom={"handoff": {"ticket": "HO-COVER567", "queue": "coverage", "urgent": False}},
        )
    )
    clock.now = at(181)
    world.tickets["coverage_sms"] = handoffs.open(
        reason="coverage_question",
        intent="coverage_question",
        assurance="verified",
        policy_number=priya["policy_number"],
        user_messages=[coverage_text],
        channel="sms",
        conversation_id=world.ids["coverage_sms"],
    ).ticket
    outcomes.record(
        conversation_id=world.ids["coverage_sms"],
        channel="sms",
        intent="coverage_question",
        outcome=Outcome.HANDOFF,
        holder_id=priya["holder_id"],
        reason="coverage_question",
    )

    # E: a test on the REST channel, out of scope, no task.
    world.ids["weather_rest"] = "rest-tester-1"
    writer.write(
        Script(world.ids["weather_rest"], "rest", BASE).user(
            240, "what's the weather like", "out_of_scope"
        )
    )
    # F: a tracker with no messages at all (a widget opened and closed): not a conversation.
    world.ids["empty"] = "web-empty-0001"
    writer.write(Script(world.ids["empty"], "webchat", at(300)))
    return world
