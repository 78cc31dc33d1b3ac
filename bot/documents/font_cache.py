"""Fonts parsed once per process and shared by every document.

``FPDF.add_font`` parses the whole TTF with fontTools for every document (about 50 ms per DejaVu
face), and at ``output()`` fpdf2 subsets the font in place, decompiling the full glyph, cmap and
post tables of a 740 KB file again (another 30 ms per face). Both are the same work for every
document. This module does the work once per process:

- ``FontProgram`` parses each TTF once into a template ``TTFFont`` (metrics, cmap, glyph ids,
  descriptor) and keeps the file's bytes, plus a pre-subset of it with every Latin, punctuation,
  currency and common symbol glyph (the "common program", about a sixth of the glyphs);
- ``add_cached_font`` gives a document its own ``TTFFont`` made from the template: the read-only
  tables (cmap, glyph ids) are shared, everything fpdf2 changes while drawing or writing the file
  (widths cache, subset map, missing glyphs, descriptor) is the document's own;
- ``attach_font_programs`` (just before ``output()``) hands each font a fresh, lazily loaded
  fontTools object for fpdf2 to subset in place: the common program when every glyph the
  document drew is in it (the usual case; subsetting it costs a quarter of the full file),
  otherwise the full file. The embedded subset has the same glyphs, outlines, widths and
  character map as before; only font-wide maxima (bounding box, maxp) are not recomputed for the
  few glyphs used (see ``_for_subsetting``).

``fpdf.fonts.TTFFont`` is fpdf2's own class and fpdf2 is pinned; the fields copied here are those
of its ``__slots__`` and ``__deepcopy__`` (which fpdf2 itself uses to share fonts between an
``FPDF`` and its recorders). tests/documents checks the text, fonts and tagging of every document.
"""

from __future__ import annotations

import copy
import logging
import threading
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from fontTools import subset as ftsubset
from fontTools import ttLib
from fpdf import FPDF
from fpdf.fonts import SubsetMap, TTFFont

# fontTools' subsetter logs each step at INFO (about 90 records per document): under a server's
# INFO logging that was formatting and writing, and contending for the logging lock, on every
# render. Its warnings still come through.
logging.getLogger("fontTools").setLevel(logging.WARNING)

# What the common program keeps: Latin letters with their accents (Latin-1 Supplement, Latin
# Extended-A and -B: Spanish, French, German, Vietnamese base letters, Polish, Czech, ...),
# punctuation, currency and letter-like symbols, simple arrows, the minus sign, geometric shapes,
# ballot boxes and dingbats (the ID card's cut line is U+2702), and U+FFFD. Documents with other
# letters (Greek, Cyrillic, Vietnamese tone marks, ...) still render: they subset the full file.
# Fewer glyphs make a cheaper subset: this is about a quarter of the file.
COMMON_RANGES: tuple[tuple[int, int], ...] = (
    (0x0020, 0x024F),
    (0x2000, 0x206F),
    (0x20A0, 0x20CF),
    (0x2100, 0x214F),
    (0x2190, 0x2199),
    (0x2212, 0x2212),
    (0x25A0, 0x25FF),
    (0x2610, 0x2612),
    (0x2700, 0x27BF),
    (0xFFFD, 0xFFFD),
)

# The tables fpdf2 2.8 drops when it embeds a subset (fpdf/output.py, ``_add_fonts``); the common
# program drops the same so that subsetting it gives what subsetting the full file gives.
_DROPPED_BY_FPDF = (
    "FFTM", "GDEF", "GPOS", "GSUB", "MATH", "hdmx", "meta", "sbix", "CBDT", "CBLC", "EBDT",
    "EBLC", "EBSC", "SVG ", "CPAL", "COLR",
)  # fmt: skip


