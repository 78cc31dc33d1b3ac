"""Which documents a policy may have today.

An ID card or a certificate asserts that coverage is in force, so both are refused for a
cancelled or expired policy; an ID card exists only for auto. A declarations page is a record of
the policy's terms and is available in any status (it carries a banner when not in force).
"""

from __future__ import annotations

from datetime import date

from bot.documents.errors import DocumentUnavailable, PolicyNotInForce, WrongLineOfBusiness
from pas_connector.models import Policy


def ensure_in_force(policy: Policy, today: date) -> None:
    """Raise ``PolicyNotInForce`` unless the policy is active on ``today`` or starts later."""
    if not policy.is_active:
        raise PolicyNotInForce(f"the policy is {policy.status}")
    if policy.cancelled_on is not None and policy.cancelled_on <= today:
        raise PolicyNotInForce("the policy was cancelled")
    if policy.expiration_date <= today:
        raise PolicyNotInForce("the policy term has ended")


def ensure_id_card_allowed(policy: Policy, today: date) -> None:
    """Refuse an ID card that would misstate coverage: not auto, not in force, or no vehicle."""
    if policy.line != "auto":
        raise WrongLineOfBusiness(f"ID cards exist only for auto policies, not {policy.line}")
    ensure_in_force(policy, today)
    if not policy.vehicles:
        raise DocumentUnavailable("the policy lists no vehicles")


def ensure_certificate_allowed(policy: Policy, today: date) -> None:
    """A certificate evidences coverage in force, so the policy must be in force."""
    ensure_in_force(policy, today)
