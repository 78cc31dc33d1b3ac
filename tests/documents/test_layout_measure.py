"""Measuring a field's height without the line breaker gives the line breaker's answer."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from fpdf.errors import FPDFException

from bot.documents import DocumentKind, DocumentRenderer, id_card
from bot.documents.layout import DocumentPDF
from bot.documents.state_templates import default_registry
from tests.documents.support import text_lines_with_y

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


def test_a_card_statement_is_wrapped_once_per_process_and_drawn_as_the_breaker_wraps_it(
    pdf: DocumentPDF, renderer: DocumentRenderer, persona, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(id_card, "_wrapped_lines", {})
    monkeypatch.setattr(id_card, "_statement_heights", {})
    holder, policy = persona("AUT-1000001")
    template = default_registry().for_state(policy.state)

    renderer.render(DocumentKind.ID_CARD, policy, holder)
    wrapped = dict(id_card._wrapped_lines)
    second = renderer.render(DocumentKind.ID_CARD, policy, holder)

    assert id_card._wrapped_lines == wrapped and len(wrapped) == 1 + bool(template.notice)
    pdf.set_text_style(6.9)
    (width,) = {w for _, w, _ in wrapped}
    lines = pdf.multi_cell(width, 3.05, template.statement, dry_run=True, output="LINES")
    assert len(lines) > 1
    runs = [text for text, _ in text_lines_with_y(second.pdf)]
    for line in lines:  # every wrapped line is drawn as its own run, once per card (two cards)
        assert runs.count(line.strip()) == 2, line
