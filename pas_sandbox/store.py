"""``PasStore``: the PAS's behaviour over a ``Book`` — lookups, payments, autopay, claim moves.

HTTP-free so it can be tested and reasoned about on its own; ``app.py`` only translates requests
to these calls and ``ApiError`` subclasses to error responses. Every write that the real PAS
would replicate (a posted payment, a claim milestone) is also appended to the replica.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from typing import Any

from pas_sandbox import billing_plan, claim_stages
from pas_sandbox.book import Book
from pas_sandbox.dates import add_months
from pas_sandbox.errors import BadRequest, Conflict, NotFound, Rejected
from pas_sandbox.records import (
    JSON,
    Autopay,
    Claim,
    ClaimEventRow,
    Holder,
    PaymentRow,
    Policy,
    instant,
    money,
)
from pas_sandbox.replica import Replica

PAYMENT_METHODS = ("card", "us_bank_account")
_IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7e]{1,255}")


def utc_now() -> datetime:
    """The current instant, UTC-aware (the default clock)."""
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class _PostedPayment:
    fingerprint: tuple[str, int, str, str]
    receipt: JSON


class PasStore:
    """The sandbox PAS state and the operations the API exposes on it."""

    def __init__(
        self, book: Book, replica: Replica | None = None, *, clock: Callable[[], datetime] = utc_now
    ) -> None:
        self._clock = clock
        self.replica = replica
        self.replace_book(book)

    def replace_book(self, book: Book) -> None:
        """Start over from ``book`` (used by reset); idempotency keys are forgotten."""
        self.book = book
        self._payments: dict[str, _PostedPayment] = {}
        # Adjusters named when a claim advances follow the seed, so a replayed test sees the same
        # names. Confirmation codes do not: like a real PAS's they must stay unique across
        # restarts and resets, or a second run would repeat the first run's receipts.
        self._rng = random.Random(f"{book.seed}:live")
        self._confirmations = random.SystemRandom()

    # --- reads ------------------------------------------------------------------------------

    def holder(self, holder_id: str) -> Holder:
        """The policyholder with this id, or 404."""
        holder = self.book.holders.get(holder_id)
        if holder is None:
            raise NotFound("no such policyholder")
        return holder

    def policy(self, policy_number: str) -> Policy:
        """The policy with this number, or 404."""
        policy = self.book.policies.get(policy_number)
        if policy is None:
            raise NotFound("no such policy")
        return policy

    def claim(self, claim_number: str) -> Claim:
        """The claim with this number, or 404."""
        claim = self.book.claims.get(claim_number)
        if claim is None:
            raise NotFound("no such claim")
        return claim

    def policies_of(self, holder_id: str) -> list[Policy]:
        """The holder's policies in the order they were issued, or 404 for an unknown holder."""
        return [self.book.policies[n] for n in self.holder(holder_id).policy_numbers]

    def claims_of(self, policy_number: str) -> list[Claim]:
        """The policy's claims, oldest first, or 404 for an unknown policy."""
        return [self.book.claims[n] for n in self.policy(policy_number).claim_numbers]

    # --- payments ---------------------------------------------------------------------------

    def post_payment(
        self, policy_number: str, idempotency_key: str | None, body: Mapping[str, Any]
    ) -> JSON:
        """Post a payment once per idempotency key and return its receipt.

        The same key with the same request returns the first receipt without posting again;
        the same key with a different request is a 409.
        """
        if not idempotency_key:
            raise BadRequest("Idempotency-Key header is required")
        if not _IDEMPOTENCY_KEY.fullmatch(idempotency_key):
            raise BadRequest("Idempotency-Key must be 1-255 printable characters")
        policy = self.policy(policy_number)
        amount = _amount_cents(body.get("amount"))
        method = body.get("method")
        if method not in PAYMENT_METHODS:
            raise BadRequest(f"method must be one of {', '.join(PAYMENT_METHODS)}")
        reference = body.get("reference")
        if not isinstance(reference, str) or not 0 < len(reference) <= 255:
            raise BadRequest("reference must be a non-empty string")
        fingerprint = (policy_number, amount, method, reference)
        earlier = self._payments.get(idempotency_key)
        if earlier is not None:
            if earlier.fingerprint != fingerprint:
                raise Conflict("Idempotency-Key was already used for a different payment")
            return earlier.receipt

        billing = policy.billing
        if amount <= 0:
            raise Rejected("amount must be greater than zero")
        if amount > billing.balance_cents:
            raise Rejected("amount is more than the balance")
        _apply_payment(policy, amount)
        posted_at = self._clock()
        confirmation = billing_plan.confirmation_code(self._confirmations)
        receipt = {
            "confirmation": confirmation,
            "policy_number": policy_number,
            "amount": money(amount),
            "posted_at": instant(posted_at),
            "new_balance": money(billing.balance_cents),
            "method": method,
        }
        self._payments[idempotency_key] = _PostedPayment(fingerprint, receipt)
        row = PaymentRow(policy_number, posted_at, amount, method, "posted", confirmation)
        self.book.payment_rows.append(row)
        if self.replica is not None:
            self.replica.add_payment(row)
        return receipt

    # --- autopay ----------------------------------------------------------------------------

    def set_autopay(self, policy_number: str, body: Mapping[str, Any]) -> JSON:
        """Enrol (or change) autopay; answers the new billing."""
        policy = self.policy(policy_number)
        method = body.get("method")
        if method not in PAYMENT_METHODS:
            raise BadRequest(f"method must be one of {', '.join(PAYMENT_METHODS)}")
        ref = body.get("payment_method_ref")
        if not isinstance(ref, str) or not 0 < len(ref) <= 255:
            raise BadRequest("payment_method_ref must be a non-empty string")
        day = body.get("draft_day")
        if isinstance(day, bool) or not isinstance(day, int) or not 1 <= day <= 28:
            raise BadRequest("draft_day must be a whole number from 1 to 28")
        if policy.status in ("cancelled", "expired"):
            raise Conflict(f"autopay cannot be set on a {policy.status} policy")
        policy.billing.autopay = Autopay(True, method, ref, day)
        return policy.billing.to_json(policy_number)

    def cancel_autopay(self, policy_number: str) -> JSON:
        """Stop autopay (idempotent: cancelling when off answers the same billing)."""
        policy = self.policy(policy_number)
        policy.billing.autopay = Autopay()
        return policy.billing.to_json(policy_number)

    # --- claims -----------------------------------------------------------------------------

    def advance_claim(self, claim_number: str) -> JSON:
        """Move a claim to its next milestone and write the replica event."""
        claim = self.claim(claim_number)
        stage = claim_stages.next_stage(claim.stage)
        if stage is None:
            raise Conflict("the claim is already closed")
        claim_stages.enter_stage(claim, stage, self._rng)
        vehicle = self.book.policies[claim.policy_number].line == "auto"
        row = claim_stages.event_for(claim, stage, self._clock(), vehicle=vehicle)
        self.book.claim_event_rows.append(row)
        if self.replica is not None:
            self.replica.add_claim_event(row)
        return {"claim": claim.to_json(), "event": _event_json(row)}

    def reassign_claim(self, claim_number: str) -> JSON:
        """Give an open claim a different adjuster and write the replica event.

        409 for a closed claim or one without an adjuster yet (it is assigned by advancing).
        """
        claim = self.claim(claim_number)
        if claim.status == "closed":
            raise Conflict("the claim is already closed")
        if claim.adjuster is None:
            raise Conflict("the claim has no adjuster yet; advance it to assign one")
        claim_stages.reassign(claim, self._rng)
        row = claim_stages.reassignment_event(claim, self._clock())
        self.book.claim_event_rows.append(row)
        if self.replica is not None:
            self.replica.add_claim_event(row)
        return {"claim": claim.to_json(), "event": _event_json(row)}


