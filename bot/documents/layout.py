"""The page layout every Policyline document shares: fonts, colours, headings, fields and tables.

Built on fpdf2, tagged for screen readers (``tagging``): every helper here puts what it draws in
the structure tree (headings, paragraphs, label/value lists, tables with column headers) or marks
it as an artifact (rules, tints, the footer). Fonts are the DejaVu Sans TTFs shipped in
``fonts/`` (embedded and subset in every PDF), so names such as "José Núñez" render the same on
any machine and never fall back to a system font. Measurements are millimetres on US Letter paper.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from fpdf import FPDF, FontFace
from fpdf.enums import TableBordersLayout, TableCellFillMode, XPos, YPos
from fpdf.prefs import ViewerPreferences
from fpdf.table import Cell, RowLayoutInfo, Table

from bot.documents.font_cache import add_cached_font, attach_font_programs
from bot.documents.tagging import COLUMN_HEADER, PAGINATION, Tagger

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FAMILY = "DejaVu"
REGULAR_FONT = FONT_DIR / "DejaVuSans.ttf"
BOLD_FONT = FONT_DIR / "DejaVuSans-Bold.ttf"

Colour = tuple[int, int, int]
INK: Colour = (33, 37, 41)
NAVY: Colour = (24, 54, 92)
MUTED: Colour = (92, 100, 110)
RULE: Colour = (196, 204, 214)
TINT: Colour = (236, 241, 247)
STRIPE: Colour = (247, 249, 252)
WARN: Colour = (150, 30, 30)
WHITE: Colour = (255, 255, 255)

LANGUAGE = "en-US"
MARGIN = 16.0
LABEL_PT = 6.8
VALUE_PT = 9.5
BODY_PT = 8.6


@dataclass(frozen=True)
class Field:
    """One labelled value in a grid: ``label`` in small capitals above ``value``."""

    label: str
    value: str


def _spoken_value(value: str) -> str | None:
    """What a screen reader should say for a field value when the printed text is not it."""
    if not value:
        return "none"  # printed as a dash
    if "\n" in value:
        return ", ".join(line.strip() for line in value.splitlines() if line.strip())
    return None


def _xmp_metadata(title: str) -> str:
    """XMP with the title and language (PDF/UA-1 asks for dc:title in the metadata stream)."""
    return (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f'<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{escape(title)}</rdf:li></rdf:Alt>'
        f"</dc:title><dc:language><rdf:Bag><rdf:li>{LANGUAGE}</rdf:li></rdf:Bag></dc:language>"
        "</rdf:Description></rdf:RDF></x:xmpmeta>"
    )


class DocumentPDF(FPDF):
    """A Letter page with our fonts, a footer with page numbers and layout helpers."""

    def __init__(
        self,
        *,
        title: str,
        subject: str,
        author: str,
        footer_note: str,
        created_at: datetime,
        margin: float = MARGIN,
    ) -> None:
        super().__init__(orientation="P", unit="mm", format="Letter")
        # Parsed once per process (``font_cache``), not once per document.
        add_cached_font(self, FAMILY, "", REGULAR_FONT)
        add_cached_font(self, FAMILY, "B", BOLD_FONT)
        self.set_title(title)
        self.set_subject(subject)
        self.set_author(author)
        self.set_creator("Policyline")
        self.set_lang(LANGUAGE)
        # Viewers show the title, not the file name, in the window bar (PDF/UA-1 7.1).
        self.viewer_preferences = ViewerPreferences(display_doc_title=True)
        self.set_xmp_metadata(_xmp_metadata(title))
        self.tags = Tagger(self)
        # A fixed creation date keeps the bytes reproducible for the same input and clock.
        self.set_creation_date(created_at)
        self.set_margins(margin, margin, margin)
        self.set_auto_page_break(True, margin=margin + 4)
        self.footer_note = footer_note
        self.c_margin = 1.2
        self.value_pt = VALUE_PT
        self.set_text_style(BODY_PT)

    # --- text --------------------------------------------------------------------------------

    def set_text_style(self, size: float, *, bold: bool = False, colour: Colour = INK) -> None:
        """Font size in points, weight and colour for the text that follows."""
        self.set_font(FAMILY, "B" if bold else "", size)
        self.set_text_color(*colour)

    def add_page(self, *args: Any, **kwargs: Any) -> None:
        """A new page; marked content open at an automatic page break continues on the new page."""
        open_ = self.tags.suspend()
        super().add_page(*args, **kwargs)
        self.tags.resume(open_)

    def multi_cell(self, *args: Any, **kwargs: Any) -> Any:
        # Inside ``Tagger.artifact_with_text`` (a table cell's borders and fill), the cell's text
        # belongs to its TH/TD element rather than to the artifact.
        target = self.tags.take_text_target()
        if target is None or kwargs.get("dry_run"):
            return super().multi_cell(*args, **kwargs)
        with self.tags.paused_artifact(), self.tags.marked(target):
            return super().multi_cell(*args, **kwargs)

    def footer(self) -> None:
        # Repeated on every page: a pagination artifact, not part of the reading order.
        with self.tags.artifact(PAGINATION):
            self.set_y(-(MARGIN - 2))
            self.set_draw_color(*RULE)
            self.set_line_width(0.2)
            y = self.get_y() - 1.5
            self.line(self.l_margin, y, self.w - self.r_margin, y)
            self.set_text_style(6.8, colour=MUTED)
            width = self.w - self.l_margin - self.r_margin
            self.cell(width - 30, 4, self.footer_note)
            self.cell(30, 4, f"Page {self.page_no()} of {{nb}}", align="R")

    def bookmark(self, text: str, level: int) -> None:
        """An outline entry (bookmark) for a heading of ``level`` (1 for H1) on this page."""
        self.start_section(text, level=level - 1, strict=False)

    def rule(self, x1: float, y1: float, x2: float, y2: float) -> None:
        """A decorative line (an artifact) in the current draw colour and width."""
        with self.tags.artifact():
            self.line(x1, y1, x2, y2)

    def tint(self, x: float, y: float, w: float, h: float, **kwargs: Any) -> None:
        """A filled background shape (an artifact) in the current fill colour."""
        with self.tags.artifact():
            self.rect(x, y, w, h, style="F", **kwargs)

    @property
    def value_line_height(self) -> float:
        """Line height for field values, in proportion to their size (4.4 mm at 9.5 pt)."""
        return round(self.value_pt * 0.4632, 2)

    def content_width(self) -> float:
        return self.w - self.l_margin - self.r_margin

    def ensure_space(self, height: float) -> None:
        """Start a new page unless ``height`` mm still fit above the bottom margin."""
        if self.get_y() + height > self.page_break_trigger:
            self.add_page()

    def text_height(self, width: float, text: str, line_height: float) -> float:
        """Height that ``text`` needs when wrapped into ``width`` in the current font."""
        # Most values fit on their line(s): measuring each line once says so without running
        # fpdf2's line breaker (a third of the layout time). Near the limit, ask the breaker.
        lines = text.split("\n")
        room = width - 2 * self.c_margin - 0.05
        if all(line.strip() and self.get_string_width(line) < room for line in lines):
            return line_height * len(lines)
        height = self.multi_cell(width, line_height, text, dry_run=True, output="HEIGHT", padding=0)
        assert isinstance(height, (int, float))
        return float(height)

    def paragraph(
        self, text: str, *, size: float = BODY_PT, colour: Colour = INK, line_height: float = 4.0
    ) -> None:
        """Wrapped text across the content width."""
        self.set_text_style(size, colour=colour)
        with self.tags.content("P"):
            self.multi_cell(
                self.content_width(), line_height, text, align="L", new_x=XPos.LMARGIN,
                new_y=YPos.NEXT,
            )  # fmt: skip

    # --- blocks ------------------------------------------------------------------------------

    def section_heading(self, text: str, *, space_before: float = 4.0) -> None:
        """A bold navy heading with a rule under it; moves to a new page if it would be orphaned."""
        self.ensure_space(space_before + 16)
        self.set_y(self.get_y() + space_before)
        self.set_x(self.l_margin)
        self.set_text_style(10, bold=True, colour=NAVY)
        self.bookmark(text, 2)
        with self.tags.content("H2"):
            self.cell(self.content_width(), 5.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_draw_color(*NAVY)
        self.set_line_width(0.4)
        self.rule(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.set_y(self.get_y() + 2)

    def field_at(self, x: float, y: float, width: float, item: Field) -> float:
        """Draw one labelled value with its top-left corner at (x, y); return its height.

        Tagged as a list item: the label (read as written, not in the printed capitals) and
        the value. Call it inside a ``tags.group("L")``.
        """
        self.set_xy(x, y)
        label = item.label.upper()
        size = LABEL_PT
        self.set_text_style(size, bold=True, colour=MUTED)
        # Labels stay on one line: a long one in a narrow column gets smaller, never clipped.
        while size > 4.6 and self.get_string_width(label) > width - 2 * self.c_margin:
            size -= 0.2
            self.set_text_style(size, bold=True, colour=MUTED)
        with self.tags.group("LI"):
            with self.tags.content("Lbl", actual_text=f"{item.label}:"):
                self.cell(width, 3.4, label, new_x=XPos.LEFT, new_y=YPos.NEXT)
            self.set_x(x)
            self.set_text_style(self.value_pt)
            value = item.value or "—"
            with self.tags.content("LBody", actual_text=_spoken_value(item.value)):
                self.multi_cell(
                    width, self.value_line_height, value, align="L", new_x=XPos.LEFT,
                    new_y=YPos.NEXT,
                )  # fmt: skip
        return self.get_y() - y

    def field_height(self, width: float, item: Field) -> float:
        self.set_text_style(self.value_pt)
        return 3.4 + self.text_height(width, item.value or "—", self.value_line_height)

    def field_grid(
        self,
        items: Sequence[Field],
        *,
        columns: int = 2,
        weights: Sequence[float] | None = None,
        x: float | None = None,
        width: float | None = None,
        gap: float = 4.0,
        row_gap: float = 2.2,
    ) -> None:
        """Fields in rows of ``columns`` from the current position; rows as tall as their tallest.

        ``weights`` gives relative column widths (equal by default).
        """
        left = self.l_margin if x is None else x
        total = self.content_width() if width is None else width
        shares = list(weights) if weights else [1.0] * columns
        usable = total - gap * (columns - 1)
        widths = [usable * s / sum(shares) for s in shares]
        offsets = [left + sum(widths[:i]) + gap * i for i in range(columns)]
        with self.tags.group("L"):
            for start in range(0, len(items), columns):
                row = items[start : start + columns]
                height = max(self.field_height(widths[i], f) for i, f in enumerate(row))
                self.ensure_space(height)
                top = self.get_y()
                for i, item in enumerate(row):
                    self.field_at(offsets[i], top, widths[i], item)
                self.set_xy(left, top + height + row_gap)

    def field_grid_height(
        self,
        items: Sequence[Field],
        *,
        columns: int,
        width: float,
        gap: float = 4.0,
        row_gap: float = 2.2,
    ) -> float:
        """How tall ``field_grid`` with equal columns would draw these fields."""
        col_w = (width - gap * (columns - 1)) / columns
        return sum(
            max(self.field_height(col_w, f) for f in items[start : start + columns]) + row_gap
            for start in range(0, len(items), columns)
        )

    def boxed_fields(
        self, title: str, items: Sequence[Field], x: float, y: float, w: float
    ) -> float:
        """A tinted box with a title and stacked fields; returns its height (draws nothing if 0)."""
        inner = w - 6
        title_h = 6.0 if title else 0.0
        height = title_h + 4.0 + sum(self.field_height(inner, f) + 1.6 for f in items)
        self.set_fill_color(*TINT)
        self.tint(x, y, w, height, round_corners=True, corner_radius=1.5)
        if title:
            self.set_xy(x + 3, y + 2.5)
            self.set_text_style(8, bold=True, colour=NAVY)
            self.bookmark(title, 2)
            with self.tags.content("H2", actual_text=title):
                self.cell(inner, 4, title.upper())
        top = y + 2.5 + title_h
        with self.tags.group("L"):
            for item in items:
                top += self.field_at(x + 3, top, inner, item) + 1.6
        return height

    def note_box(
        self, title: str, text: str, x: float, y: float, w: float, *, size: float = 7.6
    ) -> float:
        """A tinted box with a title and a small paragraph; returns its height."""
        inner = w - 6
        self.set_text_style(size)
        height = 6.0 + 4.0 + self.text_height(inner, text, 3.5)
        self.set_fill_color(*TINT)
        self.tint(x, y, w, height, round_corners=True, corner_radius=1.5)
        self.set_xy(x + 3, y + 2.5)
        self.set_text_style(8, bold=True, colour=NAVY)
        self.bookmark(title, 2)
        with self.tags.content("H2", actual_text=title):
            self.cell(inner, 4, title.upper())
        self.set_xy(x + 3, y + 8.0)
        self.set_text_style(size)
        with self.tags.content("P"):
            self.multi_cell(inner, 3.5, text, align="L", new_x=XPos.LEFT, new_y=YPos.NEXT)
        return height

    def data_table(
        self,
        headings: Sequence[str],
        rows: Sequence[Sequence[str]],
        *,
        col_widths: Sequence[float],
        align: Sequence[str] | None = None,
        emphasise_last_row: bool = False,
        title: str | None = None,
    ) -> None:
        """A ruled table with a tinted heading row that repeats after a page break.

        ``col_widths`` are relative; ``align`` is one of L/C/R per column. With a ``title`` the
        table gets a section heading, and a table that fits on one page is kept on one page
        (with its heading) instead of being split.
        """
        if title is not None:
            height = self.table_height(headings, rows, col_widths)
            if height + 20 <= self.page_break_trigger - self.t_margin:
                self.ensure_space(height + 14)
            self.section_heading(title)
        self.ensure_space(14)
        self.set_text_style(8.2)
        self.set_draw_color(*RULE)
        self.set_line_width(0.2)
        heading_face = FontFace(
            family=FAMILY, emphasis="BOLD", size_pt=7.4, color=NAVY, fill_color=TINT
        )
        table = _TaggedTable(
            self,
            width=self.content_width(),
            col_widths=tuple(col_widths),
            text_align=tuple(align) if align else "LEFT",
            headings_style=heading_face,
            borders_layout=TableBordersLayout.HORIZONTAL_LINES,
            cell_fill_color=STRIPE,
            cell_fill_mode=TableCellFillMode.ROWS,
            line_height=4.4,
            padding=(1.2, 1.6, 1.2, 1.6),
            v_align="TOP",
        )
        head = table.row()
        for text in headings:
            head.cell(text)
        for index, values in enumerate(rows):
            last = emphasise_last_row and index == len(rows) - 1
            style = FontFace(emphasis="BOLD") if last else None
            row = table.row()
            for text in values:
                row.cell(text, style=style)
        with self.tags.group("Table"):
            table.render()
        self.set_y(self.get_y() + 1.5)

    def table_height(
        self,
        headings: Sequence[str],
        rows: Sequence[Sequence[str]],
        col_widths: Sequence[float],
    ) -> float:
        """About how tall ``data_table`` will draw these rows (for keeping a table together)."""
        share = self.content_width() / sum(col_widths)
        self.set_text_style(8.2)
        height = 1.5
        for values in [headings, *rows]:
            height += 2.4 + max(
                self.text_height(w * share - 3.2, str(v) or " ", 4.4)
                for w, v in zip(col_widths, values, strict=False)
            )
        return height

    def banner(self, text: str, *, colour: Colour = WARN) -> None:
        """A full-width coloured notice (e.g. "This policy was cancelled on ...")."""
        self.ensure_space(10)
        self.set_fill_color(*colour)
        self.set_text_style(9, bold=True, colour=WHITE)
        with self.tags.content("P"):
            self.multi_cell(
                self.content_width(), 6, text, fill=True, align="C", new_x=XPos.LMARGIN,
                new_y=YPos.NEXT, padding=(1, 2, 1, 2),
            )  # fmt: skip
        self.set_y(self.get_y() + 2)

    def document_header(self, insurer: str, title: str, facts: Sequence[Field]) -> None:
        """Insurer and document title on the left, key facts (policy number, dates) on the right."""
        top = self.get_y()
        left_w = self.content_width() * 0.56
        self.set_text_style(14, bold=True, colour=NAVY)
        with self.tags.content("P"):
            self.multi_cell(left_w, 6.2, insurer, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_style(11.5, bold=True)
        self.bookmark(title, 1)
        with self.tags.content("H1"):
            self.multi_cell(left_w, 5.6, title, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        left_bottom = self.get_y()
        right_x = self.l_margin + left_w + 6
        right_w = self.content_width() - left_w - 6
        box_h = self.boxed_fields("", facts, right_x, top, right_w) if facts else 0.0
        self.set_y(max(left_bottom, top + box_h) + 3)
        self.set_draw_color(*RULE)
        self.set_line_width(0.2)
        self.rule(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.set_y(self.get_y() + 2)

    def to_bytes(self) -> bytes:
        self.tags.check_closed()
        self.alias_nb_pages()
        attach_font_programs(self)
        return bytes(self.output())


class _TaggedTable(Table):
    """fpdf2's table, tagged: Table > TR > TH (column scope) / TD, borders and stripes as artifacts.

    A heading row repeated at the top of a new page is an artifact: it was read once already.
    """

    def __init__(self, pdf: DocumentPDF, **kwargs: Any) -> None:
        super().__init__(pdf, **kwargs)
        self._pdf = pdf
        self._rows_drawn: set[int] = set()
        self._repeat = False

    def _render_table_row(
        self,
        i: int,
        row_layout_info: RowLayoutInfo,
        cell_x_positions: Sequence[float] | None,
        **kwargs: Any,
    ) -> None:
        if i in self._rows_drawn:
            self._repeat = True
            try:
                with self._pdf.tags.artifact():
                    super()._render_table_row(i, row_layout_info, cell_x_positions, **kwargs)
            finally:
                self._repeat = False
            return
        self._rows_drawn.add(i)
        with self._pdf.tags.group("TR"):
            super()._render_table_row(i, row_layout_info, cell_x_positions, **kwargs)

    def _render_table_cell(
        self,
        i: int,
        j: int,
        cell: Cell,
        row_height: float,
        cell_height_info: RowLayoutInfo | None = None,
        cell_x_positions: Sequence[float] | None = None,
        **kwargs: Any,
    ) -> tuple[bool, float, float]:
        if cell_height_info is None or self._repeat:  # measuring, or inside a repeated heading
            return super()._render_table_cell(
                i, j, cell, row_height, cell_height_info, cell_x_positions, **kwargs
            )
        heading = i < self._num_heading_rows
        tags = self._pdf.tags
        owner = tags.element(
            "TH" if heading else "TD", attributes=COLUMN_HEADER if heading else None
        )
        with tags.artifact_with_text(owner):
            return super()._render_table_cell(
                i, j, cell, row_height, cell_height_info, cell_x_positions, **kwargs
            )
