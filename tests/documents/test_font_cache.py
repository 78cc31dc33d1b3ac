"""Fonts are parsed once per process, yet every document embeds exactly the glyphs it drew."""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor

import pytest
from fontTools import ttLib
from pypdf import PdfReader

from bot.documents import CertificateHolder, DocumentKind, DocumentRenderer, font_cache
from tests.documents.support import embedded_font_names, pdf_text, qpdf_check


def embedded_characters(pdf: bytes) -> set[str]:
    """The characters the font programs embedded in the PDF can draw."""
    reader = PdfReader(io.BytesIO(pdf))
    names: set[str] = set()
    for page in reader.pages:
        for ref in page["/Resources"]["/Font"].values():
            for descendant in ref.get_object().get("/DescendantFonts", []):
                descriptor = descendant.get_object()["/FontDescriptor"].get_object()
                program = descriptor["/FontFile2"].get_object().get_data()
                font = ttLib.TTFont(io.BytesIO(program))
                names.update(chr(code) for code in font.getBestCmap())
    return names


def certificate_for(renderer: DocumentRenderer, persona, name: str) -> bytes:  # type: ignore[no-untyped-def]
    holder, policy = persona("AUT-1000001")
    certificate_holder = CertificateHolder(name=name, address="12 Main St, Austin, TX 78701")
    return renderer.render(
        DocumentKind.CERTIFICATE, policy, holder, certificate_holder=certificate_holder
    ).pdf


def test_font_files_are_parsed_once_per_process_not_per_document(
    renderer: DocumentRenderer, persona, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(font_cache, "_programs", {})
    loaded: list[str] = []
    real_load = font_cache.FontProgram.load.__func__  # type: ignore[attr-defined]

    def counting_load(cls, path):  # type: ignore[no-untyped-def]
        loaded.append(path.name)
        return real_load(cls, path)

    monkeypatch.setattr(font_cache.FontProgram, "load", classmethod(counting_load))
    holder, policy = persona("AUT-1000001")

    for kind in (DocumentKind.ID_CARD, DocumentKind.DECLARATIONS, DocumentKind.ID_CARD):
        renderer.render(kind, policy, holder)

    assert sorted(loaded) == ["DejaVuSans-Bold.ttf", "DejaVuSans.ttf"]


def test_letters_outside_the_common_set_still_render_and_embed(
    renderer: DocumentRenderer, persona, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    pdf = certificate_for(renderer, persona, "Ωμέγα Δόμος Ltd")

    assert "Ωμέγα Δόμος Ltd" in pdf_text(pdf)
    assert {"Ω", "μ", "Δ"} <= embedded_characters(pdf)
    assert all("+" in name for name in embedded_font_names(pdf)), "still a subset"
    path = tmp_path / "greek.pdf"
    path.write_bytes(pdf)
    assert qpdf_check(path).returncode == 0


def test_a_document_embeds_only_its_own_glyphs_after_another_used_more(
    renderer: DocumentRenderer, persona
) -> None:
    with_zcaron = certificate_for(renderer, persona, "Žofia Ωμέγα Holdings")
    without = certificate_for(renderer, persona, "Riverside Holdings")

    assert {"Ž", "μ"} <= embedded_characters(with_zcaron)
    assert not {"Ž", "μ"} & embedded_characters(without)


def test_documents_rendered_at_once_in_threads_match_those_rendered_alone(
    renderer: DocumentRenderer, persona
) -> None:
    names = [f"Holder {letter} Ltd" for letter in "ÁÉÍÓÚÑÜŽ"]
    alone = [pdf_text(certificate_for(renderer, persona, name)) for name in names]

    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(pool.map(lambda n: pdf_text(certificate_for(renderer, persona, n)), names))

    assert together == alone


def test_rendering_under_info_logging_writes_no_font_subsetting_chatter(
    renderer: DocumentRenderer, persona, caplog: pytest.LogCaptureFixture
) -> None:  # type: ignore[no-untyped-def]
    holder, policy = persona("AUT-1000001")
    with caplog.at_level("INFO"):
        renderer.render(DocumentKind.ID_CARD, policy, holder)
    assert [r.name for r in caplog.records if r.name.startswith("fontTools")] == []
