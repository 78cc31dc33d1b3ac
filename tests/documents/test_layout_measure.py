"""Measuring a field's height without the line breaker gives the line breaker's answer."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from fpdf.errors import FPDFException

from bot.documents.layout import DocumentPDF

TEXTS = [
    "AUT-1000001",
    "José Núñez-Ortega",
    "2019 Toyota Camry LE 4D Sedan, VIN 4T1BF1FK5CU123456",
    "Bodily injury liability $100,000 each person / $300,000 each accident",
    "—",
    "Ωμέγα Δόμος Ltd",
    "12 Main St\nApt 4\nAustin, TX 78701",
    "Riverside Property Management LLC\n45 Calle Mayor, Miami, FL 33101",
]


@pytest.fixture(scope="module")
def pdf() -> DocumentPDF:
    document = DocumentPDF(
        title="t",
        subject="s",
        author="a",
        footer_note="f",
        created_at=datetime(2026, 11, 25, tzinfo=timezone.utc),
    )
    document.add_page()
    return document


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("size", [6.8, 8.2, 9.5])
def test_text_height_matches_the_line_breaker_at_and_around_the_line_width(
    pdf: DocumentPDF, text: str, size: float
) -> None:
    pdf.set_text_style(size)
    exact = pdf.get_string_width(text) + 2 * pdf.c_margin
    for width in [exact * f for f in (0.4, 0.8, 0.99, 1.0, 1.001, 1.01, 1.2, 3.0)]:
        try:
            breaker = pdf.multi_cell(width, 4.4, text, dry_run=True, output="HEIGHT", padding=0)
        except FPDFException:  # narrower than one character: both refuse
            with pytest.raises(FPDFException):
                pdf.text_height(width, text, 4.4)
            continue
        assert pdf.text_height(width, text, 4.4) == pytest.approx(breaker), (width, text)
