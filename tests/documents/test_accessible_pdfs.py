"""Every document is a tagged PDF a screen reader can use (the PDF/UA-1 checks we can make).

Each persona document and each ID card state layout is opened with pikepdf and poppler: tagged
(/MarkInfo), language, title shown in the window bar, a structure tree of standard roles with
headings, lists, tables with column headers and figures with alternative text, nothing drawn
outside tagged content or artifacts, and a reading order that follows the page.
"""

from __future__ import annotations

import io
import subprocess
from dataclasses import dataclass, replace
from datetime import date
from itertools import pairwise

import pikepdf
import pytest

from bot.documents import (
    CertificateHolder,
    DocumentKind,
    DocumentRenderer,
    DocumentUnavailable,
)
from bot.documents.state_templates import default_registry
from pas_connector.models import Driver
from tests.documents.persona_data import PERSONA_POLICIES, personas
from tests.documents.support import NOW
from tests.documents.tagged_pdf import (
    STANDARD_ROLES,
    marked_content,
    parent_tree,
    placed_text,
    reading_order,
    squash,
    structure,
)

HOLDER = CertificateHolder.parse("Núñez & Hijos Gestión Inmobiliaria, 45 Calle Mayor, Miami, FL")
HEADINGS = ("H1", "H2", "H3", "H4", "H5", "H6")


@dataclass(frozen=True)
class Rendered:
    name: str
    kind: DocumentKind
    pdf: bytes
    title: str
    template: str | None


def _render_all() -> list[Rendered]:
    renderer = DocumentRenderer(clock=lambda: NOW, certificate_numbers=lambda now: "COI-TEST")
    book = personas(NOW.date())
    docs = []
    for number in PERSONA_POLICIES:
        holder, policy = book[number]
        for kind in DocumentKind:
            try:
                doc = renderer.render(kind, policy, holder, certificate_holder=HOLDER)
            except DocumentUnavailable:
                continue
            docs.append(_rendered(f"{number}-{kind.value}", doc))
    # Every ID card layout: the default and each state's, on Maria's two-vehicle auto policy.
    holder, policy = book["AUT-1000001"]
    registry = default_registry()
    for state in ("OH", *sorted(registry.states)):
        doc = renderer.render(DocumentKind.ID_CARD, replace(policy, state=state), holder)
        docs.append(_rendered(f"id_card-{doc.template}", doc))
    return docs


def _rendered(name: str, doc) -> Rendered:  # type: ignore[no-untyped-def]
    with pikepdf.open(io.BytesIO(doc.pdf)) as pdf:
        title = str(pdf.docinfo["/Title"])
    return Rendered(name, doc.kind, doc.pdf, title, doc.template)


DOCUMENTS = _render_all()
BY_NAME = {d.name: d for d in DOCUMENTS}


def _open(doc: Rendered) -> pikepdf.Pdf:
    return pikepdf.open(io.BytesIO(doc.pdf))


@pytest.fixture(params=DOCUMENTS, ids=lambda d: d.name)
def doc(request) -> Rendered:  # type: ignore[no-untyped-def]
    return request.param


def test_every_state_layout_is_covered() -> None:
    layouts = {d.template for d in DOCUMENTS if d.kind is DocumentKind.ID_CARD}
    assert layouts == {"default", *default_registry().states}


