"""Auto ID cards: one card per vehicle (two where the state requires it), laid out two to a page.

What a card shows comes from the state template registry (``state_templates``); this module only
knows how to fill and draw each field. Each card is a tagged section read in this order: its
title (H1), the copy label, the fields, the 2D code (a figure with alternative text) and the
statement; the card's outline, band, tint and the cut line are artifacts. Cards are drawn at a
fixed size so they can be printed and cut out, and read well on a phone held up to a police
officer.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import segno

from bot.documents.eligibility import ensure_id_card_allowed
from bot.documents.formatting import limit, us_date
from bot.documents.layout import MUTED, NAVY, RULE, TINT, VALUE_PT, WHITE, DocumentPDF, Field
from bot.documents.state_templates import IdCardTemplate, TemplateRegistry
from bot.phone_numbers import display_phone
from pas_connector.models import Policy, Policyholder, Vehicle

CARD_MARGIN = 14.0
CARD_HEIGHT = 113.0
CARD_GAP = 12.0
BAND_HEIGHT = 12.5
CODE_SIZE = 33.0
LIABILITY_CODES = ("CSL", "BI", "PD")

_LABELS = {
    "insurer_name": "Company",
    "naic_code": "NAIC company code",
    "policy_number": "Policy number",
    "effective_date": "Effective date",
    "expiration_date": "Expiration date",
    "named_insureds": "Named insured(s)",
    "insured_address": "Address of named insured",
    "vehicle": "Year / make / model",
    "vin": "VIN",
    "claims_phone": "Report a claim 24/7",
    "producer": "Agent",
    "liability_limits": "Liability limits",
}


@dataclass(frozen=True)
class CardPlan:
    """One card to draw: which vehicle, which copy."""

    vehicle: Vehicle
    copy_index: int  # 0-based
    copies: int


def field_text(name: str, policy: Policy, vehicle: Vehicle) -> str:
    """The printed value of one template field for one vehicle."""
    if name == "insurer_name":
        return policy.insurer.name
    if name == "naic_code":
        return policy.insurer.naic_code
    if name == "policy_number":
        return policy.policy_number
    if name == "effective_date":
        return us_date(policy.effective_date)
    if name == "expiration_date":
        return us_date(policy.expiration_date)
    if name == "named_insureds":
        return "\n".join(policy.named_insureds)
    if name == "insured_address":
        a = policy.mailing_address
        return f"{a.street}\n{a.city}, {a.state} {a.zip}"
    if name == "vehicle":
        return vehicle.description
    if name == "vin":
        return vehicle.vin
    if name == "claims_phone":
        return display_phone(policy.claims_phone)
    if name == "producer":
        return f"{policy.producer.name}\n{display_phone(policy.producer.phone)}"
    if name == "liability_limits":
        return liability_limits(policy, vehicle)
    raise KeyError(name)


def barcode_text(name: str, policy: Policy, vehicle: Vehicle) -> str:
    """A field as it is encoded in the 2D code: compact, machine-readable, no line breaks."""
    if name == "effective_date":
        return policy.effective_date.strftime("%Y%m%d")
    if name == "expiration_date":
        return policy.expiration_date.strftime("%Y%m%d")
    if name == "named_insureds":
        return ";".join(policy.named_insureds)
    if name == "claims_phone":
        return policy.claims_phone
    if name == "producer":
        return policy.producer.name
    return field_text(name, policy, vehicle).replace("\n", " ").replace("|", "/")


def barcode_payload(template: IdCardTemplate, policy: Policy, vehicle: Vehicle) -> str:
    """The text a card's 2D code carries: ``PREFIX|value|value|...`` in the template's order."""
    if template.barcode is None:
        raise ValueError(f"template {template.template_id} has no barcode")
    values = [barcode_text(name, policy, vehicle) for name in template.barcode.fields]
    return "|".join([template.barcode.prefix, *values])


def liability_limits(policy: Policy, vehicle: Vehicle) -> str:
    """Liability limits for the vehicle (vehicle-level coverages first, then policy-level)."""
    chosen = [
        c for c in policy.coverages_for_vehicle(vehicle.vehicle_id) if c.code in LIABILITY_CODES
    ]
    if not chosen:
        chosen = [c for c in policy.policy_level_coverages() if c.code in LIABILITY_CODES]
    if not chosen:
        return "See policy declarations"
    chosen.sort(key=lambda c: LIABILITY_CODES.index(c.code))
    return "\n".join(f"{c.name}: {limit(c.limit)}" for c in chosen)


def plan_cards(policy: Policy, template: IdCardTemplate) -> list[CardPlan]:
    """Every card to print, vehicle by vehicle, each copy together."""
    return [
        CardPlan(vehicle=v, copy_index=i, copies=template.cards_per_vehicle)
        for v in policy.vehicles
        for i in range(template.cards_per_vehicle)
    ]


def render_id_cards(
    policy: Policy,
    holder: Policyholder,
    *,
    registry: TemplateRegistry,
    today: date,
    created_at: datetime,
) -> tuple[bytes, int, str]:
    """The ID card PDF for an in-force auto policy: (bytes, page count, template id)."""
    ensure_id_card_allowed(policy, today)
    template = registry.for_state(policy.state)
    pdf = DocumentPDF(
        title=template.title,
        subject=f"Insurance ID cards for {holder.full_name}",
        author=policy.insurer.name,
        footer_note=f"{policy.insurer.name} · issued {us_date(today)}",
        created_at=created_at,
        margin=CARD_MARGIN,
    )
    # Cards are placed at fixed positions; automatic breaks would split one across pages.
    pdf.set_auto_page_break(False)
    cards = plan_cards(policy, template)
    for index, plan in enumerate(cards):
        slot = index % 2
        if slot == 0:
            pdf.add_page()
            _page_instructions(pdf, template)
        top = CARD_MARGIN + 7 + slot * (CARD_HEIGHT + CARD_GAP)
        _draw_card(pdf, policy, template, plan, top)
        if slot == 0 and index + 1 < len(cards):
            _cut_line(pdf, top + CARD_HEIGHT + CARD_GAP / 2)
    return pdf.to_bytes(), pdf.pages_count, template.template_id


def _page_instructions(pdf: DocumentPDF, template: IdCardTemplate) -> None:
    pdf.set_xy(pdf.l_margin, CARD_MARGIN - 4)
    pdf.set_text_style(7.5, colour=MUTED)
    copies = (
        f" {template.cards_per_vehicle} cards per vehicle are provided as your state requires."
        if template.cards_per_vehicle > 1
        else ""
    )
    with pdf.tags.content("P"):
        pdf.cell(
            pdf.content_width(), 5,
            "Show this page on your phone, or print it and cut along the dashed line." + copies,
        )  # fmt: skip


def _cut_line(pdf: DocumentPDF, y: float) -> None:
    with pdf.tags.artifact():
        pdf.set_draw_color(*RULE)
        pdf.set_line_width(0.3)
        pdf.set_dash_pattern(dash=2, gap=1.5)
        pdf.line(pdf.l_margin + 6, y, pdf.w - pdf.r_margin, y)
        pdf.set_dash_pattern()
        pdf.set_xy(pdf.l_margin, y - 2.2)
        pdf.set_text_style(8, colour=MUTED)
        pdf.cell(5, 4.4, "✂")


def _draw_card(
    pdf: DocumentPDF, policy: Policy, template: IdCardTemplate, plan: CardPlan, top: float
) -> None:
    with pdf.tags.group("Sect"):
        _draw_card_content(pdf, policy, template, plan, top)


def _draw_card_content(
    pdf: DocumentPDF, policy: Policy, template: IdCardTemplate, plan: CardPlan, top: float
) -> None:
    left = pdf.l_margin
    width = pdf.content_width()
    pdf.set_draw_color(*NAVY)
    pdf.set_line_width(0.5)
    with pdf.tags.artifact():
        pdf.rect(left, top, width, CARD_HEIGHT, style="D", round_corners=True, corner_radius=3)
    copy_text = ""
    if plan.copies > 1:
        label = template.copy_labels[plan.copy_index] if template.copy_labels else ""
        copy_text = f"Card {plan.copy_index + 1} of {plan.copies}" + (
            f" · {label}" if label else ""
        )
    band_h = BAND_HEIGHT + (4.5 if copy_text else 0.0)
    pdf.set_fill_color(*NAVY)
    # fpdf2 accepts a tuple of corners here, though its annotation says bool.
    top_corners: Any = ("TOP_LEFT", "TOP_RIGHT")
    pdf.tint(left, top, width, band_h, round_corners=top_corners, corner_radius=3)
    title = template.title.upper()
    size = 12.0
    pdf.set_text_style(size, bold=True, colour=WHITE)
    # Long state titles shrink to fit the band rather than run off the card.
    while size > 8 and pdf.get_string_width(title) > width - 10:
        size -= 0.5
        pdf.set_text_style(size, bold=True, colour=WHITE)
    pdf.set_xy(left + 5, top + 2.2)
    with pdf.tags.content("H1", actual_text=template.title):
        pdf.cell(width - 10, 8, title)
    if copy_text:
        pdf.set_xy(left + 5, top + 9.6)
        pdf.set_text_style(7.8, colour=WHITE)
        with pdf.tags.content("P"):
            pdf.cell(width - 10, 4, copy_text)

    fields_left = left + 5
    fields_width = width - 10
    body_top = top + band_h + 4
    if template.barcode is not None:
        fields_width -= CODE_SIZE + 5

    items = [
        Field(_LABELS[name], field_text(name, policy, plan.vehicle)) for name in template.fields
    ]
    statement_x, statement_w = left + 4, width - 8
    statement_h = _statement_height(pdf, template, statement_w)
    statement_top = top + CARD_HEIGHT - 4 - statement_h
    columns = _fit_fields(pdf, items, fields_width, statement_top - 2 - body_top)
    pdf.set_xy(fields_left, body_top)
    pdf.field_grid(items, columns=columns, x=fields_left, width=fields_width, gap=5, row_gap=1.6)
    pdf.value_pt = VALUE_PT
    # Read after the fields it repeats, though it sits to their right.
    if template.barcode is not None:
        _draw_code(
            pdf, barcode_payload(template, policy, plan.vehicle), code_alt_text(template),
            x=left + width - 5 - CODE_SIZE, y=body_top,
        )  # fmt: skip
    _draw_statement(pdf, template, statement_x, statement_top, statement_w, statement_h)


def code_alt_text(template: IdCardTemplate) -> str:
    """What the card's 2D code says, for people who cannot see it."""
    if template.barcode is None:
        raise ValueError(f"template {template.template_id} has no barcode")
    labels = [_LABELS[name] for name in template.barcode.fields]
    # Lower-case in mid-sentence, except acronyms (NAIC, VIN).
    words = [label if label[:2].isupper() else label.lower() for label in labels]
    fields = ", ".join(words[:-1]) + f" and {words[-1]}" if len(words) > 1 else words[0]
    return f"QR code for scanners. It repeats this card's {fields}."