def _event_json(row: ClaimEventRow) -> JSON:
    return {
        "milestone": row.milestone,
        "occurred_at": instant(row.occurred_at),
        "description": row.description,
        "next_action": row.next_action,
    }


def _amount_cents(raw: Any) -> int:
    """A money amount (decimal string, or a JSON number) as whole cents; 400 when malformed."""
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        raise BadRequest('amount must be a decimal string such as "125.00"')
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation as exc:
        raise BadRequest('amount must be a decimal string such as "125.00"') from exc
    if not value.is_finite() or value != value.quantize(Decimal("0.01")):
        raise BadRequest("amount must have at most two decimal places")
    return int(value * 100)


def _apply_payment(policy: Policy, amount: int) -> None:
    billing = policy.billing
    billing.balance_cents -= amount
    billing.past_due_cents -= min(amount, billing.past_due_cents)
    billing.minimum_due_cents = max(0, billing.minimum_due_cents - amount)
    if billing.balance_cents == 0:
        billing.status, billing.minimum_due_cents, billing.due_date = "paid", 0, None
    elif billing.past_due_cents == 0 and billing.status == "past_due":
        # Caught up: the next regular instalment becomes the bill, a month after the missed one.
        billing.status = "current"
        if billing.minimum_due_cents == 0:
            billing.minimum_due_cents = min(billing.instalment_cents, billing.balance_cents)
        if billing.due_date is not None:
            billing.due_date = add_months(billing.due_date, 1)
    if billing.past_due_cents == 0 and policy.status == "pending_cancel":
        policy.status = "active"