def test_document_is_tagged_in_english_and_viewers_show_its_title(doc: Rendered, tmp_path) -> None:
    path = tmp_path / "doc.pdf"
    path.write_bytes(doc.pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    assert "Tagged:          yes" in info.stdout
    with _open(doc) as pdf:
        root = pdf.Root
        assert root.MarkInfo.Marked is True
        assert str(root.Lang) == "en-US"
        assert root.ViewerPreferences.DisplayDocTitle is True
        assert doc.title and "policyline" not in doc.title.lower()
        with pdf.open_metadata() as xmp:
            assert xmp["dc:title"] == doc.title
        assert "/StructTreeRoot" in root


def test_everything_drawn_is_tagged_content_or_an_artifact(doc: Rendered) -> None:
    with _open(doc) as pdf:
        content = marked_content(pdf)
        tree = structure(pdf)
        owners = parent_tree(pdf)
        assert content.untagged == [], "marks drawn outside any tagged sequence or artifact"
        assert content.artifacts > 0, "rules, tints and the footer are artifacts"
        in_tree = [m for node in tree.walk() for m in node.mcids]
        assert sorted(in_tree) == sorted(content.mcids), "each MCID belongs to one element"
        assert len(set(in_tree)) == len(in_tree)
        # The parent tree maps every MCID back to the element that holds it.
        assert set(owners) == set(content.mcids)
        for (page, mcid), elem in owners.items():
            kids = elem.K if isinstance(elem.K, pikepdf.Array) else [elem.K]
            held = [
                int(k) if isinstance(k, int) else int(k.MCID)
                for k in kids
                if isinstance(k, int) or (isinstance(k, pikepdf.Dictionary) and "/MCID" in k)
            ]
            assert mcid in held, (page, mcid)


def test_structure_has_standard_roles_headings_in_order_and_well_formed_lists(
    doc: Rendered,
) -> None:
    with _open(doc) as pdf:
        tree = structure(pdf)
    assert tree.role == "Document"
    roles = {n.role for n in tree.walk()}
    assert roles <= STANDARD_ROLES, roles - STANDARD_ROLES
    levels = [int(n.role[1]) for n in tree.walk() if n.role in HEADINGS]
    assert levels and levels[0] == 1, "the first heading is an H1"
    for before, after in pairwise(levels):
        assert after <= before + 1, "no heading level is skipped"
    for lst in tree.all("L"):
        assert lst.kids and all(k.role == "LI" for k in lst.kids)
        for item in lst.kids:
            assert [k.role for k in item.kids] == ["Lbl", "LBody"]
            assert item.kids[0].actual_text, "labels are read as written, not in capitals"
    for heading in (n for n in tree.walk() if n.role in HEADINGS):
        assert heading.mcids, "headings have text"


def test_tables_have_a_row_of_column_headers_then_data_rows(doc: Rendered) -> None:
    with _open(doc) as pdf:
        tables = structure(pdf).all("Table")
    if doc.kind is DocumentKind.ID_CARD:
        assert tables == []
        return
    assert tables, "declarations and certificates show their figures in tables"
    for table in tables:
        rows = table.kids
        assert [r.role for r in rows] == ["TR"] * len(rows) and len(rows) >= 2
        header, *body = rows
        assert {c.role for c in header.kids} == {"TH"}
        assert all(c.attributes == {"/O": "/Table", "/Scope": "/Column"} for c in header.kids)
        for row in body:
            assert [c.role for c in row.kids] == ["TD"] * len(header.kids)


def test_images_are_figures_with_alternative_text(doc: Rendered) -> None:
    with _open(doc) as pdf:
        figures = structure(pdf).all("Figure")
        images = sum(
            1
            for page in pdf.pages
            for _, op in pikepdf.parse_content_stream(page, "Do")
            if str(op) == "Do"
        )
    # The documents carry no logo (the insurer's name is text); the only image is the NY code.
    assert len(figures) == images
    for figure in figures:
        assert figure.alt and figure.alt.startswith("QR code")
        assert "/BBox" in figure.attributes
    if doc.name == "id_card-NY":
        assert len(figures) == 4  # two vehicles, two cards each
        assert "policy number" in (figures[0].alt or "")


def test_headings_are_read_in_the_order_they_appear_on_the_page(doc: Rendered) -> None:
    with _open(doc) as pdf:
        tree = structure(pdf)
    headings = [n for n in tree.walk() if n.role in HEADINGS]
    spoken = [text for role, text in reading_order(doc.pdf) if role in HEADINGS]
    assert len(spoken) == len(headings)
    runs = placed_text(doc.pdf)
    positions = []
    start = 0
    for text in spoken:
        # The first run drawn with this text at or after the previous heading's run.
        index = next(i for i in range(start, len(runs)) if squash(runs[i].text) == squash(text))
        run = runs[index]
        positions.append((run.page, -round(run.y), run.x))
        start = index + 1
    assert positions == sorted(positions), list(zip(spoken, positions, strict=True))


def _texts(doc: Rendered) -> str:
    return "|".join(squash(text) for _, text in reading_order(doc.pdf))


def _in_order(doc: Rendered, *expected: str) -> None:
    read = _texts(doc)
    at = 0
    for text in expected:
        found = read.find(squash(text), at)
        assert found >= 0, f"{text!r} is not read after what comes before it"
        at = found + len(squash(text))


def test_auto_declarations_read_top_to_bottom_left_box_before_right() -> None:
    doc = BY_NAME["AUT-1000001-declarations"]
    _in_order(
        doc,
        "Harbor Mutual",
        "Personal Auto Policy Declarations",
        "POLICY NUMBER",
        "AUT-1000001",
        "NAMED INSURED",
        "MAILING ADDRESS",
        "AGENT / PRODUCER",
        "Drivers",
        "Vehicles",
        "Coverages for vehicle 1",
        "Premium",
        "Total policy premium",
        "About this page",
    )
    with _open(doc) as pdf:
        headings = [(n.role, n.actual_text) for n in structure(pdf).walk() if n.role == "H2"]
    assert ("H2", "Named insured") in headings  # printed in capitals, read as written


def test_certificate_reads_parties_coverages_then_holder_and_cancellation() -> None:
    _in_order(
        BY_NAME["AUT-1000001-certificate"],
        "Certificate of Insurance",
        "CERTIFICATE NUMBER",
        "PRODUCER",
        "INSURED",
        "Coverages",
        "Coverage",
        "Limit",
        "Deductible",
        "CERTIFICATE HOLDER",
        "Núñez & Hijos",
        "CANCELLATION",
        "Authorized representative",
    )


@pytest.mark.parametrize("template", ["default", "TX", "NY"])
def test_each_card_reads_title_fields_code_then_statement(template: str) -> None:
    doc = BY_NAME[f"id_card-{template}"]
    with _open(doc) as pdf:
        cards = structure(pdf).all("Sect")
    expected = {"default": ["H1", "L", "P"], "TX": ["H1", "L", "P", "P"]}.get(
        template, ["H1", "P", "L", "Figure", "P", "P", "P"]
    )
    assert len(cards) == (4 if template == "NY" else 2)
    assert all([k.role for k in card.kids] == expected for card in cards)
    _in_order(
        doc,
        "Show this page on your phone",
        "INSURANCE",  # the card title
        "POLICY NUMBER",
        "AUT-1000001",
        "VIN",
        *(["Scan for policy data"] if template == "NY" else []),
        "Keep this card" if template == "default" else "This",  # the statement
    )


def test_a_table_and_a_paragraph_split_across_pages_stay_one_element_each(
    renderer: DocumentRenderer, persona
) -> None:
    holder, policy = persona("AUT-1000001")
    drivers = tuple(Driver(f"Driver {i}", date(2008, 1, 1), "TX", "child") for i in range(60))
    forms = tuple(f"PP {i:04d} 01 26" for i in range(400))
    policy = replace(policy, drivers=drivers, forms=forms)
    doc = renderer.render(DocumentKind.DECLARATIONS, policy, holder)
    assert doc.page_count >= 3
    with pikepdf.open(io.BytesIO(doc.pdf)) as pdf:
        tree = structure(pdf)
        assert marked_content(pdf).untagged == []
    drivers_table = tree.all("Table")[0]
    assert len(drivers_table.kids) == 1 + 60, "the heading row repeated on a new page is not read"
    order = list(tree.walk())
    second_last_h2 = [i for i, n in enumerate(order) if n.role == "H2"][-2]  # the forms list
    forms_paragraph = order[second_last_h2 + 1]
    assert forms_paragraph.role == "P"
    assert len({page for page, _ in forms_paragraph.mcids}) >= 2
