"""Policy answers: the summary (line, term, named insureds, risks, key coverages) and choices."""

from __future__ import annotations

from bot.conversation.formatting import day, mask_policy_number
from bot.conversation.use_cases import TaskAnswer, TaskRequest
from bot.documents.formatting import deductible as deductible_words
from bot.money import money
from pas_connector.models import Coverage, Policy, PolicyRef

LINE_WORDS = {"auto": "Auto", "home": "Home", "renters": "Renters"}
_STATUS_WORDS = {
    "active": "active",
    "pending_cancel": "active, pending cancellation",
    "cancelled": "cancelled",
    "expired": "expired",
}
# How many coverages an SMS summary lists; the declarations page has the rest.
KEY_COVERAGES = 5


def line_words(line: str) -> str:
    """``auto`` → ``Auto``."""
    return LINE_WORDS.get(line, line.title())


def coverage_words(coverage: Coverage) -> str:
    """One coverage: ``Collision ($500 deductible)``, ``Bodily Injury 100,000/300,000``."""
    text = coverage.name
    if coverage.limit:
        text += f" {coverage.limit}"
    if coverage.deductible:
        text += f" ({deductible_words(coverage.deductible)} deductible)"
    return text


def key_coverages(policy: Policy) -> list[str]:
    """Policy-level coverages first, then each per-vehicle/property coverage once, by name."""
    seen: set[str] = set()
    ordered = list(policy.policy_level_coverages()) + [
        c for c in policy.coverages if c.vehicle_id is not None or c.property_id is not None
    ]
    picked: list[str] = []
    for coverage in ordered:
        if coverage.name in seen:
            continue
        seen.add(coverage.name)
        picked.append(coverage_words(coverage))
    return picked[:KEY_COVERAGES]


def policy_summary_text(policy: Policy) -> str:
    """A short summary: line, status and term, named insureds, what is insured, key coverages."""
    status = _STATUS_WORDS.get(policy.status, policy.status)
    lines = [
        f"{line_words(policy.line)} policy {mask_policy_number(policy.policy_number)} "
        f"({policy.state}): {status}, {day(policy.effective_date)} to "
        f"{day(policy.expiration_date)}."
    ]
    if policy.status == "cancelled" and policy.cancelled_on is not None:
        lines[0] += f" Cancelled on {day(policy.cancelled_on)}."
    if policy.named_insureds:
        lines.append(f"Named insureds: {', '.join(policy.named_insureds)}.")
    if policy.vehicles:
        lines.append(f"Vehicles: {'; '.join(v.description for v in policy.vehicles)}.")
    if policy.properties:
        lines.append(f"Property: {'; '.join(p.address.one_line() for p in policy.properties)}.")
    coverages = key_coverages(policy)
    if coverages:
        lines.append(f"Key coverages: {'; '.join(coverages)}.")
    lines.append(f"Total premium: {money(policy.total_premium)}.")
    return "\n".join(lines)


def policy_choice_title(ref: PolicyRef) -> str:
    """A button title for one policy of a multi-policy holder (no full number on screen)."""
    return f"{line_words(ref.line)} {mask_policy_number(ref.policy_number)}"


def policy_choice_prompt(task_words: str) -> str:
    """Ask which policy a task is for."""
    return f"You have more than one policy. Which one is this {task_words} for?"


async def cancellation_status(request: TaskRequest) -> TaskAnswer:
    """Whether a policy is in force, set to cancel (and what stops it), or cancelled."""
    fresh = await request.pas.get_policy(request.policy_number)
    policy = fresh.value
    ref = mask_policy_number(policy.policy_number)
    as_of = fresh.fetched_at if fresh.stale else None
    if policy.status == "cancelled":
        on = f" on {day(policy.cancelled_on)}" if policy.cancelled_on else ""
        return TaskAnswer(
            f"Policy {ref} was cancelled{on}. To restart coverage, reply AGENT.", as_of
        )
    if policy.status == "pending_cancel":
        billing = (await request.pas.get_billing(request.policy_number)).value
        stop = (
            f" Paying the past-due {money(billing.past_due)} stops it."
            if billing.past_due > 0
            else " Reply AGENT to talk about it."
        )
        return TaskAnswer(f"Policy {ref} is set to cancel.{stop}", as_of)
    if policy.status == "active":
        return TaskAnswer(
            f"Policy {ref} is active and not set to cancel. "
            f"The current term ends {day(policy.expiration_date)}.",
            as_of,
        )
    return TaskAnswer(f"Policy {ref} is {policy.status.replace('_', ' ')}.", as_of)
