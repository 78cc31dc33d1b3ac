"""Certificates of insurance: ACORD-25-like content in our own layout, naming the holder."""

from __future__ import annotations

import pytest

from bot.documents import (
    CertificateHolder,
    CertificateHolderRequired,
    DocumentKind,
    DocumentRenderer,
    PolicyNotInForce,
)
from bot.documents.certificate import CANCELLATION_WORDING, DISCLAIMER, build_certificate
from bot.documents.formatting import limit, us_date
from tests.documents.support import NOW, pdf_text

HOLDER = CertificateHolder.parse("Riverside Property Management LLC, 12 Main St, Austin, TX 78701")


def test_certificate_holder_is_parsed_from_name_then_address() -> None:
    assert HOLDER.name == "Riverside Property Management LLC"
    assert HOLDER.address == "12 Main St, Austin, TX 78701"
    with pytest.raises(CertificateHolderRequired):
        CertificateHolder.parse(" , 12 Main St")


def test_renters_certificate_names_holder_insurer_policy_dates_and_limits(
    renderer: DocumentRenderer, persona
) -> None:
    holder, policy = persona("REN-3000001")
    doc = renderer.render(DocumentKind.CERTIFICATE, policy, holder, certificate_holder=HOLDER)
    text = pdf_text(doc.pdf)

    assert doc.certificate_number == "COI-20261125-TEST0001"
    assert doc.filename == "certificate-COI-20261125-TEST0001.pdf"
    assert "Certificate of Insurance" in text
    assert "COI-20261125-TEST0001" in text
    assert us_date(NOW.date()) in text
    assert HOLDER.name in text and HOLDER.address in text
    assert f"{policy.insurer.name} · NAIC {policy.insurer.naic_code}" in text
    assert policy.producer.name in text and policy.producer.address in text
    assert policy.named_insureds[0] in text
    assert (
        f"INSURER A TYPE OF INSURANCE Renters (tenant homeowners) POLICY NUMBER "
        f"{policy.policy_number} EFFECTIVE {us_date(policy.effective_date)} "
        f"EXPIRES {us_date(policy.expiration_date)}"
    ) in text
    for c in policy.coverages:
        assert f"Coverage {c.code} – {c.name} {limit(c.limit)}" in text
    assert " ".join(CANCELLATION_WORDING.split()) in text
    assert " ".join(DISCLAIMER.split()) in text
    assert "Location: " + policy.properties[0].address.street in text
    assert doc.page_count == 1


def test_auto_certificate_lists_shared_coverages_once_and_differing_ones_per_vehicle(
    persona,
) -> None:
    holder, policy = persona("AUT-1000001")
    cert = build_certificate(
        policy, holder, HOLDER, issued_on=NOW.date(), certificate_number="COI-1"
    )
    labels = [line.coverage for line in cert.coverages[0].limits]

    assert labels.count("Bodily Injury Liability") == 1
    # Maria's collision deductibles differ by vehicle (500 and 1,000): one line per vehicle.
    assert "Collision – 2021 Toyota RAV4" in labels
    assert "Collision – 2017 Honda Civic" in labels
    # Rental reimbursement is on the RAV4 only, so it says which vehicle.
    assert "Rental Reimbursement – 2021 Toyota RAV4" in labels
    assert all(v.vin in cert.description for v in policy.vehicles)


def test_certificate_needs_a_holder_and_a_policy_in_force(
    renderer: DocumentRenderer, persona
) -> None:
    holder, policy = persona("HOM-2000001")
    with pytest.raises(CertificateHolderRequired):
        renderer.render(DocumentKind.CERTIFICATE, policy, holder)
    cancelled_holder, cancelled = persona("AUT-1000002")
    with pytest.raises(PolicyNotInForce):
        renderer.render(
            DocumentKind.CERTIFICATE, cancelled, cancelled_holder, certificate_holder=HOLDER
        )
