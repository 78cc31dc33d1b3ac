"""Certificate of insurance: an ACORD-25-like data model, built from a PAS policy.

The fields follow what an ACORD 25 certificate carries (producer, insured, insurers affording
coverage with NAIC codes, coverages with policy numbers, dates and limits, description, holder,
cancellation wording, date and certificate number). The ACORD form itself is licensed, so the
wording here is our own and the layout (``certificate_pdf``) is ours too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.documents.declarations import coverage_a_base, coverage_label
from bot.documents.eligibility import ensure_certificate_allowed
from bot.documents.errors import CertificateHolderRequired
from bot.documents.formatting import deductible, limit
from pas_connector.models import Policy, Policyholder

DISCLAIMER = (
    "This certificate is provided for information only. It gives the certificate holder no "
    "rights, and it does not change, extend or add to the coverage of the policies listed. "
    "Each policy's own terms, exclusions and conditions apply."
)
CANCELLATION_WORDING = (
    "If a policy listed here is cancelled before its expiration date, the insurer will give "
    "notice as the policy itself provides. This certificate promises no other notice to the "
    "certificate holder."
)
_COVERAGE_TYPES = {
    "auto": "Personal automobile",
    "home": "Homeowners",
    "renters": "Renters (tenant homeowners)",
}
_HOME_ORDER = ("A", "B", "C", "D", "E", "F")


@dataclass(frozen=True)
class CertificateHolder:
    """The organisation the policyholder names to receive the certificate."""

    name: str
    address: str

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise CertificateHolderRequired("the certificate holder needs a name")

    @classmethod
    def parse(cls, text: str) -> CertificateHolder:
        """``"Acme Property Management, 12 Main St, Austin, TX 78701"``: name, then address."""
        name, _, address = text.partition(",")
        return cls(name=name.strip(), address=address.strip())


@dataclass(frozen=True)
class Party:
    """Producer or insured as printed: name, address and (producer) phone."""

    name: str
    address: str
    phone: str | None = None


@dataclass(frozen=True)
class InsurerAffording:
    """An insurer affording coverage, referred to by its letter in the coverage table."""

    letter: str
    name: str
    naic_code: str


@dataclass(frozen=True)
class CertificateLimit:
    """One coverage line: what it is, its limit and its deductible (as printed)."""

    coverage: str
    limit: str
    deductible: str


@dataclass(frozen=True)
class CertificateCoverage:
    """One line of the coverage table: type, insurer, policy, period and limits."""

    insurer_letter: str
    coverage_type: str
    policy_number: str
    effective_date: date
    expiration_date: date
    limits: tuple[CertificateLimit, ...]


@dataclass(frozen=True)
class CertificateOfInsurance:
    """Everything printed on a certificate of insurance."""

    certificate_number: str
    issued_on: date
    producer: Party
    insured: Party
    insurers: tuple[InsurerAffording, ...]
    coverages: tuple[CertificateCoverage, ...]
    description: str
    certificate_holder: CertificateHolder
    cancellation_wording: str = CANCELLATION_WORDING
    disclaimer: str = DISCLAIMER


def build_certificate(
    policy: Policy,
    holder: Policyholder,
    certificate_holder: CertificateHolder | None,
    *,
    issued_on: date,
    certificate_number: str,
) -> CertificateOfInsurance:
    """The certificate for an in-force policy, naming ``certificate_holder``."""
    if certificate_holder is None:
        raise CertificateHolderRequired("a certificate names a certificate holder")
    ensure_certificate_allowed(policy, issued_on)
    insurer = InsurerAffording("A", policy.insurer.name, policy.insurer.naic_code)
    coverage = CertificateCoverage(
        insurer_letter=insurer.letter,
        coverage_type=_COVERAGE_TYPES.get(policy.line, policy.line.title()),
        policy_number=policy.policy_number,
        effective_date=policy.effective_date,
        expiration_date=policy.expiration_date,
        limits=_limits(policy),
    )
    a = policy.mailing_address
    return CertificateOfInsurance(
        certificate_number=certificate_number,
        issued_on=issued_on,
        producer=Party(policy.producer.name, policy.producer.address, policy.producer.phone),
        insured=Party(
            "\n".join(policy.named_insureds) or holder.full_name,
            f"{a.street}\n{a.city}, {a.state} {a.zip}",
        ),
        insurers=(insurer,),
        coverages=(coverage,),
        description=_description(policy),
        certificate_holder=certificate_holder,
    )


def _limits(policy: Policy) -> tuple[CertificateLimit, ...]:
    """Each coverage once; a coverage whose terms differ by vehicle is listed per vehicle."""
    coverages = list(policy.coverages)
    if policy.line != "auto":
        coverages.sort(
            key=lambda c: _HOME_ORDER.index(c.code) if c.code in _HOME_ORDER else len(_HOME_ORDER)
        )
    base = coverage_a_base(policy.coverages)
    terms = {c: (limit(c.limit), deductible(c.deductible, percent_of=base)) for c in coverages}
    vehicle_count = len(policy.vehicles)
    # Per vehicle when terms differ, or when a vehicle coverage is not on every vehicle.
    varies = {
        name
        for name in {c.name for c in coverages}
        if len({terms[c] for c in coverages if c.name == name}) > 1
        or 0
        < len({c.vehicle_id for c in coverages if c.name == name and c.vehicle_id})
        < vehicle_count
    }
    lines: list[CertificateLimit] = []
    seen: set[tuple[str, str, str]] = set()
    for c in coverages:
        label = coverage_label(c)
        if c.name in varies and c.vehicle_id:
            vehicle = next((v for v in policy.vehicles if v.vehicle_id == c.vehicle_id), None)
            label = f"{label} – {vehicle.description}" if vehicle else label
        line = (label, *terms[c])
        if line not in seen:
            seen.add(line)
            lines.append(CertificateLimit(*line))
    return tuple(lines)


def _description(policy: Policy) -> str:
    if policy.line == "auto":
        return "Vehicles: " + "; ".join(f"{v.description}, VIN {v.vin}" for v in policy.vehicles)
    places = "; ".join(
        f"{p.address.street}, {p.address.city}, {p.address.state} {p.address.zip}"
        for p in policy.properties
    )
    return f"Location: {places}" if places else ""
