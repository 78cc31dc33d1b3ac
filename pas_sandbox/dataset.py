"""Deterministic generation of the sandbox's book of business.

``generate(seed, policyholders, as_of)`` returns a ``Book`` with the five fixed personas followed
by ``policyholders - 5`` generated holders (H0000006, ...). One ``random.Random(seed)`` is drawn
from in a fixed order, so:

- the same seed and as-of give byte-identical data (``Book.canonical_json``),
- holder *n* is the same whatever the total count (a larger book extends a smaller one),
- every date is an offset from ``as_of``, so the data always looks current.

Mix: 1-2 policies per holder (bundles are auto + home or auto + renters), about 55/30/15 auto/
home/renters by policy; states weighted as in ``reference_data.STATE_WEIGHTS``; about 15 % of
policies have a claim; autopay on roughly 40 % of monthly-pay policies.
"""

from __future__ import annotations

import bisect
import itertools
import random
import unicodedata
from dataclasses import dataclass
from datetime import date

from pas_sandbox import billing_plan, claim_stages, coverages
from pas_sandbox.billing_plan import Schedule
from pas_sandbox.book import Book
from pas_sandbox.dates import add_months, days
from pas_sandbox.personas import (
    FIRST_GENERATED_CLAIM,
    FIRST_GENERATED_POLICY,
    PERSONA_COUNT,
    PERSONA_PHONES,
    add_personas,
)
from pas_sandbox.phones import PhoneBook
from pas_sandbox.records import (
    Address,
    Autopay,
    Billing,
    Claim,
    Coverage,
    Driver,
    Holder,
    Lienholder,
    Mortgagee,
    Policy,
    Producer,
    Property,
    Vehicle,
)
from pas_sandbox.reference_data import (
    CITIES,
    FIRST_NAMES_F,
    FIRST_NAMES_M,
    GENERIC_LIENHOLDERS,
    LAST_NAMES,
    LIENHOLDERS,
    MORTGAGEES,
    PRODUCER_BY_STATE,
    PRODUCERS,
    STATE_WEIGHTS,
    STREET_NAMES,
    STREET_SUFFIXES,
    VEHICLE_MODELS,
    City,
)
from pas_sandbox.vin import random_vin

LINE_PREFIX = {"auto": "AUT", "home": "HOM", "renters": "REN"}
CLAIM_RATE = 0.15

_STATES = list(STATE_WEIGHTS)
_STATE_CUMULATIVE = list(itertools.accumulate(STATE_WEIGHTS.values()))
_CITIES_BY_STATE: dict[str, list[City]] = {}
for _city in CITIES:
    _CITIES_BY_STATE.setdefault(_city.state, []).append(_city)
_MODEL_CUMULATIVE = list(itertools.accumulate(m[4] for m in VEHICLE_MODELS))
_DIRECT_PRODUCER = 5  # "Harbor Mutual Direct"

# loss type, weight, whether collision coverage (not comprehensive) pays it, description
_AUTO_LOSSES = (
    ("Collision", 40, True, "Collision with another vehicle at an intersection."),
    ("Collision", 10, True, "Backed into a post in a parking garage."),
    ("Glass", 18, False, "Windshield chipped and cracked by road debris."),
    ("Hail", 8, False, "Hail dents on the hood and roof."),
    ("Animal collision", 8, False, "Struck a deer at night."),
    ("Theft", 6, False, "Vehicle broken into; stereo and window damaged."),
    ("Vandalism", 5, False, "Paint keyed along the driver's side."),
)
_HOME_LOSSES = (
    ("Water damage", 30, "Leak from a failed water heater soaked the floors."),
    ("Wind/hail", 28, "Storm damaged roof shingles and gutters."),
    ("Fire", 8, "Kitchen fire damaged cabinets and the ceiling."),
    ("Theft", 12, "Break-in through a rear door; electronics stolen."),
    ("Lightning", 6, "Power surge from a lightning strike damaged appliances."),
    ("Liability", 6, "A guest slipped on the front steps."),
    ("Freeze", 10, "Frozen pipe burst in an exterior wall."),
)
_RENTERS_LOSSES = (
    ("Theft", 45, "Bicycle and laptop stolen from the apartment."),
    ("Water damage", 35, "Upstairs neighbour's overflow damaged furniture and clothing."),
    ("Fire", 20, "Smoke damage from a fire in a neighbouring unit."),
)
_OPEN_STAGE_WEIGHTS = (10, 15, 20, 20, 20, 15)  # reported ... payment_issued