# Layouts tried in order until the fields fit above the statement: (columns, value size in pt).
_FITS = ((2, 9.5), (3, 9.5), (3, 8.6), (3, 7.8), (4, 7.2), (4, 6.6))


def _fit_fields(pdf: DocumentPDF, items: list[Field], width: float, room: float) -> int:
    """Pick columns and value size (left on ``pdf.value_pt``) so the fields fit in ``room``.

    Cards have a fixed size; many named insureds or long names must shrink the text rather than
    run into the statement. The smallest layout is used when nothing fits.
    """
    for columns, size in _FITS:
        pdf.value_pt = size
        if pdf.field_grid_height(items, columns=columns, width=width, gap=5, row_gap=1.6) <= room:
            return columns
    return _FITS[-1][0]


def _draw_code(pdf: DocumentPDF, payload: str, alt: str, *, x: float, y: float) -> None:
    # New York specifies a PDF417 barcode; no maintained pure-Python PDF417 encoder is available
    # to us, so the card carries the same data as a QR code (segno), a 2D symbology that phone
    # and handheld scanners read. Swap the encoder here when PDF417 becomes available.
    code = segno.make(payload, error="m", micro=False)
    png = io.BytesIO()
    code.save(png, kind="png", scale=4, border=4)
    png.seek(0)
    # The figure's bounding box in points from the page's bottom-left corner (PDF/UA: Layout).
    k, bottom = pdf.k, pdf.h - y - CODE_SIZE
    box = " ".join(f"{v * k:.2f}" for v in (x, bottom, x + CODE_SIZE, bottom + CODE_SIZE))
    with pdf.tags.content("Figure", alt=alt, attributes=f"<</O /Layout /BBox [{box}]>>"):
        pdf.image(png, x=x, y=y, w=CODE_SIZE, h=CODE_SIZE)
    pdf.set_xy(x, y + CODE_SIZE)
    pdf.set_text_style(6.2, colour=MUTED)
    with pdf.tags.content("P"):
        pdf.cell(CODE_SIZE, 3, "Scan for policy data", align="C")


