"""The page layout every Policyline document shares: fonts, colours, headings, fields and tables.

Built on fpdf2. Fonts are the DejaVu Sans TTFs shipped in ``fonts/`` (embedded and subset in every
PDF), so names such as "José Núñez" render the same on any machine and never fall back to a
system font. Measurements are millimetres on US Letter paper.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from fpdf import FPDF, FontFace
from fpdf.enums import TableBordersLayout, TableCellFillMode, XPos, YPos

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FAMILY = "DejaVu"

Colour = tuple[int, int, int]
INK: Colour = (33, 37, 41)
NAVY: Colour = (24, 54, 92)
MUTED: Colour = (92, 100, 110)
RULE: Colour = (196, 204, 214)
TINT: Colour = (236, 241, 247)
STRIPE: Colour = (247, 249, 252)
WARN: Colour = (150, 30, 30)
WHITE: Colour = (255, 255, 255)

MARGIN = 16.0
LABEL_PT = 6.8
VALUE_PT = 9.5
BODY_PT = 8.6


@dataclass(frozen=True)
class Field:
    """One labelled value in a grid: ``label`` in small capitals above ``value``."""

    label: str
    value: str


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
        self.add_font(FAMILY, "", FONT_DIR / "DejaVuSans.ttf")
        self.add_font(FAMILY, "B", FONT_DIR / "DejaVuSans-Bold.ttf")
        self.set_title(title)
        self.set_subject(subject)
        self.set_author(author)
        self.set_creator("Policyline")
        self.set_lang("en-US")
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

    def footer(self) -> None:
        self.set_y(-(MARGIN - 2))
        self.set_draw_color(*RULE)
        self.set_line_width(0.2)
        self.line(self.l_margin, self.get_y() - 1.5, self.w - self.r_margin, self.get_y() - 1.5)
        self.set_text_style(6.8, colour=MUTED)
        width = self.w - self.l_margin - self.r_margin
        self.cell(width - 30, 4, self.footer_note)
        self.cell(30, 4, f"Page {self.page_no()} of {{nb}}", align="R")

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
        height = self.multi_cell(width, line_height, text, dry_run=True, output="HEIGHT", padding=0)
        assert isinstance(height, (int, float))
        return float(height)

    def paragraph(
        self, text: str, *, size: float = BODY_PT, colour: Colour = INK, line_height: float = 4.0
    ) -> None:
        """Wrapped text across the content width."""
        self.set_text_style(size, colour=colour)
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
        self.cell(self.content_width(), 5.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_draw_color(*NAVY)
        self.set_line_width(0.4)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.set_y(self.get_y() + 2)

    def field_at(self, x: float, y: float, width: float, item: Field) -> float:
        """Draw one labelled value with its top-left corner at (x, y); return its height."""
        self.set_xy(x, y)
        label = item.label.upper()
        size = LABEL_PT
        self.set_text_style(size, bold=True, colour=MUTED)
        # Labels stay on one line: a long one in a narrow column gets smaller, never clipped.
        while size > 4.6 and self.get_string_width(label) > width - 2 * self.c_margin:
            size -= 0.2
            self.set_text_style(size, bold=True, colour=MUTED)
        self.cell(width, 3.4, label, new_x=XPos.LEFT, new_y=YPos.NEXT)
        self.set_x(x)
        self.set_text_style(self.value_pt)
        self.multi_cell(
            width, self.value_line_height, item.value or "—", align="L", new_x=XPos.LEFT,
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
        self.rect(x, y, w, height, style="F", round_corners=True, corner_radius=1.5)
        if title:
            self.set_xy(x + 3, y + 2.5)
            self.set_text_style(8, bold=True, colour=NAVY)
            self.cell(inner, 4, title.upper())
        top = y + 2.5 + title_h
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
        self.rect(x, y, w, height, style="F", round_corners=True, corner_radius=1.5)
        self.set_xy(x + 3, y + 2.5)
        self.set_text_style(8, bold=True, colour=NAVY)
        self.cell(inner, 4, title.upper())
        self.set_xy(x + 3, y + 8.0)
        self.set_text_style(size)
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
        with self.table(
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
        ) as table:
            head = table.row()
            for text in headings:
                head.cell(text)
            for index, values in enumerate(rows):
                last = emphasise_last_row and index == len(rows) - 1
                style = FontFace(emphasis="BOLD") if last else None
                row = table.row()
                for text in values:
                    row.cell(text, style=style)
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
        self.multi_cell(left_w, 6.2, insurer, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_style(11.5, bold=True)
        self.multi_cell(left_w, 5.6, title, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        left_bottom = self.get_y()
        right_x = self.l_margin + left_w + 6
        right_w = self.content_width() - left_w - 6
        box_h = self.boxed_fields("", facts, right_x, top, right_w) if facts else 0.0
        self.set_y(max(left_bottom, top + box_h) + 3)
        self.set_draw_color(*RULE)
        self.set_line_width(0.2)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.set_y(self.get_y() + 2)

    def to_bytes(self) -> bytes:
        self.alias_nb_pages()
        return bytes(self.output())
