"""Every persona's documents generate as structurally valid PDFs with embedded fonts.

Each PDF is also written to test-artifacts/documents/ with its pages as 60 dpi PNGs, for people
to look at (the folder is git-ignored).
"""

from __future__ import annotations

import io
from dataclasses import replace

import pikepdf
import pytest
from PIL import Image

from bot.documents import (
    MMS_MAX_BYTES,
    CertificateHolder,
    DocumentKind,
    DocumentRenderer,
    DocumentUnavailable,
)
from tests.documents.persona_data import PERSONA_POLICIES, generated_book
from tests.documents.support import (
    NOW,
    embedded_font_names,
    pdf_text,
    qpdf_check,
    save_with_pngs,
)

HOLDER = CertificateHolder.parse("Núñez & Hijos Gestión Inmobiliaria, 45 Calle Mayor, Miami, FL")
# What each persona policy may have (the rest must be refused).
EXPECTED = {
    "AUT-1000001": {DocumentKind.ID_CARD, DocumentKind.DECLARATIONS, DocumentKind.CERTIFICATE},
    "HOM-2000001": {DocumentKind.DECLARATIONS, DocumentKind.CERTIFICATE},
    "REN-3000001": {DocumentKind.DECLARATIONS, DocumentKind.CERTIFICATE},
    "AUT-1000002": {DocumentKind.DECLARATIONS},
    "AUT-1000003": {DocumentKind.ID_CARD, DocumentKind.DECLARATIONS, DocumentKind.CERTIFICATE},
    "HOM-2000002": {DocumentKind.DECLARATIONS, DocumentKind.CERTIFICATE},
}


@pytest.mark.parametrize("number", PERSONA_POLICIES)
def test_every_persona_document_is_valid_embedded_and_rendered_to_png(
    renderer: DocumentRenderer, persona, number: str
) -> None:
    holder, policy = persona(number)
    produced = set()
    for kind in DocumentKind:
        try:
            doc = renderer.render(kind, policy, holder, certificate_holder=HOLDER)
        except DocumentUnavailable:
            continue
        produced.add(kind)
        path, pngs = save_with_pngs(f"{number}-{kind.value}", doc.pdf)

        check = qpdf_check(path)
        assert check.returncode == 0, check.stdout + check.stderr
        assert "No syntax or stream encoding errors found" in check.stdout
        with pikepdf.open(path) as pdf:
            assert len(pdf.pages) == doc.page_count
            assert str(pdf.docinfo["/Creator"]) == "Policyline"
            # US Letter portrait, in points.
            assert [round(float(v)) for v in pdf.pages[0].mediabox] == [0, 0, 612, 792]
        fonts = embedded_font_names(doc.pdf)
        assert fonts and all(name.split("+", 1)[-1].startswith("DejaVuSans") for name in fonts)
        assert all("+" in name for name in fonts), "fonts are subset, not whole files"
        assert doc.size_bytes < MMS_MAX_BYTES
        assert len(pngs) == doc.page_count
        for png in pngs:
            with Image.open(png) as page:
                assert page.size == (510, 660)
                # Not blank: a real page has a good share of non-white pixels.
                histogram = page.convert("L").histogram()
                assert sum(histogram[:200]) > 0.01 * page.width * page.height
    assert produced == EXPECTED[number]


def test_unicode_names_round_trip_through_the_pdf(renderer: DocumentRenderer, persona) -> None:
    holder, policy = persona("AUT-1000003")
    assert holder.full_name == "José Núñez"
    policy = replace(policy, named_insureds=("José Núñez", "Zoë Łukasiewicz-Ørsted", "Đặng Thị"))
    for kind in DocumentKind:
        text = pdf_text(renderer.render(kind, policy, holder, certificate_holder=HOLDER).pdf)
        for name in policy.named_insureds:
            assert name in text, (kind, name)
    cert = renderer.render(DocumentKind.CERTIFICATE, policy, holder, certificate_holder=HOLDER)
    assert "Núñez & Hijos Gestión Inmobiliaria" in pdf_text(cert.pdf)


def test_same_input_and_clock_give_identical_bytes(renderer: DocumentRenderer, persona) -> None:
    holder, policy = persona("AUT-1000001")
    first = renderer.render(DocumentKind.DECLARATIONS, policy, holder)
    second = renderer.render(DocumentKind.DECLARATIONS, policy, holder)
    assert first.pdf == second.pdf


@pytest.mark.slow
def test_every_policy_of_a_generated_book_renders_or_is_refused_cleanly(
    renderer: DocumentRenderer,
) -> None:
    book = generated_book(NOW.date(), policyholders=14)
    rendered = refused = 0
    states = set()
    for number, (holder, policy) in book.items():
        states.add(policy.state)
        for kind in DocumentKind:
            try:
                doc = renderer.render(kind, policy, holder, certificate_holder=HOLDER)
            except DocumentUnavailable:
                refused += 1
                assert kind is not DocumentKind.DECLARATIONS
                continue
            rendered += 1
            assert number in pdf_text(doc.pdf)
            assert doc.size_bytes < MMS_MAX_BYTES
            assert doc.pdf.startswith(b"%PDF-")
            pikepdf.open(io.BytesIO(doc.pdf)).close()
    assert rendered > 2 * len(book)
    assert refused > 0
    assert len(states) > 3
