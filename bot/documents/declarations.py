"""Declarations pages: the summary of who, what and how much a policy covers.

Auto: drivers, vehicles with lienholders, coverages per vehicle (limits, deductibles, premiums),
policy-level coverages, discounts, premium summary and forms. Home: insured location, Coverages
A to F, deductibles (a percentage wind/hail deductible is shown with its dollar amount), mortgagee,
endorsements, premium and forms. Renters: as home, with the coverages the policy has (C, E, F).

Driver dates of birth are left off on purpose: people show this page to lenders and landlords.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

from bot.documents.formatting import deductible, limit, parse_amount, us_date
from bot.documents.layout import DocumentPDF, Field
from bot.money import money
from bot.phone_numbers import display_phone
from pas_connector.models import Coverage, Policy, Policyholder, Property

_TITLES = {
    "auto": "Personal Auto Policy Declarations",
    "home": "Homeowners Policy Declarations",
    "renters": "Renters Policy Declarations",
}
_RELATIONSHIPS = {
    "named_insured": "Named insured",
    "spouse": "Spouse",
    "child": "Child",
    "other": "Other household member",
}
# Home coverages print in this order (Section I property, then Section II liability).
_HOME_ORDER = ("A", "B", "C", "D", "E", "F")


def render_declarations(
    policy: Policy, holder: Policyholder, *, today: date, created_at: datetime
) -> tuple[bytes, int]:
    """The declarations page PDF for any line: (bytes, page count)."""
    title = _TITLES.get(policy.line, "Policy Declarations")
    pdf = DocumentPDF(
        title=title,
        subject=f"Declarations for {holder.full_name}",
        author=policy.insurer.name,
        footer_note=(
            f"{policy.insurer.name} · NAIC {policy.insurer.naic_code} · "
            f"Policy {policy.policy_number} · issued {us_date(today)}"
        ),
        created_at=created_at,
    )
    pdf.add_page()
    pdf.document_header(
        policy.insurer.name,
        title,
        [
            Field("Policy number", policy.policy_number),
            Field(
                "Policy period",
                f"{us_date(policy.effective_date)} to {us_date(policy.expiration_date)}\n"
                "12:01 a.m. standard time at the insured's address",
            ),
            Field("Date issued", us_date(today)),
        ],
    )
    _status_banner(pdf, policy)
    _parties(pdf, policy)
    if policy.line == "auto":
        _auto_sections(pdf, policy)
    else:
        _property_sections(pdf, policy)
    _premium_summary(pdf, policy)
    _forms(pdf, policy)
    pdf.section_heading("About this page", space_before=4)
    pdf.paragraph(
        "This declarations page is part of your policy. Coverage is provided only as described "
        "in the policy forms listed above. Questions or changes: call your agent. "
        f"Report a claim 24 hours a day at {display_phone(policy.claims_phone)}.",
        size=7.6,
        line_height=3.6,
    )
    return pdf.to_bytes(), pdf.pages_count


def _status_banner(pdf: DocumentPDF, policy: Policy) -> None:
    if policy.status == "cancelled":
        when = f" effective {us_date(policy.cancelled_on)}" if policy.cancelled_on else ""
        pdf.banner(f"This policy was cancelled{when}. It is shown for your records.")
    elif policy.status == "expired":
        pdf.banner(f"This policy expired on {us_date(policy.expiration_date)}.")
    elif policy.status == "pending_cancel":
        pdf.banner("A cancellation notice has been issued for this policy. Coverage is in force.")


def _parties(pdf: DocumentPDF, policy: Policy) -> None:
    gap = 6.0
    width = (pdf.content_width() - gap) / 2
    top = pdf.get_y()
    address = policy.mailing_address
    left_h = pdf.boxed_fields(
        "Named insured",
        [
            Field("Name(s)", "\n".join(policy.named_insureds)),
            Field(
                "Mailing address",
                f"{address.street}\n{address.city}, {address.state} {address.zip}",
            ),
        ],
        pdf.l_margin,
        top,
        width,
    )
    right_h = pdf.boxed_fields(
        "Agent / producer",
        [
            Field("Name", policy.producer.name),
            Field("Address", policy.producer.address),
            Field("Phone", display_phone(policy.producer.phone)),
        ],
        pdf.l_margin + width + gap,
        top,
        width,
    )
    pdf.set_xy(pdf.l_margin, top + max(left_h, right_h) + 1)


# --- auto ------------------------------------------------------------------------------------


def _auto_sections(pdf: DocumentPDF, policy: Policy) -> None:
    if policy.drivers:
        pdf.data_table(
            ["Driver", "Relationship", "License state"],
            [
                [
                    d.name,
                    _RELATIONSHIPS.get(d.relationship, d.relationship.title()),
                    d.license_state,
                ]
                for d in policy.drivers
            ],
            col_widths=(3, 2, 1.2),
            title="Drivers",
        )
    pdf.data_table(
        ["#", "Vehicle", "VIN", "Lienholder / loss payee"],
        [
            [
                str(i),
                v.description,
                v.vin,
                f"{v.lienholder.name}\n{v.lienholder.address}" if v.lienholder else "None",
            ]
            for i, v in enumerate(policy.vehicles, start=1)
        ],
        col_widths=(0.4, 2.2, 2.4, 3.4),
        title="Vehicles",
    )
    shared = policy.policy_level_coverages()
    if shared:
        _coverage_table(
            pdf,
            shared,
            title="Coverages for all vehicles",
            subtotal_label="Premium for these coverages",
        )
    for i, vehicle in enumerate(policy.vehicles, start=1):
        coverages = policy.coverages_for_vehicle(vehicle.vehicle_id)
        if not coverages:
            continue
        _coverage_table(
            pdf,
            coverages,
            title=f"Coverages for vehicle {i}: {vehicle.description}",
            subtotal_label=f"Vehicle {i} premium",
        )
    _endorsements(pdf, policy)


def _coverage_table(
    pdf: DocumentPDF,
    coverages: Sequence[Coverage],
    *,
    title: str,
    subtotal_label: str,
    percent_base: tuple[str, Decimal] | None = None,
) -> None:
    rows = [
        [
            coverage_label(c),
            limit(c.limit),
            deductible(c.deductible, percent_of=percent_base),
            money(c.premium),
        ]
        for c in coverages
    ]
    rows.append([subtotal_label, "", "", money(_premium(coverages))])
    pdf.data_table(
        ["Coverage", "Limit", "Deductible", "Premium"],
        rows,
        col_widths=(3.2, 2.6, 2.0, 1.2),
        align=("L", "L", "L", "R"),
        emphasise_last_row=True,
        title=title,
    )


# --- home and renters ------------------------------------------------------------------------


def _property_sections(pdf: DocumentPDF, policy: Policy) -> None:
    for prop in policy.properties:
        pdf.section_heading("Insured location" if policy.line == "home" else "Residence premises")
        a = prop.address
        details = [Field("Address", f"{a.street}, {a.city}, {a.state} {a.zip}")]
        if policy.line == "home":
            details += [
                Field("Year built", str(prop.year_built)),
                Field("Construction", prop.construction),
            ]
        pdf.field_grid(details, columns=3, weights=(3, 1, 1))
    coverages = _ordered_property_coverages(policy)
    base = coverage_a_base(coverages)
    # A line with no limit and no premium only sets a deductible (e.g. wind/hail 2%).
    priced = [c for c in coverages if c.limit or c.premium]
    _coverage_table(
        pdf, priced, title="Coverages", subtotal_label="Coverage premium", percent_base=base
    )
    deductibles = _deductible_lines(coverages, base)
    if deductibles:
        pdf.data_table(
            ["Applies to", "Deductible"],
            deductibles,
            col_widths=(3, 4),
            title="Deductibles",
        )
    mortgagees = [p.mortgagee for p in policy.properties if p.mortgagee is not None]
    if mortgagees:
        pdf.data_table(
            ["Mortgagee", "Address", "Loan number"],
            [[m.name, m.address, m.loan_number] for m in mortgagees],
            col_widths=(2.4, 3.6, 1.6),
            title="Mortgagee",
        )
    _endorsements(pdf, policy)


def _endorsements(pdf: DocumentPDF, policy: Policy) -> None:
    if policy.endorsements:
        pdf.data_table(
            ["Form", "Endorsement"],
            [[e.form, e.name] for e in policy.endorsements],
            col_widths=(1.3, 4),
            title="Endorsements",
        )


def _ordered_property_coverages(policy: Policy) -> list[Coverage]:
    def key(c: Coverage) -> tuple[int, str]:
        code = c.code.strip().upper()
        return (_HOME_ORDER.index(code) if code in _HOME_ORDER else len(_HOME_ORDER), c.name)

    return sorted(policy.coverages, key=key)


def coverage_label(c: Coverage) -> str:
    """The lettered home coverages read "Coverage A", dash, name; others just their name."""
    code = c.code.strip().upper()
    if code in _HOME_ORDER and not c.name.lower().startswith("coverage"):
        return f"Coverage {code} – {c.name}"
    return c.name


def coverage_a_base(coverages: Sequence[Coverage]) -> tuple[str, Decimal] | None:
    """Coverage A's limit: the base a percentage deductible is figured on."""
    for c in coverages:
        if c.code.strip().upper() == "A" and c.limit:
            amount = parse_amount(c.limit)
            if amount is not None:
                return ("Coverage A", amount)
    return None


