"""Coverages, discounts, endorsements and forms for generated auto, home and renters policies.

Premiums are rough but shaped like real books: liability dominates auto, physical damage follows
vehicle value (which falls with age), dwelling premium follows Coverage A and the state's
catastrophe exposure. Limits are printed in whole dollars with separators (``100,000/300,000``);
deductibles are whole dollars (``500``) or a percentage of Coverage A (``2%``).
"""

from __future__ import annotations

import random

from pas_sandbox.records import Coverage, Discount, Endorsement, Vehicle, grouped
from pas_sandbox.reference_data import PERCENT_WIND_STATES, PIP_STATES

STATE_NAMES = {
    "TX": "Texas",
    "CA": "California",
    "FL": "Florida",
    "NY": "New York",
    "GA": "Georgia",
    "NC": "North Carolina",
    "OH": "Ohio",
    "IL": "Illinois",
    "PA": "Pennsylvania",
    "WA": "Washington",
    "AZ": "Arizona",
    "MI": "Michigan",
    "CO": "Colorado",
    "TN": "Tennessee",
    "VA": "Virginia",
    "NJ": "New Jersey",
    "MA": "Massachusetts",
    "MN": "Minnesota",
    "OR": "Oregon",
    "WI": "Wisconsin",
    "MO": "Missouri",
    "IN": "Indiana",
    "SC": "South Carolina",
}

# Relative auto liability cost by state (1.0 = countrywide average).
_AUTO_STATE_FACTOR = {
    "FL": 1.6,
    "NY": 1.5,
    "MI": 1.7,
    "NJ": 1.4,
    "CA": 1.2,
    "TX": 1.15,
    "GA": 1.2,
    "PA": 1.05,
    "IL": 1.0,
    "CO": 1.15,
    "AZ": 1.05,
    "MA": 1.1,
    "OH": 0.8,
    "IN": 0.85,
    "WI": 0.8,
    "MN": 0.95,
    "NC": 0.85,
    "VA": 0.85,
    "TN": 0.95,
    "WA": 1.0,
    "OR": 1.0,
    "MO": 1.0,
    "SC": 1.05,
}
# Relative dwelling cost by state: wind, hail, wildfire and construction cost.
_HOME_STATE_FACTOR = {
    "FL": 2.6,
    "TX": 2.0,
    "CO": 1.5,
    "MN": 1.2,
    "MO": 1.3,
    "SC": 1.3,
    "NC": 1.2,
    "GA": 1.2,
    "CA": 1.3,
    "NY": 1.1,
    "NJ": 1.0,
    "MA": 1.0,
    "WA": 0.8,
    "OR": 0.8,
    "AZ": 0.9,
    "OH": 0.8,
    "IL": 1.0,
    "PA": 0.8,
    "MI": 0.9,
    "TN": 1.1,
    "VA": 0.8,
    "WI": 0.8,
    "IN": 0.9,
}
# Dwelling replacement cost level by state (multiplies the Coverage A draw).
_DWELLING_COST = {"CA": 1.7, "NY": 1.5, "MA": 1.5, "NJ": 1.4, "WA": 1.4, "CO": 1.3, "OR": 1.2}

_PIP_LIMIT = {
    "FL": "10,000",
    "NY": "50,000",
    "MI": "250,000",
    "NJ": "250,000",
    "PA": "5,000",
    "MN": "40,000",
    "MA": "8,000",
    "OR": "15,000",
    "TX": "2,500",
    "WA": "10,000",
}
_PIP_HEAVY = frozenset({"FL", "NY", "MI", "NJ"})

# (bodily injury per person/per accident, property damage) in whole dollars, with share weight.
_LIABILITY_TIERS = (
    ((25_000, 50_000), 25_000, 15),
    ((50_000, 100_000), 50_000, 25),
    ((100_000, 300_000), 100_000, 45),
    ((250_000, 500_000), 100_000, 15),
)
_STATE_MINIMUM_BI = {"TX": (30_000, 60_000), "CA": (30_000, 60_000), "AZ": (25_000, 50_000)}


def _dollars(amount: float) -> int:
    """Whole-dollar premium in cents (premiums are rated to the dollar)."""
    return max(1, round(amount)) * 100


