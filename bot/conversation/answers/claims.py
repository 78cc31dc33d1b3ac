"""Claim answers: stage in plain words, adjuster contact, recent milestones and the next step."""

from __future__ import annotations

from bot.conversation.formatting import day
from bot.money import money
from bot.phone_numbers import display_phone
from pas_connector.models import Claim, ClaimTimeline

STAGE_WORDS = {
    "reported": "reported: we have your claim and are assigning an adjuster",
    "assigned": "assigned: an adjuster is reviewing your claim",
    "inspection": "inspection: the damage is being inspected",
    "estimate": "estimate: the repair estimate is being prepared",
    "repair": "repair: repairs are under way",
    "payment_issued": "payment issued: we have sent payment",
    "closed": "closed",
}
# Milestones shown in an SMS; the adjuster has the full file.
RECENT_MILESTONES = 3


def stage_words(stage: str) -> str:
    """The claim stage as a plain phrase."""
    return STAGE_WORDS.get(stage, stage.replace("_", " "))


def claim_status_text(claim: Claim, timeline: ClaimTimeline | None) -> str:
    """Status, adjuster (name, phone, e-mail), the last milestones and what happens next."""
    lines = [
        f"Claim {claim.claim_number} ({claim.loss_type}, loss on {day(claim.loss_date)}) is "
        f"{'closed' if not claim.is_open else 'open'}, stage {stage_words(claim.stage)}."
    ]
    if claim.paid_amount > 0:
        lines.append(f"Paid so far: {money(claim.paid_amount)}.")
    if claim.adjuster is not None:
        adjuster = claim.adjuster
        lines.append(
            f"Your adjuster is {adjuster.name}: {display_phone(adjuster.phone)}, {adjuster.email}."
        )
    elif claim.is_open:
        lines.append("An adjuster has not been assigned yet.")
    if timeline is not None and timeline.events:
        recent = timeline.events[-RECENT_MILESTONES:]
        lines.append("Recent updates:")
        lines.extend(
            f"- {day(event.occurred_at.date())}: {event.description or event.milestone}"
            for event in recent
        )
        if claim.is_open and timeline.next_action:
            lines.append(f"Next: {timeline.next_action}")
    return "\n".join(lines)


def claim_choice_title(claim: Claim) -> str:
    """A button title for one claim: number, loss type and date."""
    return f"{claim.claim_number} {claim.loss_type} {claim.loss_date:%b} {claim.loss_date.day}"


def claim_choice_prompt() -> str:
    """Ask which claim the user means."""
    return "You have more than one claim. Which one would you like the status of?"


def no_claims_text() -> str:
    """There is nothing to report on."""
    return "I don't see any claims on your policies. To report a new claim, reply 'report a claim'."
