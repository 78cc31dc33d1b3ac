"""Claim milestones: their order, what each one tells the policyholder, and moving a claim on.

Every claim walks the same stages; each step writes one ``replica_claim_events`` row whose
``next_action`` says what happens next (the timeline the API cannot give).
"""

from __future__ import annotations

import random
from datetime import date, datetime

from pas_sandbox.dates import at, days
from pas_sandbox.records import Adjuster, Claim, ClaimEventRow
from pas_sandbox.reference_data import ADJUSTERS

STAGES = ("reported", "assigned", "inspection", "estimate", "repair", "payment_issued", "closed")

_NEXT_ACTION = {
    "reported": "An adjuster will be assigned within one business day.",
    "assigned": "Your adjuster will call you to arrange an inspection.",
    "inspection": "Your adjuster is inspecting the damage; an estimate follows within five "
    "business days.",
    "estimate": "Review the estimate and choose a {repairer}; your adjuster will authorise "
    "the repair.",
    "repair": "Repairs are under way; send the final invoice to your adjuster when they are done.",
    "payment_issued": "Payment has been issued; the claim closes once the payment clears.",
    "closed": None,
}


def dollars_text(cents: int) -> str:
    """Money as people read it in a timeline (``324018`` → ``$3,240.18``)."""
    return f"${cents // 100:,}.{cents % 100:02d}"


def next_stage(stage: str) -> str | None:
    """The stage after ``stage``, or ``None`` when the claim is closed."""
    index = STAGES.index(stage)
    return STAGES[index + 1] if index + 1 < len(STAGES) else None


def pick_adjuster(rng: random.Random) -> Adjuster:
    """An adjuster from the fixed pool, drawn from ``rng``."""
    name, phone, email = rng.choice(ADJUSTERS)
    return Adjuster(name, phone, email)


def adjuster_named(name: str) -> Adjuster:
    """The adjuster with this name from the fixed pool (for the personas)."""
    for row in ADJUSTERS:
        if row[0] == name:
            return Adjuster(*row)
    raise KeyError(name)


def enter_stage(claim: Claim, stage: str, rng: random.Random) -> None:
    """Apply the record changes of reaching ``stage`` (adjuster, payment, closing)."""
    claim.stage = stage
    if stage != "reported" and claim.adjuster is None:
        claim.adjuster = pick_adjuster(rng)
    if stage == "payment_issued":
        claim.paid_cents = max(0, claim.estimate_cents - (claim.deductible_cents or 0))
    if stage == "closed":
        claim.status = "closed"


def event_for(claim: Claim, stage: str, occurred_at: datetime, *, vehicle: bool) -> ClaimEventRow:
    """The replica event written when ``claim`` reaches ``stage``."""
    description = {
        "reported": f"{claim.loss_type} claim reported.",
        "assigned": f"Assigned to adjuster {claim.adjuster.name if claim.adjuster else 'pending'}.",
        "inspection": "Inspection of the damage scheduled with the adjuster.",
        "estimate": f"Estimate written for {dollars_text(claim.estimate_cents)}.",
        "repair": "Repair authorised.",
        "payment_issued": f"Payment of {dollars_text(claim.paid_cents)} issued.",
        "closed": "Claim closed." if claim.paid_cents else "Claim closed without payment.",
    }[stage]
    next_action = _NEXT_ACTION[stage]
    if next_action is not None:
        next_action = next_action.format(repairer="repair shop" if vehicle else "contractor")
    return ClaimEventRow(claim.claim_number, occurred_at, stage, description, next_action)


REASSIGNED = "adjuster_changed"
_REASSIGNED_NEXT_ACTION = "Your new adjuster will call you within one business day."


def reassign(claim: Claim, rng: random.Random) -> Adjuster:
    """Hand an open, assigned claim to a different adjuster from the pool (stage unchanged)."""
    current = claim.adjuster.name if claim.adjuster else None
    others = [row for row in ADJUSTERS if row[0] != current]
    claim.adjuster = Adjuster(*rng.choice(others))
    return claim.adjuster


def reassignment_event(claim: Claim, occurred_at: datetime) -> ClaimEventRow:
    """The replica event written when a claim changes adjuster: a change, not a new stage."""
    name = claim.adjuster.name if claim.adjuster else "pending"
    return ClaimEventRow(
        claim.claim_number,
        occurred_at,
        REASSIGNED,
        f"Reassigned to adjuster {name}.",
        _REASSIGNED_NEXT_ACTION,
    )


def history(claim: Claim, rng: random.Random, as_of: date, *, vehicle: bool) -> list[ClaimEventRow]:
    """Events from ``reported`` up to the claim's current stage, spread up to ``as_of``.

    The claim is walked forward from ``reported`` so that each event sees the record as it was
    at that milestone (adjuster named when assigned, payment amount when issued).
    """
    stages = STAGES[: STAGES.index(claim.stage) + 1]
    span = max(0, (as_of - claim.reported_date).days)
    # (day offset, hour, minute) per milestone, sorted so the timeline only moves forward.
    moments = sorted(
        (0 if i == 0 else rng.randint(0, span), rng.randrange(8, 18), rng.randrange(60))
        for i in range(len(stages))
    )
    claim.stage, claim.status, claim.paid_cents = "reported", "open", 0
    rows = []
    for stage, (offset, hour, minute) in zip(stages, moments, strict=True):
        enter_stage(claim, stage, rng)
        moment = at(claim.reported_date + days(offset), hour, minute)
        rows.append(event_for(claim, stage, moment, vehicle=vehicle))
    return rows