def _jitter(rng: random.Random) -> float:
    return rng.uniform(0.85, 1.15)


def _split_limit(pair: tuple[int, int]) -> str:
    return f"{grouped(pair[0])}/{grouped(pair[1])}"


def auto_coverages(
    rng: random.Random, state: str, vehicles: list[Vehicle], drivers: int, as_of_year: int
) -> list[Coverage]:
    """Policy-level liability and injury coverages plus physical damage per vehicle."""
    tiers = [t for t in _LIABILITY_TIERS]
    bi, pd, _ = rng.choices(tiers, [t[2] for t in tiers])[0]
    bi = max(bi, _STATE_MINIMUM_BI.get(state, bi), key=lambda pair: pair[0])
    factor = (
        _AUTO_STATE_FACTOR[state] * (1 + 0.35 * (drivers - 1)) * (1 + 0.75 * (len(vehicles) - 1))
    )
    bi_base = {25_000: 360, 30_000: 380, 50_000: 450, 100_000: 540, 250_000: 660}[bi[0]]
    bi_premium = bi_base * factor * _jitter(rng)
    coverages = [
        Coverage("BI", "Bodily Injury Liability", _split_limit(bi), None, _dollars(bi_premium)),
        Coverage(
            "PD",
            "Property Damage Liability",
            grouped(pd),
            None,
            _dollars(bi_premium * 0.55 * _jitter(rng)),
        ),
        Coverage(
            "UM/UIM",
            "Uninsured/Underinsured Motorists",
            _split_limit(bi),
            None,
            _dollars(bi_premium * 0.2 * _jitter(rng)),
        ),
    ]
    if state in PIP_STATES:
        heavy = state in _PIP_HEAVY
        coverages.append(
            Coverage(
                "PIP",
                "Personal Injury Protection",
                _PIP_LIMIT[state],
                None,
                _dollars(
                    (320 if heavy else 90) * factor / _AUTO_STATE_FACTOR[state] * _jitter(rng)
                ),
            )
        )
    else:
        coverages.append(
            Coverage(
                "MP",
                "Medical Payments",
                rng.choice(("1,000", "5,000")),
                None,
                _dollars(55 * (1 + 0.3 * (drivers - 1)) * _jitter(rng)),
            )
        )
    for vehicle in vehicles:
        coverages.extend(_physical_damage(rng, state, vehicle, as_of_year))
    return coverages


def _physical_damage(
    rng: random.Random, state: str, vehicle: Vehicle, as_of_year: int
) -> list[Coverage]:
    age = max(0, as_of_year - vehicle.year)
    # Owners of old, paid-off cars often carry liability only.
    if vehicle.lienholder is None and age > 14 and rng.random() < 0.5:
        return []
    value = max(3_000.0, 38_000.0 * 0.86**age)
    comp_ded = rng.choices((250, 500, 1000), (2, 5, 3))[0]
    coll_ded = rng.choices((500, 1000), (6, 4))[0]
    state_factor = _AUTO_STATE_FACTOR[state]
    vid = vehicle.vehicle_id
    rows = [
        Coverage(
            "COMP",
            "Comprehensive",
            "Actual cash value",
            grouped(comp_ded),
            _dollars(
                (60 + value * 0.0045) * state_factor * (500 / comp_ded) ** 0.25 * _jitter(rng)
            ),
            vehicle_id=vid,
        ),
        Coverage(
            "COLL",
            "Collision",
            "Actual cash value",
            grouped(coll_ded),
            _dollars((150 + value * 0.012) * state_factor * (500 / coll_ded) ** 0.3 * _jitter(rng)),
            vehicle_id=vid,
        ),
    ]
    if rng.random() < 0.4:
        rows.append(
            Coverage(
                "RENT",
                "Rental Reimbursement",
                "30/900",
                None,
                _dollars(rng.choice((24, 30, 36))),
                vehicle_id=vid,
            )
        )
    if rng.random() < 0.3:
        rows.append(
            Coverage(
                "TOW",
                "Towing and Labor",
                "75",
                None,
                _dollars(rng.choice((8, 12, 16))),
                vehicle_id=vid,
            )
        )
    return rows