def _deductible_lines(
    coverages: Sequence[Coverage], base: tuple[str, Decimal] | None
) -> list[list[str]]:
    """One line per distinct deductible, naming the coverages it applies to."""
    by_value: dict[str, list[str]] = {}
    for c in coverages:
        if c.deductible:
            name = c.name.removesuffix(" Deductible")
            label = f"Coverage {c.code}" if c.code in _HOME_ORDER else name
            by_value.setdefault(c.deductible, []).append(label)
    return [
        [", ".join(names), deductible(value, percent_of=base)] for value, names in by_value.items()
    ]


# --- totals and forms ------------------------------------------------------------------------


def _premium_summary(pdf: DocumentPDF, policy: Policy) -> None:
    rows: list[list[str]] = []
    if policy.line == "auto":
        shared = policy.policy_level_coverages()
        if shared:
            rows.append(["Coverages for all vehicles", money(_premium(shared))])
        for i, vehicle in enumerate(policy.vehicles, start=1):
            own = policy.coverages_for_vehicle(vehicle.vehicle_id)
            rows.append([f"Vehicle {i}: {vehicle.description}", money(_premium(own))])
    else:
        rows.append(["Coverages", money(_premium(policy.coverages))])
    for d in policy.discounts:
        rows.append([f"Discount: {d.name}", money(d.amount)])
    rows.append(["Total policy premium for the policy period", money(policy.total_premium)])
    pdf.data_table(
        ["Item", "Amount"],
        rows,
        col_widths=(5, 1.4),
        align=("L", "R"),
        emphasise_last_row=True,
        title="Premium",
    )


def _premium(coverages: Sequence[Coverage]) -> Decimal:
    return sum((c.premium for c in coverages), Decimal(0))


def _forms(pdf: DocumentPDF, policy: Policy) -> None:
    forms = list(policy.forms)
    forms += [e.form for e in policy.endorsements if e.form not in forms]
    if not forms:
        return
    pdf.section_heading("Forms and endorsements that make up this policy")
    pdf.paragraph(" · ".join(forms), size=8.2)


def property_label(prop: Property) -> str:
    """One-line description of an insured property (used by certificates too)."""
    a = prop.address
    return f"{a.street}, {a.city}, {a.state} {a.zip}"
