"""Typed results of PAS calls.

The PAS speaks JSON (see ``docs/pas-api.md``); everything above the connector sees only these
frozen value objects. Money is ``Decimal``, dates are ``datetime.date``. ``from_json`` parses one
payload and raises ``PasProtocolError`` (via the client) when a field is missing or malformed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any, Generic, Literal, TypeVar

Line = Literal["auto", "home", "renters"]


def _money(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def _opt_money(value: Any) -> Decimal | None:
    return None if value is None else _money(value)


def _date(value: Any) -> date:
    return date.fromisoformat(str(value))


def _opt_date(value: Any) -> date | None:
    return None if value in (None, "") else _date(value)


def _instant(value: Any) -> datetime:
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


@dataclass(frozen=True)
class Address:
    street: str
    city: str
    state: str
    zip: str

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Address:
        return cls(street=d["street"], city=d["city"], state=d["state"], zip=d["zip"])

    def one_line(self) -> str:
        return f"{self.street}, {self.city}, {self.state} {self.zip}"


@dataclass(frozen=True)
class Policyholder:
    holder_id: str
    first_name: str
    last_name: str
    date_of_birth: date
    phone: str
    email: str
    address: Address

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Policyholder:
        return cls(
            holder_id=d["holder_id"],
            first_name=d["first_name"],
            last_name=d["last_name"],
            date_of_birth=_date(d["date_of_birth"]),
            phone=d["phone"],
            email=d["email"],
            address=Address.from_json(d["address"]),
        )


@dataclass(frozen=True)
class PolicyRef:
    policy_number: str
    line: Line
    status: str

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> PolicyRef:
        return cls(policy_number=d["policy_number"], line=d["line"], status=d["status"])


@dataclass(frozen=True)
class Insurer:
    name: str
    naic_code: str

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Insurer:
        return cls(name=d["name"], naic_code=str(d["naic_code"]))


@dataclass(frozen=True)
class Producer:
    name: str
    address: str
    phone: str

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Producer:
        return cls(name=d["name"], address=d["address"], phone=d["phone"])


@dataclass(frozen=True)
class Driver:
    name: str
    date_of_birth: date
    license_state: str
    relationship: str

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Driver:
        return cls(
            name=d["name"],
            date_of_birth=_date(d["date_of_birth"]),
            license_state=d["license_state"],
            relationship=d["relationship"],
        )


@dataclass(frozen=True)
class Lienholder:
    name: str
    address: str

    @classmethod
    def from_json(cls, d: dict[str, Any] | None) -> Lienholder | None:
        return None if d is None else cls(name=d["name"], address=d["address"])


@dataclass(frozen=True)
class Vehicle:
    vehicle_id: str
    year: int
    make: str
    model: str
    vin: str
    lienholder: Lienholder | None

    @property
    def description(self) -> str:
        return f"{self.year} {self.make} {self.model}"

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Vehicle:
        return cls(
            vehicle_id=d["vehicle_id"],
            year=int(d["year"]),
            make=d["make"],
            model=d["model"],
            vin=d["vin"],
            lienholder=Lienholder.from_json(d.get("lienholder")),
        )


@dataclass(frozen=True)
class Mortgagee:
    name: str
    address: str
    loan_number: str

    @classmethod
    def from_json(cls, d: dict[str, Any] | None) -> Mortgagee | None:
        if d is None:
            return None
        return cls(name=d["name"], address=d["address"], loan_number=d["loan_number"])


@dataclass(frozen=True)
class Property:
    property_id: str
    address: Address
    year_built: int
    construction: str
    mortgagee: Mortgagee | None

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Property:
        return cls(
            property_id=d["property_id"],
            address=Address.from_json(d["address"]),
            year_built=int(d["year_built"]),
            construction=d["construction"],
            mortgagee=Mortgagee.from_json(d.get("mortgagee")),
        )


@dataclass(frozen=True)
class Coverage:
    code: str
    name: str
    limit: str | None
    deductible: str | None
    premium: Decimal
    vehicle_id: str | None = None
    property_id: str | None = None

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Coverage:
        return cls(
            code=d["code"],
            name=d["name"],
            limit=d.get("limit"),
            deductible=d.get("deductible"),
            premium=_money(d["premium"]),
            vehicle_id=d.get("vehicle_id"),
            property_id=d.get("property_id"),
        )


@dataclass(frozen=True)
class Discount:
    name: str
    amount: Decimal

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Discount:
        return cls(name=d["name"], amount=_money(d["amount"]))


@dataclass(frozen=True)
class Endorsement:
    form: str
    name: str

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Endorsement:
        return cls(form=d["form"], name=d["name"])


@dataclass(frozen=True)
class Policy:
    """The PAS policy summary: terms, parties, risks and coverages."""

    policy_number: str
    holder_id: str
    line: Line
    status: str
    state: str
    effective_date: date
    expiration_date: date
    cancelled_on: date | None
    insurer: Insurer
    producer: Producer
    named_insureds: tuple[str, ...]
    mailing_address: Address
    drivers: tuple[Driver, ...]
    vehicles: tuple[Vehicle, ...]
    properties: tuple[Property, ...]
    coverages: tuple[Coverage, ...]
    discounts: tuple[Discount, ...]
    endorsements: tuple[Endorsement, ...]
    forms: tuple[str, ...]
    total_premium: Decimal
    claims_phone: str

    @property
    def is_active(self) -> bool:
        return self.status in ("active", "pending_cancel")

    def coverages_for_vehicle(self, vehicle_id: str) -> tuple[Coverage, ...]:
        return tuple(c for c in self.coverages if c.vehicle_id == vehicle_id)

    def policy_level_coverages(self) -> tuple[Coverage, ...]:
        return tuple(c for c in self.coverages if c.vehicle_id is None and c.property_id is None)

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Policy:
        return cls(
            policy_number=d["policy_number"],
            holder_id=d["holder_id"],
            line=d["line"],
            status=d["status"],
            state=d["state"],
            effective_date=_date(d["effective_date"]),
            expiration_date=_date(d["expiration_date"]),
            cancelled_on=_opt_date(d.get("cancelled_on")),
            insurer=Insurer.from_json(d["insurer"]),
            producer=Producer.from_json(d["producer"]),
            named_insureds=tuple(d["named_insureds"]),
            mailing_address=Address.from_json(d["mailing_address"]),
            drivers=tuple(Driver.from_json(x) for x in d.get("drivers") or ()),
            vehicles=tuple(Vehicle.from_json(x) for x in d.get("vehicles") or ()),
            properties=tuple(Property.from_json(x) for x in d.get("properties") or ()),
            coverages=tuple(Coverage.from_json(x) for x in d["coverages"]),
            discounts=tuple(Discount.from_json(x) for x in d.get("discounts") or ()),
            endorsements=tuple(Endorsement.from_json(x) for x in d.get("endorsements") or ()),
            forms=tuple(d.get("forms") or ()),
            total_premium=_money(d["total_premium"]),
            claims_phone=d["claims_phone"],
        )


@dataclass(frozen=True)
class Autopay:
    enabled: bool
    method: str | None
    payment_method_ref: str | None
    draft_day: int | None

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Autopay:
        return cls(
            enabled=bool(d["enabled"]),
            method=d.get("method"),
            payment_method_ref=d.get("payment_method_ref"),
            draft_day=d.get("draft_day"),
        )


@dataclass(frozen=True)
class Billing:
    policy_number: str
    balance: Decimal
    minimum_due: Decimal
    due_date: date | None
    past_due: Decimal
    status: str
    autopay: Autopay

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Billing:
        return cls(
            policy_number=d["policy_number"],
            balance=_money(d["balance"]),
            minimum_due=_money(d["minimum_due"]),
            due_date=_opt_date(d.get("due_date")),
            past_due=_money(d["past_due"]),
            status=d["status"],
            autopay=Autopay.from_json(d["autopay"]),
        )


@dataclass(frozen=True)
class PaymentReceipt:
    confirmation: str
    policy_number: str
    amount: Decimal
    posted_at: datetime
    new_balance: Decimal
    method: str

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> PaymentReceipt:
        return cls(
            confirmation=d["confirmation"],
            policy_number=d["policy_number"],
            amount=_money(d["amount"]),
            posted_at=_instant(d["posted_at"]),
            new_balance=_money(d["new_balance"]),
            method=d["method"],
        )


@dataclass(frozen=True)
class Adjuster:
    name: str
    phone: str
    email: str

    @classmethod
    def from_json(cls, d: dict[str, Any] | None) -> Adjuster | None:
        return None if d is None else cls(name=d["name"], phone=d["phone"], email=d["email"])


@dataclass(frozen=True)
class Claim:
    claim_number: str
    policy_number: str
    status: str
    stage: str
    loss_date: date
    reported_date: date
    loss_type: str
    description: str
    vehicle_id: str | None
    adjuster: Adjuster | None
    paid_amount: Decimal
    deductible: Decimal | None

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Claim:
        return cls(
            claim_number=d["claim_number"],
            policy_number=d["policy_number"],
            status=d["status"],
            stage=d["stage"],
            loss_date=_date(d["loss_date"]),
            reported_date=_date(d["reported_date"]),
            loss_type=d["loss_type"],
            description=d["description"],
            vehicle_id=d.get("vehicle_id"),
            adjuster=Adjuster.from_json(d.get("adjuster")),
            paid_amount=_money(d["paid_amount"]),
            deductible=_opt_money(d.get("deductible")),
        )


# --- read-replica results (the three gap endpoints) -------------------------------------------


@dataclass(frozen=True)
class PaymentRecord:
    posted_at: datetime
    amount: Decimal
    method: str
    status: str
    reference: str


@dataclass(frozen=True)
class ClaimEvent:
    occurred_at: datetime
    milestone: str
    description: str
    next_action: str | None


@dataclass(frozen=True)
class ClaimChange:
    """One row of the replica's claim timeline read as a change feed.

    ``event_id`` is the replica row's key: it grows as rows are written, so a reader keeps the
    last one it handled as its cursor. It is not a stable identity of the change (a rebuilt
    replica numbers rows afresh): ``change_key`` is.
    """

    event_id: int
    claim_number: str
    occurred_at: datetime
    milestone: str
    description: str
    next_action: str | None

    @property
    def change_key(self) -> str:
        """The change's natural key: claim, milestone and when it happened (UTC, seconds)."""
        moment = self.occurred_at.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        return f"{self.claim_number}:{self.milestone}:{moment}"


@dataclass(frozen=True)
class ClaimTimeline:
    claim_number: str
    events: tuple[ClaimEvent, ...]

    @property
    def next_action(self) -> str | None:
        return self.events[-1].next_action if self.events else None


@dataclass(frozen=True)
class PhoneMatch:
    holder_id: str
    policy_numbers: tuple[str, ...]


T = TypeVar("T")


@dataclass(frozen=True)
class Fresh(Generic[T]):
    """A PAS value with where it came from and how old it is.

    ``stale`` is true when the PAS call failed and the value was served from cache past its TTL
    (stale-if-error); callers must then say how old the data is ("as of 2:41 PM").
    """

    value: T
    fetched_at: datetime
    from_cache: bool = False
    stale: bool = False

    def age_seconds(self, now: datetime) -> float:
        return max(0.0, (now - self.fetched_at).total_seconds())
