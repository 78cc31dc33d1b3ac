"""The certificate of insurance page, in Policyline's own layout (not the licensed ACORD form)."""

from __future__ import annotations

from datetime import datetime

from bot.documents.certificate import CertificateOfInsurance
from bot.documents.formatting import us_date
from bot.documents.layout import NAVY, TINT, DocumentPDF, Field
from bot.phone_numbers import display_phone


def render_certificate(cert: CertificateOfInsurance, *, created_at: datetime) -> tuple[bytes, int]:
    """The certificate PDF: (bytes, page count)."""
    insurer = cert.insurers[0].name if cert.insurers else ""
    pdf = DocumentPDF(
        title="Certificate of Insurance",
        subject=f"Certificate of insurance for {cert.certificate_holder.name}",
        author=insurer,
        footer_note=f"Certificate {cert.certificate_number} · issued {us_date(cert.issued_on)}",
        created_at=created_at,
    )
    pdf.add_page()
    pdf.document_header(
        insurer,
        "Certificate of Insurance",
        [
            Field("Certificate number", cert.certificate_number),
            Field("Date issued", us_date(cert.issued_on)),
        ],
    )
    _disclaimer(pdf, cert.disclaimer)
    _parties(pdf, cert)

    pdf.section_heading("Coverages")
    pdf.paragraph(
        "The policies below have been issued to the insured named above for the policy periods "
        "shown.",
        size=7.8,
        line_height=3.6,
    )
    pdf.set_y(pdf.get_y() + 1.5)
    pdf.field_grid(
        [Field(f"Insurer {i.letter} affording coverage", f"{i.name} · NAIC {i.naic_code}")
         for i in cert.insurers],
        columns=2,
    )  # fmt: skip
    for c in cert.coverages:
        pdf.field_grid(
            [
                Field("Insurer", c.insurer_letter),
                Field("Type of insurance", c.coverage_type),
                Field("Policy number", c.policy_number),
                Field("Effective", us_date(c.effective_date)),
                Field("Expires", us_date(c.expiration_date)),
            ],
            columns=5,
            weights=(0.7, 2, 1.5, 1.1, 1.1),
        )
        pdf.data_table(
            ["Coverage", "Limit", "Deductible"],
            [[lim.coverage, lim.limit, lim.deductible] for lim in c.limits],
            col_widths=(3.4, 2.4, 2.2),
        )
    if cert.description:
        pdf.section_heading("Description of vehicles / locations")
        pdf.paragraph(cert.description, size=8.4)

    _holder_and_cancellation(pdf, cert)
    pdf.set_y(pdf.get_y() + 3)
    pdf.paragraph(
        f"Authorized representative: {cert.producer.name}, for {insurer}. "
        "Issued electronically; valid without signature.",
        size=7.6,
        line_height=3.8,
    )
    return pdf.to_bytes(), pdf.pages_count


def _disclaimer(pdf: DocumentPDF, text: str) -> None:
    pdf.set_fill_color(*TINT)
    pdf.set_text_style(7.8, bold=True, colour=NAVY)
    with pdf.tags.content("P"):
        pdf.multi_cell(
            pdf.content_width(), 3.8, text, fill=True, align="L", new_x="LMARGIN",
            new_y="NEXT", padding=(2, 3, 2, 3),
        )  # fmt: skip
    pdf.set_y(pdf.get_y() + 3)


def _parties(pdf: DocumentPDF, cert: CertificateOfInsurance) -> None:
    gap = 6.0
    width = (pdf.content_width() - gap) / 2
    top = pdf.get_y()
    producer = [Field("Name", cert.producer.name), Field("Address", cert.producer.address)]
    if cert.producer.phone:
        producer.append(Field("Phone", display_phone(cert.producer.phone)))
    left_h = pdf.boxed_fields("Producer", producer, pdf.l_margin, top, width)
    right_h = pdf.boxed_fields(
        "Insured",
        [Field("Name(s)", cert.insured.name), Field("Address", cert.insured.address)],
        pdf.l_margin + width + gap,
        top,
        width,
    )
    pdf.set_xy(pdf.l_margin, top + max(left_h, right_h) + 1)


def _holder_and_cancellation(pdf: DocumentPDF, cert: CertificateOfInsurance) -> None:
    gap = 6.0
    width = (pdf.content_width() - gap) / 2
    holder = [
        Field("Name", cert.certificate_holder.name),
        Field("Address", cert.certificate_holder.address or "—"),
    ]
    needed = 10 + sum(pdf.field_height(width - 6, f) + 1.6 for f in holder)
    pdf.ensure_space(needed + 12)
    pdf.set_y(pdf.get_y() + 3)
    top = pdf.get_y()
    left_h = pdf.boxed_fields("Certificate holder", holder, pdf.l_margin, top, width)
    right_h = pdf.note_box(
        "Cancellation", cert.cancellation_wording, pdf.l_margin + width + gap, top, width
    )
    pdf.set_xy(pdf.l_margin, top + max(left_h, right_h) + 1)