def auto_discounts(
    rng: random.Random,
    coverages: list[Coverage],
    vehicles: list[Vehicle],
    *,
    multi_policy: bool,
    autopay: bool,
) -> list[Discount]:
    """Auto discounts (negative amounts) from the policy's shape and a few draws."""
    base = sum(c.premium_cents for c in coverages) / 100
    discounts = []
    if len(vehicles) > 1:
        discounts.append(Discount("Multi-car", -_dollars(base * 0.08)))
    if multi_policy:
        discounts.append(Discount("Multi-policy", -_dollars(base * 0.10)))
    if rng.random() < 0.5:
        discounts.append(Discount("Safe driver", -_dollars(base * 0.07)))
    if any(v.year >= 2015 for v in vehicles) and rng.random() < 0.4:
        discounts.append(Discount("Anti-theft device", -_dollars(18)))
    if rng.random() < 0.4:
        discounts.append(Discount("Paperless", -_dollars(24)))
    if autopay:
        discounts.append(Discount("Automatic payments", -_dollars(36)))
    return discounts


def auto_endorsements(
    state: str, coverages: list[Coverage], vehicles: list[Vehicle]
) -> tuple[list[Endorsement], list[str]]:
    """Endorsements and the full form list (policy form, state amendment, endorsements)."""
    endorsements = [
        Endorsement(f"HM AU 01 {state}", f"Amendment of Policy Provisions - {STATE_NAMES[state]}")
    ]
    if any(v.lienholder for v in vehicles):
        endorsements.append(Endorsement("PP 03 05", "Loss Payable Clause"))
    codes = {c.code for c in coverages}
    if "TOW" in codes:
        endorsements.append(Endorsement("PP 03 03", "Towing and Labor Costs Coverage"))
    if "RENT" in codes:
        endorsements.append(Endorsement("HM AU 12", "Transportation Expenses Coverage"))
    forms = ["PP 00 01 09 18", *(e.form for e in endorsements)]
    return endorsements, forms


def home_coverages(
    rng: random.Random, state: str, property_id: str, year_built: int
) -> list[Coverage]:
    """Coverage A-F on one dwelling, with an all-peril and, where used, a wind/hail deductible."""
    dwelling = round(rng.uniform(180_000, 620_000) * _DWELLING_COST.get(state, 1.0), -4)
    all_peril = rng.choices((500, 1000, 2500, 5000), (1, 5, 3, 1))[0]
    contents_share = rng.choice((0.5, 0.5, 0.7))
    liability = rng.choices((100_000, 300_000, 500_000), (2, 6, 2))[0]
    med_pay = rng.choice((1_000, 5_000))
    state_factor = _HOME_STATE_FACTOR[state]
    age_factor = 1.25 if year_built < 1960 else 1.0 if year_built < 2000 else 0.9
    a_premium = (
        dwelling * 0.0034 * state_factor * age_factor * (1000 / all_peril) ** 0.2 * _jitter(rng)
    )
    ded = grouped(all_peril)
    rows = [
        Coverage(
            "A",
            "Dwelling",
            grouped(int(dwelling)),
            ded,
            _dollars(a_premium),
            property_id=property_id,
        ),
        Coverage(
            "B",
            "Other Structures",
            grouped(int(dwelling * 0.10)),
            ded,
            _dollars(a_premium * 0.05),
            property_id=property_id,
        ),
        Coverage(
            "C",
            "Personal Property",
            grouped(int(dwelling * contents_share)),
            ded,
            _dollars(a_premium * (0.15 if contents_share == 0.5 else 0.22)),
            property_id=property_id,
        ),
        Coverage(
            "D",
            "Loss of Use",
            grouped(int(dwelling * 0.30)),
            None,
            _dollars(a_premium * 0.04),
            property_id=property_id,
        ),
        Coverage(
            "E",
            "Personal Liability",
            grouped(liability),
            None,
            _dollars({100_000: 18, 300_000: 26, 500_000: 38}[liability] * _jitter(rng)),
        ),
        Coverage(
            "F",
            "Medical Payments to Others",
            grouped(med_pay),
            None,
            _dollars((6 if med_pay == 1_000 else 12) * _jitter(rng)),
        ),
    ]
    if state in PERCENT_WIND_STATES:
        weights = (3, 5, 2) if state in ("FL", "TX") else (6, 3, 1)
        percent = rng.choices(("1%", "2%", "5%"), weights)[0]
        rows.append(
            Coverage(
                "WH", "Windstorm or Hail Deductible", None, percent, 0, property_id=property_id
            )
        )
    if rng.random() < 0.4:
        rows.append(
            Coverage(
                "WBU",
                "Water Back-up and Sump Overflow",
                "10,000",
                None,
                _dollars(rng.choice((40, 55, 70))),
                property_id=property_id,
            )
        )
    return rows


