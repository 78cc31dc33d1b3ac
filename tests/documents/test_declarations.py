"""Declarations pages: every section the persona's policy has, with its figures."""

from __future__ import annotations

from decimal import Decimal

from bot.documents import DocumentKind, DocumentRenderer
from bot.documents.formatting import deductible, limit, parse_amount, us_date
from bot.money import money
from tests.documents.support import pdf_text


def test_auto_declarations_list_drivers_vehicles_coverages_discounts_and_totals(
    renderer: DocumentRenderer, persona
) -> None:
    holder, policy = persona("AUT-1000001")
    doc = renderer.render(DocumentKind.DECLARATIONS, policy, holder)
    text = pdf_text(doc.pdf)

    assert "Personal Auto Policy Declarations" in text
    assert policy.policy_number in text
    assert f"{us_date(policy.effective_date)} to {us_date(policy.expiration_date)}" in text
    for name in policy.named_insureds:
        assert name in text
    assert policy.producer.name in text
    for driver in policy.drivers:
        assert driver.name in text
        # Dates of birth stay off a page people hand to lenders.
        assert us_date(driver.date_of_birth) not in text
        assert driver.date_of_birth.isoformat() not in text
    for i, vehicle in enumerate(policy.vehicles, start=1):
        assert vehicle.vin in text
        assert f"Coverages for vehicle {i}: {vehicle.description}" in text
    lien = policy.vehicles[0].lienholder
    assert lien is not None and lien.name in text and lien.address in text
    for c in policy.coverages:
        row = f"{c.name} {limit(c.limit)} {deductible(c.deductible)} {money(c.premium)}"
        assert row in text, row
    for d in policy.discounts:
        assert f"Discount: {d.name} {money(d.amount)}" in text
    for e in policy.endorsements:
        assert f"{e.form} {e.name}" in text
    for form in policy.forms:
        assert form in text
    assert f"Total policy premium for the policy period {money(policy.total_premium)}" in text
    # The printed parts add up to the PAS total.
    parts = sum((c.premium for c in policy.coverages), Decimal(0)) + sum(
        (d.amount for d in policy.discounts), Decimal(0)
    )
    assert parts == policy.total_premium


def test_home_declarations_show_coverages_a_to_f_percentage_deductible_and_mortgagee(
    renderer: DocumentRenderer, persona
) -> None:
    holder, policy = persona("HOM-2000001")
    doc = renderer.render(DocumentKind.DECLARATIONS, policy, holder)
    text = pdf_text(doc.pdf)

    assert "Homeowners Policy Declarations" in text
    by_code = {c.code: c for c in policy.coverages}
    for code in "ABCDEF":
        c = by_code[code]
        assert f"Coverage {code} – {c.name} {limit(c.limit)}" in text, code
    prop = policy.properties[0]
    assert prop.address.street in text
    assert f"YEAR BUILT {prop.year_built}" in text
    assert f"CONSTRUCTION {prop.construction}" in text
    # 2% wind/hail of Coverage A: James's dwelling limit gives the dollar figure.
    dwelling = parse_amount(by_code["A"].limit or "")
    assert dwelling is not None
    assert by_code["WH"].deductible == "2%"
    assert f"2% of Coverage A (${dwelling * 2 / 100:,.0f})" in text
    assert f"Coverage A, Coverage B, Coverage C {deductible(by_code['A'].deductible)}" in text
    mortgagee = prop.mortgagee
    assert mortgagee is not None
    assert mortgagee.name in text and mortgagee.loan_number in text
    for e in policy.endorsements:
        assert f"{e.form} {e.name}" in text
    assert f"Total policy premium for the policy period {money(policy.total_premium)}" in text


def test_renters_declarations_show_personal_property_liability_and_medical_only(
    renderer: DocumentRenderer, persona
) -> None:
    holder, policy = persona("REN-3000001")
    text = pdf_text(renderer.render(DocumentKind.DECLARATIONS, policy, holder).pdf)

    assert "Renters Policy Declarations" in text
    assert "Residence premises" in text
    assert sorted(c.code for c in policy.coverages) == ["C", "E", "F"]
    for c in policy.coverages:
        assert f"Coverage {c.code} – {c.name} {limit(c.limit)}" in text
    assert "Coverage A" not in text
    assert "Mortgagee" not in text
    assert f"Total policy premium for the policy period {money(policy.total_premium)}" in text


def test_cancelled_policy_declarations_say_so_on_the_first_page(
    renderer: DocumentRenderer, persona
) -> None:
    holder, policy = persona("AUT-1000002")
    doc = renderer.render(DocumentKind.DECLARATIONS, policy, holder)
    assert policy.cancelled_on is not None
    banner = f"This policy was cancelled effective {us_date(policy.cancelled_on)}"
    assert banner in pdf_text(doc.pdf)
