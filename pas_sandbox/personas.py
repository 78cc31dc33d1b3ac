"""The five fixed personas: the same people, policies and claims in every build.

Their facts (numbers, phones, dates of birth, ZIPs, balances, claim stages) are a contract with
the README, the acceptance checks and the simulators; only dates move with ``as_of`` so the data
looks current. They do not depend on the seed: a private, fixed RNG fills in the details that
nobody relies on (claim event times, payment history times and confirmation codes).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any

from pas_sandbox import billing_plan, claim_stages
from pas_sandbox.billing_plan import Schedule
from pas_sandbox.book import Book
from pas_sandbox.dates import add_months, days, next_day_of_month
from pas_sandbox.records import (
    Address,
    Autopay,
    Billing,
    Claim,
    Coverage,
    Discount,
    Driver,
    Endorsement,
    Holder,
    Lienholder,
    Mortgagee,
    Policy,
    Producer,
    Property,
    Vehicle,
)
from pas_sandbox.reference_data import LIENHOLDERS, MORTGAGEES, PRODUCERS
from pas_sandbox.vin import build_vin

PERSONA_COUNT = 5
PERSONA_PHONES = ("+15125550101", "+17045550102", "+16145550103", "+12065550104", "+17185550105")
FIRST_GENERATED_POLICY = {"auto": 1_000_004, "home": 2_000_003, "renters": 3_000_002}
FIRST_GENERATED_CLAIM = 50_000_005
_PERSONA_RNG_SEED = "policyline-personas-v1"


@dataclass(frozen=True)
class PersonaPolicy:
    """One row of ``personas_json``: a persona as seen through one of their policies."""

    holder_id: str
    name: str
    policy_number: str
    phone: str
    date_of_birth: str
    zip: str
    city: str
    state: str
    line: str
    status: str
    billing_status: str
    story: str


def _producer(index: int) -> Producer:
    return Producer(*PRODUCERS[index])


def _cov(
    code: str,
    name: str,
    limit: str | None,
    deductible: str | None,
    dollars: str,
    vehicle_id: str | None = None,
    property_id: str | None = None,
) -> Coverage:
    cents = round(float(dollars) * 100)
    return Coverage(code, name, limit, deductible, cents, vehicle_id, property_id)


def _discount(name: str, dollars: str) -> Discount:
    return Discount(name, -round(float(dollars) * 100))


def _home_endorsements(state: str, state_name: str, *, water: bool) -> list[Endorsement]:
    rows = [
        Endorsement(f"HM HO 01 {state}", f"Special Provisions - {state_name}"),
        Endorsement("HO 04 90", "Personal Property Replacement Cost Loss Settlement"),
    ]
    if water:
        rows.append(
            Endorsement("HO 04 95", "Limited Water Back-up and Sump Discharge or Overflow Coverage")
        )
    rows.append(Endorsement("HM HO 03 12", "Windstorm or Hail Percentage Deductible"))
    return rows


def _history(
    book: Book,
    rng: random.Random,
    policy: Policy,
    schedule: Schedule,
    *,
    paid_through: date,
    missed: int = 0,
) -> None:
    paid = billing_plan.paid_instalments(schedule, paid_through, missed=missed)
    book.payment_rows.extend(
        billing_plan.payment_history(
            rng, policy.policy_number, paid, autopay=policy.billing.autopay, as_of=paid_through
        )
    )


def _claim(book: Book, rng: random.Random, claim: Claim, *, vehicle: bool) -> None:
    stage = claim.stage
    rows = claim_stages.history(claim, rng, book.as_of, vehicle=vehicle)
    assert claim.stage == stage
    book.add_claim(claim)
    book.claim_event_rows.extend(rows)


def add_personas(book: Book) -> None:
    """Add the five personas, their policies, claims and replica rows to ``book``."""
    as_of = book.as_of
    rng = random.Random(_PERSONA_RNG_SEED)
    _maria(book, rng, as_of)
    _james(book, rng, as_of)
    _priya(book, rng, as_of)
    _robert(book, rng, as_of)
    _jose(book, rng, as_of)


def _maria(book: Book, rng: random.Random, as_of: date) -> None:
    address = Address("1408 Barton Hills Dr", "Austin", "TX", "78704")
    book.add_holder(
        Holder(
            "H0000001",
            "Maria",
            "Alvarez",
            date(1985, 4, 12),
            PERSONA_PHONES[0],
            "maria.alvarez@example.com",
            address,
        )
    )
    due = as_of + days(10)
    effective = add_months(due, -10)
    rav4 = Vehicle(
        "V1",
        2021,
        "Toyota",
        "RAV4",
        build_vin("2T3", "P1RFV", 2021, "C", "184273"),
        Lienholder(*LIENHOLDERS["Toyota"]),
    )
    civic = Vehicle(
        "V2", 2017, "Honda", "Civic", build_vin("2HG", "FC2F5", 2017, "H", "531906"), None
    )
    coverages = [
        _cov("BI", "Bodily Injury Liability", "100,000/300,000", None, "822"),
        _cov("PD", "Property Damage Liability", "100,000", None, "452"),
        _cov("UM/UIM", "Uninsured/Underinsured Motorists", "100,000/300,000", None, "164"),
        _cov("PIP", "Personal Injury Protection", "2,500", None, "96"),
        _cov("COMP", "Comprehensive", "Actual cash value", "500", "178", vehicle_id="V1"),
        _cov("COLL", "Collision", "Actual cash value", "500", "486", vehicle_id="V1"),
        _cov("RENT", "Rental Reimbursement", "30/900", None, "30", vehicle_id="V1"),
        _cov("COMP", "Comprehensive", "Actual cash value", "500", "122", vehicle_id="V2"),
        _cov("COLL", "Collision", "Actual cash value", "1,000", "391", vehicle_id="V2"),
    ]
    endorsements = [
        Endorsement("HM AU 01 TX", "Amendment of Policy Provisions - Texas"),
        Endorsement("PP 03 05", "Loss Payable Clause"),
        Endorsement("HM AU 12", "Transportation Expenses Coverage"),
    ]
    policy = Policy(
        policy_number="AUT-1000001",
        holder_id="H0000001",
        line="auto",
        status="active",
        state="TX",
        effective_date=effective,
        expiration_date=add_months(effective, 12),
        cancelled_on=None,
        cancellation_reason=None,
        producer=_producer(0),
        named_insureds=["Maria Alvarez", "Daniel Alvarez"],
        mailing_address=address,
        drivers=[
            Driver("Maria Alvarez", date(1985, 4, 12), "TX", "named_insured"),
            Driver("Daniel Alvarez", date(1983, 8, 9), "TX", "spouse"),
        ],
        vehicles=[rav4, civic],
        properties=[],
        coverages=coverages,
        discounts=[_discount("Multi-car", "219"), _discount("Safe driver", "47")],
        endorsements=endorsements,
        forms=["PP 00 01 09 18", *(e.form for e in endorsements)],
        billing=Billing(41250, 20625, due, 0, "current", Autopay(), 20625),
    )
    book.add_policy(policy)
    _history(book, rng, policy, Schedule(effective, 247500, monthly=True), paid_through=as_of)
    _claim(
        book,
        rng,
        Claim(
            claim_number="CLM-50000001",
            policy_number="AUT-1000001",
            status="open",
            stage="estimate",
            loss_date=as_of - days(12),
            reported_date=as_of - days(11),
            loss_type="Collision",
            description="Rear-ended at a traffic light; rear bumper and liftgate damaged.",
            vehicle_id="V1",
            adjuster=claim_stages.adjuster_named("Dana Brooks"),
            paid_cents=0,
            deductible_cents=50000,
            estimate_cents=324018,
        ),
        vehicle=True,
    )


def _james(book: Book, rng: random.Random, as_of: date) -> None:
    address = Address("1820 Kenilworth Ave", "Charlotte", "NC", "28203")
    book.add_holder(
        Holder(
            "H0000002",
            "James",
            "Whitfield",
            date(1972, 9, 30),
            PERSONA_PHONES[1],
            "james.whitfield@example.com",
            address,
        )
    )
    due = next_day_of_month(as_of, 15)
    effective = add_months(due, -11)
    lender_name, lender_address = MORTGAGEES[0]
    dwelling = Property(
        "P1", address, 1998, "Frame", Mortgagee(lender_name, lender_address, "0047718253")
    )
    coverages = [
        _cov("A", "Dwelling", "425,000", "1,000", "1834", property_id="P1"),
        _cov("B", "Other Structures", "42,500", "1,000", "79", property_id="P1"),
        _cov("C", "Personal Property", "212,500", "1,000", "238", property_id="P1"),
        _cov("D", "Loss of Use", "127,500", None, "63", property_id="P1"),
        _cov("E", "Personal Liability", "300,000", None, "26"),
        _cov("F", "Medical Payments to Others", "5,000", None, "12"),
        _cov("WH", "Windstorm or Hail Deductible", None, "2%", "0", property_id="P1"),
        _cov("WBU", "Water Back-up and Sump Overflow", "10,000", None, "55", property_id="P1"),
    ]
    endorsements = _home_endorsements("NC", "North Carolina", water=True)
    autopay = Autopay(True, "card", "pm_1PersonaJamesWhitfield02", 15)
    policy = Policy(
        policy_number="HOM-2000001",
        holder_id="H0000002",
        line="home",
        status="active",
        state="NC",
        effective_date=effective,
        expiration_date=add_months(effective, 12),
        cancelled_on=None,
        cancellation_reason=None,
        producer=_producer(1),
        named_insureds=["James Whitfield"],
        mailing_address=address,
        drivers=[],
        vehicles=[],
        properties=[dwelling],
        coverages=coverages,
        discounts=[_discount("Claims-free", "75")],
        endorsements=endorsements,
        forms=["HO 00 03 05 11", *(e.form for e in endorsements)],
        billing=Billing(18600, 18600, due, 0, "current", autopay, 18600),
    )
    book.add_policy(policy)
    _history(book, rng, policy, Schedule(effective, 223200, monthly=True), paid_through=as_of)
    _claim(
        book,
        rng,
        Claim(
            claim_number="CLM-50000002",
            policy_number="HOM-2000001",
            status="closed",
            stage="closed",
            loss_date=as_of - days(210),
            reported_date=as_of - days(209),
            loss_type="Water damage",
            description="Supply line to the upstairs washing machine burst; kitchen ceiling and "
            "floors damaged.",
            vehicle_id=None,
            adjuster=claim_stages.adjuster_named("Marcus Webb"),
            paid_cents=0,
            deductible_cents=100000,
            estimate_cents=945000,
        ),
        vehicle=False,
    )


def _priya(book: Book, rng: random.Random, as_of: date) -> None:
    address = Address("455 N High St Apt 3C", "Columbus", "OH", "43215")
    book.add_holder(
        Holder(
            "H0000003",
            "Priya",
            "Raman",
            date(1996, 1, 22),
            PERSONA_PHONES[2],
            "priya.raman@example.com",
            address,
        )
    )
    missed_due = as_of - days(15)
    effective = add_months(missed_due, -10)
    unit = Property("P1", address, 1962, "Masonry", None)
    coverages = [
        _cov("C", "Personal Property", "40,000", "500", "546", property_id="P1"),
        _cov("E", "Personal Liability", "300,000", None, "24"),
        _cov("F", "Medical Payments to Others", "1,000", None, "6"),
    ]
    endorsements = [
        Endorsement("HM HO 01 OH", "Special Provisions - Ohio"),
        Endorsement("HO 04 90", "Personal Property Replacement Cost Loss Settlement"),
    ]
    policy = Policy(
        policy_number="REN-3000001",
        holder_id="H0000003",
        line="renters",
        status="active",
        state="OH",
        effective_date=effective,
        expiration_date=add_months(effective, 12),
        cancelled_on=None,
        cancellation_reason=None,
        producer=_producer(2),
        named_insureds=["Priya Raman"],
        mailing_address=address,
        drivers=[],
        vehicles=[],
        properties=[unit],
        coverages=coverages,
        discounts=[],
        endorsements=endorsements,
        forms=["HO 00 04 05 11", *(e.form for e in endorsements)],
        billing=Billing(14400, 9600, missed_due, 9600, "past_due", Autopay(), 4800),
    )
    book.add_policy(policy)
    _history(
        book, rng, policy, Schedule(effective, 57600, monthly=True), paid_through=as_of, missed=2
    )


def _robert(book: Book, rng: random.Random, as_of: date) -> None:
    address = Address("612 Aloha St", "Seattle", "WA", "98109")
    book.add_holder(
        Holder(
            "H0000004",
            "Robert",
            "Chen",
            date(1968, 11, 5),
            PERSONA_PHONES[3],
            "robert.chen@example.com",
            address,
        )
    )
    cancelled_on = as_of - days(56)
    effective = add_months(cancelled_on, -4)
    escape = Vehicle(
        "V1", 2015, "Ford", "Escape", build_vin("1FM", "CU9GX", 2015, "U", "A48213"), None
    )
    coverages = [
        _cov("BI", "Bodily Injury Liability", "50,000/100,000", None, "468"),
        _cov("PD", "Property Damage Liability", "50,000", None, "251"),
        _cov("UM/UIM", "Uninsured/Underinsured Motorists", "50,000/100,000", None, "94"),
        _cov("PIP", "Personal Injury Protection", "10,000", None, "88"),
        _cov("COMP", "Comprehensive", "Actual cash value", "500", "104", vehicle_id="V1"),
        _cov("COLL", "Collision", "Actual cash value", "1,000", "212", vehicle_id="V1"),
    ]
    endorsements = [Endorsement("HM AU 01 WA", "Amendment of Policy Provisions - Washington")]
    policy = Policy(
        policy_number="AUT-1000002",
        holder_id="H0000004",
        line="auto",
        status="cancelled",
        state="WA",
        effective_date=effective,
        expiration_date=add_months(effective, 12),
        cancelled_on=cancelled_on,
        cancellation_reason="non-payment",
        producer=_producer(3),
        named_insureds=["Robert Chen"],
        mailing_address=address,
        drivers=[Driver("Robert Chen", date(1968, 11, 5), "WA", "named_insured")],
        vehicles=[escape],
        properties=[],
        coverages=coverages,
        discounts=[_discount("Paperless", "24")],
        endorsements=endorsements,
        forms=["PP 00 01 09 18", *(e.form for e in endorsements)],
        billing=Billing(0, 0, None, 0, "cancelled", Autopay(), 9941),
    )
    book.add_policy(policy)
    # Two instalments went unpaid before the cancellation took effect.
    _history(
        book,
        rng,
        policy,
        Schedule(effective, 119300, monthly=True),
        paid_through=cancelled_on,
        missed=2,
    )


def _jose(book: Book, rng: random.Random, as_of: date) -> None:
    address = Address("318 7th St", "Brooklyn", "NY", "11215")
    book.add_holder(
        Holder(
            "H0000005",
            "José",
            "Núñez",
            date(1979, 6, 18),
            PERSONA_PHONES[4],
            "jose.nunez@example.com",
            address,
        )
    )
    auto_due = as_of + days(18)
    auto_effective = add_months(auto_due, -10)
    outback = Vehicle(
        "V1", 2019, "Subaru", "Outback", build_vin("4S4", "BSANC", 2019, "3", "285517"), None
    )
    auto_coverages = [
        _cov("BI", "Bodily Injury Liability", "100,000/300,000", None, "512"),
        _cov("PD", "Property Damage Liability", "50,000", None, "274"),
        _cov("UM/UIM", "Uninsured/Underinsured Motorists", "100,000/300,000", None, "121"),
        _cov("PIP", "Personal Injury Protection", "50,000", None, "286"),
        _cov("COMP", "Comprehensive", "Actual cash value", "500", "147", vehicle_id="V1"),
        _cov("COLL", "Collision", "Actual cash value", "500", "318", vehicle_id="V1"),
    ]
    auto_endorsements = [Endorsement("HM AU 01 NY", "Amendment of Policy Provisions - New York")]
    auto = Policy(
        policy_number="AUT-1000003",
        holder_id="H0000005",
        line="auto",
        status="active",
        state="NY",
        effective_date=auto_effective,
        expiration_date=add_months(auto_effective, 12),
        cancelled_on=None,
        cancellation_reason=None,
        producer=_producer(4),
        named_insureds=["José Núñez"],
        mailing_address=address,
        drivers=[Driver("José Núñez", date(1979, 6, 18), "NY", "named_insured")],
        vehicles=[outback],
        properties=[],
        coverages=auto_coverages,
        discounts=[
            _discount("Multi-policy", "165.80"),
            _discount("Paperless", "24"),
            _discount("Safe driver", "69.60"),
        ],
        endorsements=auto_endorsements,
        forms=["PP 00 01 09 18", *(e.form for e in auto_endorsements)],
        billing=Billing(23310, 11655, auto_due, 0, "current", Autopay(), 11655),
    )
    book.add_policy(auto)
    _history(book, rng, auto, Schedule(auto_effective, 139860, monthly=True), paid_through=as_of)

    home_due = next_day_of_month(as_of, 5)
    home_effective = add_months(home_due, -8)
    house = Property(
        "P1", address, 1925, "Masonry", Mortgagee(*MORTGAGEES[2], loan_number="3300918462")
    )
    home_coverages = [
        _cov("A", "Dwelling", "720,000", "2,500", "2650", property_id="P1"),
        _cov("B", "Other Structures", "72,000", "2,500", "119", property_id="P1"),
        _cov("C", "Personal Property", "360,000", "2,500", "357", property_id="P1"),
        _cov("D", "Loss of Use", "216,000", None, "95", property_id="P1"),
        _cov("E", "Personal Liability", "500,000", None, "38"),
        _cov("F", "Medical Payments to Others", "5,000", None, "12"),
        _cov("WH", "Windstorm or Hail Deductible", None, "2%", "0", property_id="P1"),
    ]
    home_endorsements = _home_endorsements("NY", "New York", water=False)
    home = Policy(
        policy_number="HOM-2000002",
        holder_id="H0000005",
        line="home",
        status="active",
        state="NY",
        effective_date=home_effective,
        expiration_date=add_months(home_effective, 12),
        cancelled_on=None,
        cancellation_reason=None,
        producer=_producer(4),
        named_insureds=["José Núñez"],
        mailing_address=address,
        drivers=[],
        vehicles=[],
        properties=[house],
        coverages=home_coverages,
        discounts=[_discount("Multi-policy", "327"), _discount("Protective devices", "28")],
        endorsements=home_endorsements,
        forms=["HO 00 03 05 11", *(e.form for e in home_endorsements)],
        billing=Billing(
            97200,
            24300,
            home_due,
            0,
            "current",
            Autopay(True, "us_bank_account", "pm_1PersonaJoseNunezBank05", 5),
            24300,
        ),
    )
    book.add_policy(home)
    _history(book, rng, home, Schedule(home_effective, 291600, monthly=True), paid_through=as_of)

    _claim(
        book,
        rng,
        Claim(
            claim_number="CLM-50000003",
            policy_number="AUT-1000003",
            status="open",
            stage="repair",
            loss_date=as_of - days(9),
            reported_date=as_of - days(8),
            loss_type="Glass",
            description="Windshield cracked by a stone thrown up on the BQE.",
            vehicle_id="V1",
            adjuster=claim_stages.adjuster_named("Alicia Moreno"),
            paid_cents=0,
            deductible_cents=10000,
            estimate_cents=61240,
        ),
        vehicle=True,
    )
    _claim(
        book,
        rng,
        Claim(
            claim_number="CLM-50000004",
            policy_number="HOM-2000002",
            status="open",
            stage="inspection",
            loss_date=as_of - days(20),
            reported_date=as_of - days(19),
            loss_type="Wind/hail",
            description="Storm winds lifted part of the roof membrane; water came into the top "
            "floor.",
            vehicle_id=None,
            adjuster=claim_stages.adjuster_named("Kevin Osei"),
            paid_cents=0,
            deductible_cents=1440000,
            estimate_cents=2310000,
        ),
        vehicle=False,
    )


_STORIES = {
    "AUT-1000001": "auto, 2 vehicles, open claim, balance due, autopay off",
    "HOM-2000001": "home, mortgagee, closed paid claim, autopay on",
    "REN-3000001": "renters, past due, autopay off, no claims",
    "AUT-1000002": "auto, cancelled for non-payment, 1 vehicle, balance 0",
    "AUT-1000003": "auto, 1 vehicle, open glass claim, balance due, autopay off",
    "HOM-2000002": "home, open wind/hail claim, autopay on (bank account)",
}


def persona_policies(as_of: date | None = None) -> list[PersonaPolicy]:
    """Each persona once per policy, in holder then policy order."""
    day = as_of or datetime.now(timezone.utc).date()
    book = Book(seed=0, as_of=day)
    add_personas(book)
    rows = []
    for holder in book.holders.values():
        for number in holder.policy_numbers:
            policy = book.policies[number]
            rows.append(
                PersonaPolicy(
                    holder_id=holder.holder_id,
                    name=holder.full_name,
                    policy_number=number,
                    phone=holder.phone,
                    date_of_birth=holder.date_of_birth.isoformat(),
                    zip=holder.address.zip,
                    city=holder.address.city,
                    state=holder.address.state,
                    line=policy.line,
                    status=policy.status,
                    billing_status=policy.billing.status,
                    story=_STORIES[number],
                )
            )
    return rows


def personas_json() -> list[dict[str, Any]]:
    """The personas for ``policyline personas --json`` (one object per persona policy)."""
    return [
        {
            "holder_id": p.holder_id,
            "name": p.name,
            "policy_number": p.policy_number,
            "phone": p.phone,
            "date_of_birth": p.date_of_birth,
            "zip": p.zip,
            "city": p.city,
            "state": p.state,
            "line": p.line,
            "status": p.status,
            "billing_status": p.billing_status,
            "story": p.story,
        }
        for p in persona_policies()
    ]