_STATEMENT_PT, _STATEMENT_LINE, _STATEMENT_PAD = 6.9, 3.05, 2.2


# The statement box's height depends only on the template's text and the card width: measured
# once per process (wrapping the state's statement is a third of an ID card's layout time).
_statement_heights: dict[tuple[str, str | None, float], float] = {}


def _statement_height(pdf: DocumentPDF, template: IdCardTemplate, w: float) -> float:
    """How tall the statement box (statement and notice) is in a card ``w`` mm wide."""
    key = (template.statement, template.notice, w)
    known = _statement_heights.get(key)
    if known is not None:
        return known
    pdf.set_text_style(_STATEMENT_PT)
    inner = w - 2 * _STATEMENT_PAD
    text_h = pdf.text_height(inner, template.statement, _STATEMENT_LINE)
    if template.notice:
        text_h += 1.2 + pdf.text_height(inner, template.notice, _STATEMENT_LINE)
    height = _statement_heights[key] = text_h + 2 * _STATEMENT_PAD
    return height


def _draw_statement(
    pdf: DocumentPDF, template: IdCardTemplate, x: float, top: float, w: float, h: float
) -> None:
    """The template's statement (and notice) in a ``h`` mm box from ``top`` (its height is
    measured first, to fit the fields above it)."""
    size, line_h, pad = _STATEMENT_PT, _STATEMENT_LINE, _STATEMENT_PAD
    inner = w - 2 * pad
    pdf.set_fill_color(*TINT)
    pdf.tint(x, top, w, h, round_corners=True, corner_radius=1.5)
    pdf.set_xy(x + pad, top + pad)
    pdf.set_text_style(size)
    with pdf.tags.content("P"):
        _draw_wrapped(pdf, inner, line_h, template.statement)
    if template.notice:
        pdf.set_y(pdf.get_y() + 1.2)
        pdf.set_x(x + pad)
        pdf.set_text_style(size, colour=MUTED)
        with pdf.tags.content("P"):
            _draw_wrapped(pdf, inner, line_h, template.notice)


# Where a template's text wraps, per (text, width, size): the same for every card, so fpdf2's
# line breaker runs once per process for it; each line is then drawn as a cell.
_wrapped_lines: dict[tuple[str, float, float], tuple[str, ...]] = {}


def _draw_wrapped(pdf: DocumentPDF, width: float, line_h: float, text: str) -> None:
    """``multi_cell(width, line_h, text, align="L")``, left at x, for a fixed template text."""
    key = (text, width, pdf.font_size_pt)
    lines = _wrapped_lines.get(key)
    if lines is None:
        wrapped = pdf.multi_cell(width, line_h, text, dry_run=True, output="LINES")
        lines = _wrapped_lines[key] = tuple(wrapped)
    for line in lines:
        pdf.cell(width, line_h, line, align="L", new_x="LEFT", new_y="NEXT")
