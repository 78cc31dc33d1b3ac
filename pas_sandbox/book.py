"""``Book``: everything the sandbox PAS knows — holders, policies, claims and replica rows.

The generator fills a book; the store serves and changes it. ``canonical_json`` renders the
whole book (API payloads and replica rows) in one stable order, which is what the determinism
test compares byte for byte.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date

from pas_sandbox.records import (
    Claim,
    ClaimEventRow,
    Holder,
    PaymentRow,
    Policy,
    instant,
)


@dataclass
class Book:
    seed: int
    as_of: date
    holders: dict[str, Holder] = field(default_factory=dict)
    policies: dict[str, Policy] = field(default_factory=dict)
    claims: dict[str, Claim] = field(default_factory=dict)
    payment_rows: list[PaymentRow] = field(default_factory=list)
    claim_event_rows: list[ClaimEventRow] = field(default_factory=list)

    def add_holder(self, holder: Holder) -> None:
        """Add a policyholder (before any of their policies)."""
        self.holders[holder.holder_id] = holder

    def add_policy(self, policy: Policy) -> None:
        """Add a policy and list it under its holder."""
        self.policies[policy.policy_number] = policy
        self.holders[policy.holder_id].policy_numbers.append(policy.policy_number)

    def add_claim(self, claim: Claim) -> None:
        """Add a claim and list it under its policy."""
        self.claims[claim.claim_number] = claim
        self.policies[claim.policy_number].claim_numbers.append(claim.claim_number)

    def phone_index_rows(self) -> list[dict[str, str]]:
        """One ``replica_phone_index`` row per (holder phone, policy)."""
        return [
            {"phone_e164": h.phone, "holder_id": h.holder_id, "policy_number": number}
            for h in self.holders.values()
            for number in h.policy_numbers
        ]

    def canonical_json(self) -> bytes:
        """The whole book as sorted, compact JSON bytes (stable for a given seed and as-of)."""
        document = {
            "seed": self.seed,
            "as_of": self.as_of.isoformat(),
            "holders": [h.to_json() for h in self.holders.values()],
            "policies": [p.to_json() for p in self.policies.values()],
            "billing": [p.billing.to_json(p.policy_number) for p in self.policies.values()],
            "claims": [c.to_json() for c in self.claims.values()],
            "replica_payments": [
                {**r.to_row(), "posted_at": instant(r.posted_at)} for r in self.payment_rows
            ],
            "replica_claim_events": [
                {**r.to_row(), "occurred_at": instant(r.occurred_at)} for r in self.claim_event_rows
            ],
            "replica_phone_index": self.phone_index_rows(),
        }
        return json.dumps(
            document, sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode()