@dataclass(frozen=True)
class FontProgram:
    """One TTF file, parsed once: the template font and the bytes fpdf2 subsets for the PDF."""

    path: Path
    template: TTFFont
    full: bytes
    common: bytes
    common_glyphs: frozenset[str]

    @classmethod
    def load(cls, path: Path) -> FontProgram:
        full = path.read_bytes()
        template = TTFFont(FPDF(), path, fontkey="template", style="")
        if template.color_font is not None or template.is_cff:
            raise ValueError(f"{path.name}: only TrueType outline fonts are cached")
        common, glyphs = _common_program(full)
        # The template's parsed fontTools object (several MB once decompiled) is not needed again.
        template.ttfont.close()
        template.ttfont = _lazy(full)
        return cls(path, template, full, common, glyphs)

    def new_font(self, pdf: FPDF, fontkey: str, style: str) -> TTFFont:
        """A ``TTFFont`` for one document, as ``FPDF.add_font`` would have made it."""
        font: TTFFont = TTFFont.__new__(TTFFont)
        for slot in TTFFont.__slots__:
            if hasattr(self.template, slot):
                setattr(font, slot, getattr(self.template, slot))
        font.i = len(pdf.fonts) + 1
        font.fontkey = fontkey
        font.emphasis = type(self.template.emphasis).coerce(style)
        # fpdf2 changes these while drawing and writing the file: each document has its own.
        font.cw = self.template.cw.copy()  # a defaultdict: lookups of unknown characters add keys
        font.missing_glyphs = []
        font.biggest_size_pt = 0
        font.desc = copy.copy(self.template.desc)  # output() sets its font name and object id
        font.subset = SubsetMap(font)
        font.ttfont = _lazy(self.full)
        return font

    def program_for(self, font: TTFFont) -> bytes:
        """The smallest of our programs that has every glyph ``font`` drew."""
        used = font.subset.get_all_glyph_names()
        return self.common if self.common_glyphs.issuperset(used) else self.full


_lock = threading.Lock()
_programs: dict[Path, FontProgram] = {}


def font_program(path: Path) -> FontProgram:
    """The process-wide ``FontProgram`` for ``path``, loaded on first use."""
    resolved = path.resolve()
    program = _programs.get(resolved)
    if program is not None:
        return program
    with _lock:
        program = _programs.get(resolved)
        if program is None:
            program = FontProgram.load(resolved)
            _programs[resolved] = program
    return program


def preload_in_background(paths: list[Path]) -> threading.Thread:
    """Load ``paths`` in a daemon thread, so the first document of a process does not wait for
    it (about a second of CPU) and an event loop never does."""
    thread = threading.Thread(
        target=lambda: [font_program(path) for path in paths],
        name="policyline-font-preload",
        daemon=True,
    )
    thread.start()
    return thread


def add_cached_font(pdf: FPDF, family: str, style: str, path: Path) -> None:
    """``pdf.add_font(family, style, path)`` without parsing the file again."""
    style = "".join(sorted(style.upper()))
    fontkey = f"{family.lower()}{style}"
    if fontkey in pdf.fonts:
        raise ValueError(f"font {fontkey!r} already added")
    pdf.fonts[fontkey] = font_program(path).new_font(pdf, fontkey, style)


def attach_font_programs(pdf: FPDF) -> None:
    """Give each cached font the program fpdf2 will subset; call right before ``output()``."""
    for font in pdf.fonts.values():
        if not isinstance(font, TTFFont):
            continue
        program = _programs.get(Path(font.ttffile).resolve())
        if program is not None:
            font.ttfont = _for_subsetting(program.program_for(font))


def _lazy(data: bytes) -> ttLib.TTFont:
    # As fpdf2 opens fonts: tables are decompiled on first use, the timestamp kept.
    return ttLib.TTFont(BytesIO(data), recalcTimestamp=False, lazy=True)


def _for_subsetting(data: bytes) -> ttLib.TTFont:
    # Without recalcBBoxes, saving the subset copies each glyph's bytes as they are instead of
    # decoding and re-encoding its outline (two thirds of the subsetting time). The glyphs keep
    # their own bounding boxes; only the font-wide maxima (head bounding box, maxp, hhea) stay
    # those of the program it was cut from, a superset of the glyphs used, which is valid.
    return ttLib.TTFont(BytesIO(data), recalcTimestamp=False, recalcBBoxes=False, lazy=True)


def _common_program(full: bytes) -> tuple[bytes, frozenset[str]]:
    options = ftsubset.Options(notdef_outline=True, recommended_glyphs=True)
    options.drop_tables += list(_DROPPED_BY_FPDF)
    # Keep the glyph names: fpdf2 asks the subsetter for glyphs by their names in the full file.
    options.glyph_names = True
    font = _lazy(full)
    # A glyph drawn for several characters (DejaVu's "Omega" is both U+03A9 and the ohm sign
    # U+2126) is common only if all of them are: then a subset of the common program maps the same
    # characters to it as a subset of the full file.
    characters: dict[str, list[int]] = {}
    for code, glyph in font.getBestCmap().items():
        characters.setdefault(glyph, []).append(code)
    common = [
        glyph
        for glyph, codes in characters.items()
        if all(any(low <= code <= high for low, high in COMMON_RANGES) for code in codes)
    ]
    subsetter = ftsubset.Subsetter(options)
    subsetter.populate(glyphs=common)
    subsetter.subset(font)
    out = BytesIO()
    font.save(out)
    return out.getvalue(), frozenset(font.getGlyphOrder())