def generate(seed: int, policyholders: int, as_of: date) -> Book:
    """The full book: personas plus ``policyholders - 5`` generated holders."""
    if policyholders < PERSONA_COUNT:
        raise ValueError(f"policyholders must be at least {PERSONA_COUNT} (the fixed personas)")
    book = Book(seed=seed, as_of=as_of)
    add_personas(book)
    _Generator(book, random.Random(seed)).run(policyholders - PERSONA_COUNT)
    return book


@dataclass
class _Household:
    spouse_first: str | None
    spouse_dob: date | None
    child_first: str | None
    child_dob: date | None


class _Generator:
    def __init__(self, book: Book, rng: random.Random) -> None:
        self.book = book
        self.rng = rng
        self.as_of = book.as_of
        self.phones = PhoneBook(reserved=PERSONA_PHONES)
        self.next_policy = dict(FIRST_GENERATED_POLICY)
        self.next_claim = FIRST_GENERATED_CLAIM

    def run(self, count: int) -> None:
        for n in range(PERSONA_COUNT + 1, PERSONA_COUNT + 1 + count):
            self.holder(f"H{n:07d}")

    # --- people -----------------------------------------------------------------------------

    def holder(self, holder_id: str) -> None:
        rng = self.rng
        lines = self.lines()
        state = _STATES[
            bisect.bisect_right(_STATE_CUMULATIVE, rng.randrange(_STATE_CUMULATIVE[-1]))
        ]
        city = rng.choice(_CITIES_BY_STATE[state])
        female = rng.random() < 0.5
        first = rng.choice(FIRST_NAMES_F if female else FIRST_NAMES_M)
        last = rng.choice(LAST_NAMES)
        age = rng.randint(19, 84)
        dob = self.birthday(age)
        number, name = rng.randint(100, 9899), rng.choice(STREET_NAMES)
        street = f"{number} {name} {rng.choice(STREET_SUFFIXES)}"
        if "renters" in lines:
            street += f" Apt {rng.randint(1, 24)}{rng.choice('ABCDEF')}"
        address = Address(street, city.name, state, rng.choice(city.zips))
        phone = self.phones.allocate(rng, city)
        email = f"{_ascii(first)}.{_ascii(last)}{int(holder_id[1:])}@example.com".lower()
        self.book.add_holder(Holder(holder_id, first, last, dob, phone, email, address))

        married = age >= 24 and rng.random() < 0.55
        spouse_first = rng.choice(FIRST_NAMES_M if female else FIRST_NAMES_F) if married else None
        spouse_dob = self.birthday(max(18, age + rng.randint(-4, 4))) if married else None
        has_child_driver = 40 <= age <= 62 and rng.random() < 0.2
        household = _Household(
            spouse_first,
            spouse_dob,
            rng.choice(FIRST_NAMES_F + FIRST_NAMES_M) if has_child_driver else None,
            self.birthday(rng.randint(16, 21)) if has_child_driver else None,
        )
        for line in lines:
            self.policy(
                holder_id,
                line,
                state,
                address,
                first,
                last,
                dob,
                household,
                multi_policy=len(lines) > 1,
            )

    def lines(self) -> list[str]:
        rng = self.rng
        first = rng.choices(("auto", "home", "renters"), (58, 28, 14))[0]
        if rng.random() >= 0.35:
            return [first]
        if first == "auto":
            return ["auto", "home" if rng.random() < 0.7 else "renters"]
        return ["auto", first]

    def birthday(self, age: int) -> date:
        return date(self.as_of.year - age, self.rng.randint(1, 12), self.rng.randint(1, 28))

    # --- policies ---------------------------------------------------------------------------

    def policy(
        self,
        holder_id: str,
        line: str,
        state: str,
        address: Address,
        first: str,
        last: str,
        dob: date,
        household: _Household,
        *,
        multi_policy: bool,
    ) -> None:
        rng, as_of = self.rng, self.as_of
        number = f"{LINE_PREFIX[line]}-{self.next_policy[line]}"
        self.next_policy[line] += 1
        status = rng.choices(("active", "pending_cancel", "cancelled", "expired"), (90, 3, 5, 2))[0]
        cancelled_on: date | None = None
        reason: str | None = None
        if status == "expired":
            expiration = as_of - days(rng.randint(1, 180))
            effective = add_months(expiration, -12)
        elif status == "cancelled":
            effective = as_of - days(rng.randint(30, 364))
            cancelled_on = effective + days(rng.randint(20, (as_of - effective).days - 1))
            reason = "non-payment" if rng.random() < 0.6 else "insured's request"
        else:
            effective = as_of - days(rng.randint(0, 364))
        effective = effective.replace(day=min(effective.day, 28))
        expiration = add_months(effective, 12)

        name = f"{first} {last}"
        named = [name]
        if household.spouse_first:
            named.append(f"{household.spouse_first} {last}")
        producer_index = PRODUCER_BY_STATE.get(state, _DIRECT_PRODUCER)
        if rng.random() < 0.25:
            producer_index = _DIRECT_PRODUCER
        drivers: list[Driver] = []
        vehicles: list[Vehicle] = []
        properties: list[Property] = []
        monthly = rng.random() < 0.75
        autopay = (
            self.autopay(effective)
            if (status == "active" and rng.random() < (0.45 if monthly else 0.1))
            else Autopay()
        )

        if line == "auto":
            drivers = [Driver(name, dob, state, "named_insured")]
            if household.spouse_first and household.spouse_dob:
                drivers.append(Driver(named[1], household.spouse_dob, state, "spouse"))
            if household.child_first and household.child_dob:
                drivers.append(
                    Driver(f"{household.child_first} {last}", household.child_dob, state, "child")
                )
            vehicles = self.vehicles()
            covs = coverages.auto_coverages(rng, state, vehicles, len(drivers), as_of.year)
            discounts = coverages.auto_discounts(
                rng, covs, vehicles, multi_policy=multi_policy, autopay=autopay.enabled
            )
            endorsements, forms = coverages.auto_endorsements(state, covs, vehicles)
        elif line == "home":
            year_built = self.year_built()
            mortgagee = None
            if rng.random() < 0.72:
                lender, lender_address = rng.choice(MORTGAGEES)
                mortgagee = Mortgagee(lender, lender_address, f"{rng.randrange(10**10):010d}")
            properties = [Property("P1", address, year_built, self.construction(), mortgagee)]
            covs = coverages.home_coverages(rng, state, "P1", year_built)
            discounts = coverages.home_discounts(
                rng, covs, year_built, multi_policy=multi_policy, as_of_year=as_of.year
            )
            endorsements, forms = coverages.home_endorsements(state, covs, rng)
        else:
            properties = [Property("P1", address, self.year_built(), self.construction(), None)]
            covs = coverages.renters_coverages(rng, state, "P1")
            discounts = coverages.home_discounts(
                rng, covs, 0, multi_policy=multi_policy, as_of_year=as_of.year
            )
            endorsements, forms = coverages.renters_endorsements(state, rng)

        total = sum(c.premium_cents for c in covs) + sum(d.amount_cents for d in discounts)
        schedule = Schedule(effective, total, monthly=monthly)
        billing, paid = self.billing(schedule, status, autopay, cancelled_on, reason, expiration)
        policy = Policy(
            policy_number=number,
            holder_id=holder_id,
            line=line,
            status=status,
            state=state,
            effective_date=effective,
            expiration_date=expiration,
            cancelled_on=cancelled_on,
            cancellation_reason=reason,
            producer=Producer(*PRODUCERS[producer_index]),
            named_insureds=named,
            mailing_address=address,
            drivers=drivers,
            vehicles=vehicles,
            properties=properties,
            coverages=covs,
            discounts=discounts,
            endorsements=endorsements,
            forms=forms,
            billing=billing,
        )
        self.book.add_policy(policy)
        self.book.payment_rows.extend(
            billing_plan.payment_history(rng, number, paid, autopay=autopay, as_of=as_of)
        )
        if rng.random() < CLAIM_RATE:
            self.claim(policy)

    def billing(
        self,
        schedule: Schedule,
        status: str,
        autopay: Autopay,
        cancelled_on: date | None,
        reason: str | None,
        expiration: date,
    ) -> tuple[Billing, list[tuple[date, int]]]:
        rng, as_of = self.rng, self.as_of
        if status == "cancelled" and cancelled_on is not None:
            missed = 2 if reason == "non-payment" and schedule.monthly else 0
            paid = billing_plan.paid_instalments(schedule, cancelled_on, missed=missed)
            return Billing(0, 0, None, 0, "cancelled", Autopay(), schedule.instalment_cents), paid
        if status == "expired":
            paid = billing_plan.paid_instalments(schedule, expiration - days(1), missed=0)
            return Billing(0, 0, None, 0, "paid", Autopay(), schedule.instalment_cents), paid
        missed = 0
        if status == "pending_cancel":
            missed = 2 if schedule.monthly else 1
        elif schedule.monthly and not autopay.enabled and rng.random() < 0.07:
            missed = 1 if rng.random() < 0.8 else 2
        billing = billing_plan.bill(schedule, as_of, missed=missed, autopay=autopay)
        return billing, billing_plan.paid_instalments(schedule, as_of, missed=missed)

    def autopay(self, effective: date) -> Autopay:
        method = "card" if self.rng.random() < 0.6 else "us_bank_account"
        return Autopay(True, method, billing_plan.payment_method_ref(self.rng), effective.day)

    def vehicles(self) -> list[Vehicle]:
        rng, year_now = self.rng, self.as_of.year
        count = rng.choices((1, 2, 3), (50, 38, 12))[0]
        result = []
        for i in range(count):
            make, model, wmi, first_year, _ = VEHICLE_MODELS[
                bisect.bisect_right(_MODEL_CUMULATIVE, rng.randrange(_MODEL_CUMULATIVE[-1]))
            ]
            year = rng.randint(max(first_year, year_now - 18), year_now)
            lienholder = None
            if year_now - year <= 5 and rng.random() < 0.6:
                captive = LIENHOLDERS.get(make)
                name, where = (
                    captive if captive and rng.random() < 0.7 else rng.choice(GENERIC_LIENHOLDERS)
                )
                lienholder = Lienholder(name, where)
            result.append(
                Vehicle(f"V{i + 1}", year, make, model, random_vin(rng, wmi, year), lienholder)
            )
        return result

    def year_built(self) -> int:
        decade = self.rng.choices(range(1920, 2030, 10), (2, 2, 3, 6, 8, 9, 10, 12, 14, 12, 6))[0]
        return min(self.as_of.year - 1, decade + self.rng.randrange(10))

    def construction(self) -> str:
        return self.rng.choices(("Frame", "Masonry Veneer", "Masonry"), (55, 28, 17))[0]

    # --- claims -----------------------------------------------------------------------------

    def claim(self, policy: Policy) -> None:
        rng, as_of = self.rng, self.as_of
        number = f"CLM-{self.next_claim}"
        self.next_claim += 1
        closed = rng.random() < 0.55
        stage = (
            "closed" if closed else rng.choices(claim_stages.STAGES[:-1], _OPEN_STAGE_WEIGHTS)[0]
        )
        if closed:
            reported = as_of - days(rng.randint(30, 540))
        elif stage == "reported":
            reported = as_of - days(rng.randint(0, 2))
        else:
            reported = as_of - days(rng.randint(3, 60))
        loss = reported - days(rng.randint(0, 5))
        vehicle_id: str | None = None
        if policy.line == "auto":
            vehicle = rng.choice(policy.vehicles)
            vehicle_id = vehicle.vehicle_id
            loss_type, _, by_collision, description = rng.choices(
                _AUTO_LOSSES, [x[1] for x in _AUTO_LOSSES]
            )[0]
            deductible = _deductible_cents(
                policy.coverages, "COLL" if by_collision else "COMP", vehicle_id
            )
            if deductible is None:  # liability only on this car: the other driver's damage
                loss_type, description = "Liability", "Damage to another driver's vehicle."
            estimate = (
                rng.randint(25_000, 150_000)
                if loss_type == "Glass"
                else rng.randint(80_000, 1_200_000)
            )
        else:
            table = _HOME_LOSSES if policy.line == "home" else _RENTERS_LOSSES
            loss_type, _, description = rng.choices(table, [x[1] for x in table])[0]
            deductible = _home_deductible_cents(policy.coverages, loss_type)
            estimate = (
                rng.randint(200_000, 6_000_000)
                if policy.line == "home"
                else rng.randint(50_000, 1_500_000)
            )
        if closed and deductible and rng.random() < 0.2:
            estimate = rng.randint(10_000, max(10_001, deductible))  # below the deductible
        claim = Claim(
            claim_number=number,
            policy_number=policy.policy_number,
            status="open",
            stage=stage,
            loss_date=loss,
            reported_date=reported,
            loss_type=loss_type,
            description=description,
            vehicle_id=vehicle_id,
            adjuster=None,
            paid_cents=0,
            deductible_cents=deductible,
            estimate_cents=estimate,
        )
        events = claim_stages.history(claim, rng, as_of, vehicle=policy.line == "auto")
        self.book.add_claim(claim)
        self.book.claim_event_rows.extend(events)


def _deductible_cents(covs: list[Coverage], code: str, vehicle_id: str) -> int | None:
    for c in covs:
        if c.code == code and c.vehicle_id == vehicle_id and c.deductible:
            return int(c.deductible.replace(",", "")) * 100
    return None


def _home_deductible_cents(covs: list[Coverage], loss_type: str) -> int | None:
    by_code = {c.code: c for c in covs}
    wind = by_code.get("WH")
    if loss_type == "Wind/hail" and wind and wind.deductible and "A" in by_code:
        percent = int(wind.deductible.rstrip("%"))
        dwelling = int((by_code["A"].limit or "0").replace(",", ""))
        return dwelling * percent  # percent of Coverage A, in cents: dollars * p / 100 * 100
    if loss_type == "Liability":
        return None
    for code in ("A", "C"):
        cov = by_code.get(code)
        if cov and cov.deductible:
            return int(cov.deductible.replace(",", "")) * 100
    return None


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