def home_discounts(
    rng: random.Random,
    coverages: list[Coverage],
    year_built: int,
    *,
    multi_policy: bool,
    as_of_year: int,
) -> list[Discount]:
    """Home and renters discounts (negative amounts); ``year_built`` 0 means none for age."""
    base = sum(c.premium_cents for c in coverages) / 100
    discounts = []
    if multi_policy:
        discounts.append(Discount("Multi-policy", -_dollars(base * 0.10)))
    if rng.random() < 0.4:
        discounts.append(Discount("Protective devices", -_dollars(base * 0.05)))
    if rng.random() < 0.5:
        discounts.append(Discount("Claims-free", -_dollars(base * 0.08)))
    if as_of_year - year_built < 15:
        discounts.append(Discount("Newer home", -_dollars(base * 0.06)))
    return discounts


def home_endorsements(
    state: str, coverages: list[Coverage], rng: random.Random
) -> tuple[list[Endorsement], list[str]]:
    """Home endorsements and the full form list (HO 3 form first)."""
    endorsements = [Endorsement(f"HM HO 01 {state}", f"Special Provisions - {STATE_NAMES[state]}")]
    if rng.random() < 0.6:
        endorsements.append(
            Endorsement("HO 04 90", "Personal Property Replacement Cost Loss Settlement")
        )
    if any(c.code == "WBU" for c in coverages):
        endorsements.append(
            Endorsement("HO 04 95", "Limited Water Back-up and Sump Discharge or Overflow Coverage")
        )
    if any(c.code == "WH" for c in coverages):
        endorsements.append(Endorsement("HM HO 03 12", "Windstorm or Hail Percentage Deductible"))
    forms = ["HO 00 03 05 11", *(e.form for e in endorsements)]
    return endorsements, forms


def renters_coverages(rng: random.Random, state: str, property_id: str) -> list[Coverage]:
    """Personal property (C), personal liability (E) and medical payments to others (F)."""
    contents = rng.randrange(15_000, 65_000, 5_000)
    deductible = rng.choices((250, 500, 1000), (2, 6, 2))[0]
    liability = rng.choices((100_000, 300_000), (6, 4))[0]
    med_pay = rng.choice((1_000, 5_000))
    state_factor = (_HOME_STATE_FACTOR[state] + 1) / 2
    return [
        Coverage(
            "C",
            "Personal Property",
            grouped(contents),
            grouped(deductible),
            _dollars(contents * 0.0042 * state_factor * (500 / deductible) ** 0.2 * _jitter(rng)),
            property_id=property_id,
        ),
        Coverage(
            "E",
            "Personal Liability",
            grouped(liability),
            None,
            _dollars((16 if liability == 100_000 else 24) * _jitter(rng)),
        ),
        Coverage(
            "F",
            "Medical Payments to Others",
            grouped(med_pay),
            None,
            _dollars((5 if med_pay == 1_000 else 10) * _jitter(rng)),
        ),
    ]


def renters_endorsements(state: str, rng: random.Random) -> tuple[list[Endorsement], list[str]]:
    """Renters endorsements and the full form list (HO 4 form first)."""
    endorsements = [Endorsement(f"HM HO 01 {state}", f"Special Provisions - {STATE_NAMES[state]}")]
    if rng.random() < 0.7:
        endorsements.append(
            Endorsement("HO 04 90", "Personal Property Replacement Cost Loss Settlement")
        )
    forms = ["HO 00 04 05 11", *(e.form for e in endorsements)]
    return endorsements, forms
