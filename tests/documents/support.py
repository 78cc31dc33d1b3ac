"""Small helpers for document tests: a settable clock, PDF text, structure checks, PNG pages."""

from __future__ import annotations

import io
import re
import subprocess
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from pypdf import PdfReader

PROJECT_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = PROJECT_ROOT / "test-artifacts" / "documents"
NOW = datetime(2026, 11, 25, 15, 0, tzinfo=timezone.utc)


@dataclass
class SettableClock:
    """A clock the test moves by hand."""

    now: datetime = NOW

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now = self.now + timedelta(**delta)


def pdf_text(pdf: bytes) -> str:
    """All text of a PDF, pages joined, runs of whitespace made single spaces."""
    reader = PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def page_texts(pdf: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(pdf))
    return [re.sub(r"\s+", " ", page.extract_text()) for page in reader.pages]


def embedded_font_names(pdf: bytes) -> set[str]:
    """Base names of the fonts embedded (with a font file) in the PDF."""
    reader = PdfReader(io.BytesIO(pdf))
    names: set[str] = set()
    for page in reader.pages:
        fonts = page["/Resources"]["/Font"]
        for ref in fonts.values():
            font = ref.get_object()
            for descendant in font.get("/DescendantFonts", []):
                descriptor = descendant.get_object()["/FontDescriptor"].get_object()
                if "/FontFile2" in descriptor:
                    names.add(str(descriptor["/FontName"]))
    return names


def qpdf_check(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)


def save_with_pngs(name: str, pdf: bytes) -> tuple[Path, list[Path]]:
    """Write ``name``.pdf under test-artifacts/documents and render its pages at 60 dpi."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.pdf"
    path.write_bytes(pdf)
    for old in ARTIFACTS.glob(f"{name}-*.png"):
        old.unlink()
    subprocess.run(
        ["pdftoppm", "-r", "60", "-png", str(path), str(ARTIFACTS / name)],
        check=True,
        capture_output=True,
    )
    return path, sorted(ARTIFACTS.glob(f"{name}-*.png"))


def text_lines_with_y(pdf: bytes, page: int = 0) -> list[tuple[str, float]]:
    """Each text run on a page with its baseline height in points from the bottom."""
    reader = PdfReader(io.BytesIO(pdf))
    runs: list[tuple[str, float]] = []

    def visit(text: str, cm, tm, font, size) -> None:  # type: ignore[no-untyped-def]
        if text.strip():
            # Text position in page space: the text matrix's origin through the CTM.
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            runs.append((text.strip(), y))

    reader.pages[page].extract_text(visitor_text=visit)
    return runs
