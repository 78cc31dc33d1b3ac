"""Reading a tagged PDF the way assistive technology does: its structure tree and marked content.

``structure`` walks the tree with pikepdf; ``reading_order`` asks poppler (``pdfinfo -struct-text``)
for the text of each element in tree order, an independent reader of the same tree;
``untagged_content`` finds drawing operators outside any marked-content sequence; ``placed_text``
gives each text run's page and position, for comparing the reading order with the page.
"""

from __future__ import annotations

import io
import re
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf
from pypdf import PdfReader

# Standard structure types (PDF 1.7 §14.8.4): a role outside these would need a RoleMap.
STANDARD_ROLES = frozenset(
    "Document Part Art Sect Div BlockQuote Caption TOC TOCI Index NonStruct Private P H H1 H2 H3 "
    "H4 H5 H6 L LI Lbl LBody Table TR TH TD THead TBody TFoot Span Quote Note Reference BibEntry "
    "Code Link Annot Ruby RB RT RP Warichu WT WP Figure Formula Form".split()
)
# Operators that put marks on the page: text showing, path painting, XObjects, shadings.
PAINTING = frozenset(
    {"Tj", "TJ", "'", '"', "f", "F", "f*", "S", "s", "B", "B*", "b", "b*", "Do", "sh"}
)


@dataclass
class Node:
    """One structure element: its role, its entries of interest, its kids in order."""

    role: str
    alt: str | None = None
    actual_text: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)
    kids: list[Node] = field(default_factory=list)
    mcids: list[tuple[int, int]] = field(default_factory=list)  # (page index, MCID)

    def walk(self) -> Iterator[Node]:
        yield self
        for kid in self.kids:
            yield from kid.walk()

    def all(self, role: str) -> list[Node]:
        return [n for n in self.walk() if n.role == role]


def structure(pdf: pikepdf.Pdf) -> Node:
    """The structure tree below /StructTreeRoot, as ``Node``s (the root is the /Document)."""
    pages = {page.objgen: index for index, page in enumerate(pdf.pages)}
    root = pdf.Root.StructTreeRoot
    kids = _as_list(root.K)
    assert len(kids) == 1, "one /Document element at the top"
    return _node(kids[0], pages, None)


def _as_list(value: object) -> list[pikepdf.Object]:
    if isinstance(value, pikepdf.Array):
        return list(value)
    return [value]  # type: ignore[list-item]


def _node(elem: pikepdf.Dictionary, pages: dict[tuple[int, int], int], page: int | None) -> Node:
    if "/Pg" in elem:
        page = pages[elem.Pg.objgen]
    node = Node(role=str(elem.S).lstrip("/"))
    if "/Alt" in elem:
        node.alt = str(elem.Alt)
    if "/ActualText" in elem:
        node.actual_text = str(elem.ActualText)
    if "/A" in elem:
        node.attributes = {str(k): str(v) for k, v in elem.A.items()}
    for kid in _as_list(elem.get("/K", pikepdf.Array())):
        if isinstance(kid, int):
            assert page is not None, f"{node.role}: MCID without a page"
            node.mcids.append((page, int(kid)))
        elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
            node.mcids.append((pages[kid.Pg.objgen], int(kid.MCID)))
        elif isinstance(kid, pikepdf.Dictionary):
            node.kids.append(_node(kid, pages, page))
    return node


def parent_tree(pdf: pikepdf.Pdf) -> dict[tuple[int, int], pikepdf.Object]:
    """(page index, MCID) → the element the parent tree names for it."""
    nums = list(pdf.Root.StructTreeRoot.ParentTree.Nums)
    by_key = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
    out = {}
    for index, page in enumerate(pdf.pages):
        if "/StructParents" not in page.obj:
            continue
        for mcid, elem in enumerate(by_key[int(page.obj.StructParents)]):
            out[(index, mcid)] = elem
    return out


@dataclass
class MarkedContent:
    """What the page content streams hold: tagged sequences and anything drawn outside them."""

    mcids: list[tuple[int, int]]  # (page index, MCID) in content order
    untagged: list[tuple[int, str]]  # (page index, operator) drawn outside any sequence
    artifacts: int  # artifact sequences seen


def marked_content(pdf: pikepdf.Pdf) -> MarkedContent:
    found = MarkedContent([], [], 0)
    for index, page in enumerate(pdf.pages):
        stack: list[str] = []
        for operands, operator in pikepdf.parse_content_stream(page):
            op = str(operator)
            if op in ("BDC", "BMC"):
                tag = str(operands[0]).lstrip("/")
                stack.append(tag)
                if tag == "Artifact":
                    found.artifacts += 1
                elif op == "BDC" and "/MCID" in operands[1]:
                    assert len([t for t in stack if t != "Artifact"]) == 1, "MCIDs do not nest"
                    found.mcids.append((index, int(operands[1].MCID)))
            elif op == "EMC":
                stack.pop()
            elif op in PAINTING and not stack:
                found.untagged.append((index, op))
        assert not stack, f"page {index + 1}: a marked-content sequence is not closed"
    return found


def reading_order(pdf_bytes: bytes) -> list[tuple[str, str]]:
    """(role, text) of each element with content, in structure-tree order, read by poppler."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "doc.pdf"
        path.write_bytes(pdf_bytes)
        out = subprocess.run(
            ["pdfinfo", "-struct-text", str(path)], capture_output=True, text=True, check=True
        ).stdout
    order: list[tuple[str, str]] = []
    role = ""
    for line in out.splitlines():
        stripped = line.strip()
        if stripped.startswith('"'):
            order.append((role, stripped.strip('"')))
        elif stripped and not stripped.startswith("/"):
            role = re.split(r"[ :]", stripped, maxsplit=1)[0]
    return order


@dataclass(frozen=True)
class PlacedText:
    text: str
    page: int
    x: float  # points from the left
    y: float  # points from the bottom (baseline)


def placed_text(pdf_bytes: bytes) -> list[PlacedText]:
    """Every text run with its page and position, as drawn."""
    reader = PdfReader(io.BytesIO(pdf_bytes))
    runs: list[PlacedText] = []
    for index, page in enumerate(reader.pages):

        def visit(text, cm, tm, font, size, index=index) -> None:  # type: ignore[no-untyped-def]
            if text.strip():
                x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
                y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
                runs.append(PlacedText(text.strip(), index, x, y))

        page.extract_text(visitor_text=visit)
    return runs


def squash(text: str) -> str:
    """Text without whitespace: line wrapping differs between readers."""
    return re.sub(r"\s+", "", text)
