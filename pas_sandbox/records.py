"""The sandbox's in-memory PAS records and their JSON shapes (``docs/pas-api.md``, Payloads).

Money is held as whole cents (``int``) and rendered as a two-place decimal string; dates are
``datetime.date`` and render as ISO strings. Records are slotted dataclasses because a 41,000
holder book keeps a few hundred thousand of them in memory. Policy details are fixed after
seeding; ``Billing`` and ``Claim`` change as payments post and claims advance.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any

from pas_sandbox.reference_data import CLAIMS_PHONE, INSURER_NAIC_CODE, INSURER_NAME

JSON = dict[str, Any]


def money(cents: int) -> str:
    """Whole cents as the PAS's decimal string with two places (``41250`` → ``"412.50"``)."""
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{sign}{whole}.{part:02d}"


def grouped(dollars: int) -> str:
    """Whole dollars with thousands separators, as limits are printed (``300000`` → ``300,000``)."""
    return f"{dollars:,}"


def instant(moment: datetime) -> str:
    """An aware datetime as ISO 8601 UTC with a ``Z`` and whole seconds."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


@dataclass(slots=True)
class Address:
    street: str
    city: str
    state: str
    zip: str

    def to_json(self) -> JSON:
        return {"street": self.street, "city": self.city, "state": self.state, "zip": self.zip}

    def one_line(self) -> str:
        return f"{self.street}, {self.city}, {self.state} {self.zip}"


@dataclass(slots=True)
class Holder:
    holder_id: str
    first_name: str
    last_name: str
    date_of_birth: date
    phone: str
    email: str
    address: Address
    policy_numbers: list[str] = field(default_factory=list)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def to_json(self) -> JSON:
        return {
            "holder_id": self.holder_id,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "date_of_birth": self.date_of_birth.isoformat(),
            "phone": self.phone,
            "email": self.email,
            "address": self.address.to_json(),
        }


@dataclass(slots=True)
class Driver:
    name: str
    date_of_birth: date
    license_state: str
    relationship: str  # "named_insured", "spouse", "child" or "other"

    def to_json(self) -> JSON:
        return {
            "name": self.name,
            "date_of_birth": self.date_of_birth.isoformat(),
            "license_state": self.license_state,
            "relationship": self.relationship,
        }


@dataclass(slots=True)
class Lienholder:
    name: str
    address: str

    def to_json(self) -> JSON:
        return {"name": self.name, "address": self.address}


@dataclass(slots=True)
class Vehicle:
    vehicle_id: str
    year: int
    make: str
    model: str
    vin: str
    lienholder: Lienholder | None

    def to_json(self) -> JSON:
        return {
            "vehicle_id": self.vehicle_id,
            "year": self.year,
            "make": self.make,
            "model": self.model,
            "vin": self.vin,
            "lienholder": None if self.lienholder is None else self.lienholder.to_json(),
        }


@dataclass(slots=True)
class Mortgagee:
    name: str
    address: str
    loan_number: str

    def to_json(self) -> JSON:
        return {"name": self.name, "address": self.address, "loan_number": self.loan_number}


@dataclass(slots=True)
class Property:
    property_id: str
    address: Address
    year_built: int
    construction: str
    mortgagee: Mortgagee | None

    def to_json(self) -> JSON:
        return {
            "property_id": self.property_id,
            "address": self.address.to_json(),
            "year_built": self.year_built,
            "construction": self.construction,
            "mortgagee": None if self.mortgagee is None else self.mortgagee.to_json(),
        }


@dataclass(slots=True)
class Coverage:
    code: str
    name: str
    limit: str | None
    deductible: str | None  # whole dollars ("500") or a percentage of Coverage A ("2%")
    premium_cents: int
    vehicle_id: str | None = None
    property_id: str | None = None

    def to_json(self) -> JSON:
        return {
            "code": self.code,
            "name": self.name,
            "limit": self.limit,
            "deductible": self.deductible,
            "premium": money(self.premium_cents),
            "vehicle_id": self.vehicle_id,
            "property_id": self.property_id,
        }


@dataclass(slots=True)
class Discount:
    name: str
    amount_cents: int  # negative: a discount lowers the premium

    def to_json(self) -> JSON:
        return {"name": self.name, "amount": money(self.amount_cents)}


@dataclass(slots=True)
class Endorsement:
    form: str
    name: str

    def to_json(self) -> JSON:
        return {"form": self.form, "name": self.name}


@dataclass(slots=True)
class Producer:
    name: str
    address: str
    phone: str

    def to_json(self) -> JSON:
        return {"name": self.name, "address": self.address, "phone": self.phone}


@dataclass(slots=True)
class Autopay:
    enabled: bool = False
    method: str | None = None  # "card" or "us_bank_account"
    payment_method_ref: str | None = None
    draft_day: int | None = None

    def to_json(self) -> JSON:
        return {
            "enabled": self.enabled,
            "method": self.method,
            "payment_method_ref": self.payment_method_ref,
            "draft_day": self.draft_day,
        }


@dataclass(slots=True)
class Billing:
    balance_cents: int
    minimum_due_cents: int
    due_date: date | None
    past_due_cents: int
    status: str  # "current", "past_due", "paid" or "cancelled"
    autopay: Autopay
    instalment_cents: int  # the regular instalment; what becomes due after a bill is paid

    def to_json(self, policy_number: str) -> JSON:
        return {
            "policy_number": policy_number,
            "balance": money(self.balance_cents),
            "minimum_due": money(self.minimum_due_cents),
            "due_date": _iso(self.due_date),
            "past_due": money(self.past_due_cents),
            "status": self.status,
            "autopay": self.autopay.to_json(),
        }


@dataclass(slots=True)
class Policy:
    policy_number: str
    holder_id: str
    line: str  # "auto", "home" or "renters"
    status: str  # "active", "cancelled", "expired" or "pending_cancel"
    state: str
    effective_date: date
    expiration_date: date
    cancelled_on: date | None
    cancellation_reason: str | None
    producer: Producer
    named_insureds: list[str]
    mailing_address: Address
    drivers: list[Driver]
    vehicles: list[Vehicle]
    properties: list[Property]
    coverages: list[Coverage]
    discounts: list[Discount]
    endorsements: list[Endorsement]
    forms: list[str]
    billing: Billing
    claim_numbers: list[str] = field(default_factory=list)

    @property
    def total_premium_cents(self) -> int:
        return sum(c.premium_cents for c in self.coverages) + sum(
            d.amount_cents for d in self.discounts
        )

    def ref_json(self) -> JSON:
        return {"policy_number": self.policy_number, "line": self.line, "status": self.status}

    def to_json(self) -> JSON:
        return {
            "policy_number": self.policy_number,
            "holder_id": self.holder_id,
            "line": self.line,
            "status": self.status,
            "state": self.state,
            "effective_date": self.effective_date.isoformat(),
            "expiration_date": self.expiration_date.isoformat(),
            "cancelled_on": _iso(self.cancelled_on),
            "cancellation_reason": self.cancellation_reason,
            "insurer": {"name": INSURER_NAME, "naic_code": INSURER_NAIC_CODE},
            "producer": self.producer.to_json(),
            "named_insureds": list(self.named_insureds),
            "mailing_address": self.mailing_address.to_json(),
            "drivers": [d.to_json() for d in self.drivers],
            "vehicles": [v.to_json() for v in self.vehicles],
            "properties": [p.to_json() for p in self.properties],
            "coverages": [c.to_json() for c in self.coverages],
            "discounts": [d.to_json() for d in self.discounts],
            "endorsements": [e.to_json() for e in self.endorsements],
            "forms": list(self.forms),
            "total_premium": money(self.total_premium_cents),
            "claims_phone": CLAIMS_PHONE,
        }


@dataclass(slots=True)
class Adjuster:
    name: str
    phone: str
    email: str

    def to_json(self) -> JSON:
        return {"name": self.name, "phone": self.phone, "email": self.email}


@dataclass(slots=True)
class Claim:
    claim_number: str
    policy_number: str
    status: str  # "open" or "closed"
    stage: str  # one of claim_stages.STAGES
    loss_date: date
    reported_date: date
    loss_type: str
    description: str
    vehicle_id: str | None
    adjuster: Adjuster | None
    paid_cents: int
    deductible_cents: int | None
    # Not in the payload: the damage estimate, which sets the payment when the claim reaches
    # payment_issued; zero means the claim closes without payment.
    estimate_cents: int

    def to_json(self) -> JSON:
        return {
            "claim_number": self.claim_number,
            "policy_number": self.policy_number,
            "status": self.status,
            "stage": self.stage,
            "loss_date": self.loss_date.isoformat(),
            "reported_date": self.reported_date.isoformat(),
            "loss_type": self.loss_type,
            "description": self.description,
            "vehicle_id": self.vehicle_id,
            "adjuster": None if self.adjuster is None else self.adjuster.to_json(),
            "paid_amount": money(self.paid_cents),
            "deductible": None if self.deductible_cents is None else money(self.deductible_cents),
        }


@dataclass(slots=True, frozen=True)
class PaymentRow:
    """One row of ``replica_payments``."""

    policy_number: str
    posted_at: datetime
    amount_cents: int
    method: str
    status: str  # "posted" or "returned"
    reference: str

    def to_row(self) -> JSON:
        return {
            "policy_number": self.policy_number,
            "posted_at": self.posted_at,
            "amount_cents": self.amount_cents,
            "method": self.method,
            "status": self.status,
            "reference": self.reference,
        }


@dataclass(slots=True, frozen=True)
class ClaimEventRow:
    """One row of ``replica_claim_events``."""

    claim_number: str
    occurred_at: datetime
    milestone: str
    description: str
    next_action: str | None

    def to_row(self) -> JSON:
        return {
            "claim_number": self.claim_number,
            "occurred_at": self.occurred_at,
            "milestone": self.milestone,
            "description": self.description,
            "next_action": self.next_action,
        }
