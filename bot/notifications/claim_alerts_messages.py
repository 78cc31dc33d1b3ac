"""The words of claim alerts and of the STATUS / ADJUSTER replies.

Alerts carry no personal data beyond the last four digits of the claim number: a text can be read
on a lock screen and an e-mail forwarded. SMS use only GSM-7 characters ("..." rather than "…",
which would turn the whole message into UCS-2 and cut a segment from 160 to 70 characters).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.phone_numbers import display_phone

# What each timeline milestone means to a policyholder, as "Your claim ... is now: <label>".
MILESTONE_LABELS: dict[str, str] = {
    "reported": "Reported",
    "assigned": "Adjuster assigned",
    "inspection": "Inspection scheduled",
    "estimate": "Estimate ready",
    "repair": "Repair authorized",
    "payment_issued": "Payment issued",
    "closed": "Closed",
    "adjuster_changed": "New adjuster assigned",
}
# The current stage of a claim (claim detail), for STATUS replies.
STAGE_LABELS: dict[str, str] = {**MILESTONE_LABELS, "assigned": "With your adjuster"}


def milestone_label(milestone: str) -> str:
    """The plain-language label of a milestone (unknown ones: their name in words)."""
    return MILESTONE_LABELS.get(milestone, milestone.replace("_", " ").capitalize())


def stage_label(stage: str) -> str:
    """The plain-language label of a claim's current stage."""
    return STAGE_LABELS.get(stage, stage.replace("_", " ").capitalize())


def claim_tail(claim_number: str, digits: int = 4) -> str:
    """``CLM-50004521`` → ``...4521``: enough to tell claims apart, not enough to quote one."""
    numerals = "".join(ch for ch in claim_number if ch.isdigit())
    return "..." + (numerals[-digits:] if numerals else "")


@dataclass(frozen=True)
class AlertTexts:
    """Fills in the carrier's name and phone numbers."""

    carrier_name: str
    claims_phone: str

    def sms(self, claim_number: str, milestone: str) -> str:
        """The alert text: one SMS segment."""
        return (
            f"{self.carrier_name}: Your claim {claim_tail(claim_number)} is now: "
            f"{milestone_label(milestone)}. Reply STATUS for details, ADJUSTER for your "
            "adjuster, STOP to end."
        )

    def email(self, claim_number: str, milestone: str, next_action: str | None) -> tuple[str, str]:
        """The alert e-mail as (subject, plain-text body)."""
        tail = claim_tail(claim_number)
        label = milestone_label(milestone)
        phone = display_phone(self.claims_phone)
        lines = [
            "Hello,",
            "",
            f"Your claim {tail} is now: {label}.",
        ]
        if next_action:
            lines += ["", f"What happens next: {next_action}"]
        lines += [
            "",
            f"Questions? Call our claims team at {phone}.",
            "",
            f"{self.carrier_name}",
            "",
            "You get this e-mail because you asked for claim updates. To stop them, call us at "
            f"{phone} and ask to unsubscribe from claim e-mails.",
        ]
        return f"Claim {tail} update: {label}", "\n".join(lines)

    def status_line(self, claim_number: str, stage: str, next_action: str | None) -> str:
        """One claim in a STATUS reply."""
        text = f"Claim {claim_tail(claim_number)}: {stage_label(stage)}."
        return f"{text} Next: {next_action}" if next_action else text

    def adjuster_line(self, claim_number: str, name: str | None, phone: str | None) -> str:
        """One claim in an ADJUSTER reply."""
        tail = claim_tail(claim_number)
        if name and phone:
            return f"Claim {tail}: your adjuster is {name}, {display_phone(phone)}."
        return (
            f"Claim {tail}: no adjuster is assigned yet. Claims team: "
            f"{display_phone(self.claims_phone)}."
        )

    def lookup_failed(self) -> str:
        """The reply when the PAS cannot be reached."""
        return (
            f"{self.carrier_name}: we can't look up your claim right now. Please try again "
            f"later or call {display_phone(self.claims_phone)}."
        )
