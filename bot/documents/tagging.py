"""Tagged PDF for every document: a structure tree with reading order, and artifacts for the rest.

fpdf2 (2.8) writes a structure tree only for images given alt text: a flat list of ``/Figure``
elements. Screen readers need more (PDF/UA-1): headings, lists, tables with header cells, the
reading order, and page furniture (rules, tints, the footer) marked as artifacts so it is skipped.
``Tagger`` builds that tree with fpdf2's own structure objects (``fpdf.structure_tree``), and fpdf2
serialises it with the rest of the file: each piece of content is drawn inside a marked-content
sequence (``/P <</MCID 3>> BDC ... EMC``) owned by one structure element, or inside an
``/Artifact`` sequence. Elements are created in reading order, so draw code that paints out of
reading order creates its elements first (``Tagger.group``) and fills them later (``into``).

``fpdf.structure_tree`` is internal to fpdf2; fpdf2 is pinned and
tests/documents/test_accessible_pdfs.py checks the tree of every document kind and state layout.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fpdf.structure_tree import StructElem, StructureTreeBuilder
from fpdf.syntax import PDFObject, PDFString

if TYPE_CHECKING:
    from fpdf import FPDF
    from fpdf.encryption import StandardSecurityHandler

# Attributes (PDF 1.7 §14.8.5) for a column header cell and for a figure's bounding box.
COLUMN_HEADER = "<</O /Table /Scope /Column>>"


class Element(StructElem):
    """A structure element with the entries fpdf2's ``StructElem`` lacks: /A and /ActualText.

    fpdf2 serialises every public slot as a dictionary entry (``actual_text`` → /ActualText).
    """

    __slots__ = ("a", "actual_text")

    def __init__(
        self,
        role: str,
        parent: PDFObject,
        page_number: int,
        *,
        attributes: str | None = None,
        alt: str | None = None,
        actual_text: str | None = None,
    ) -> None:
        super().__init__(f"/{role}", parent, kids=[], page_number=page_number, alt=alt)
        self.a = attributes
        self.actual_text = None if actual_text is None else PDFString(actual_text)

    def role(self) -> str:  # a method: fpdf2 would serialise a property as an entry
        return str(self.s).lstrip("/")


class MarkedContentReference:
    """A kid of an element whose content continues on a later page than the element's /Pg."""

    def __init__(self, page: PDFObject, mcid: int) -> None:
        self.page = page
        self.mcid = mcid

    def serialize(
        self,
        _security_handler: StandardSecurityHandler | None = None,
        _obj_id: int | None = None,
    ) -> str:
        return f"<</Type /MCR /Pg {self.page.ref} /MCID {self.mcid}>>"


class _TreeBuilder(StructureTreeBuilder):
    """fpdf2's builder walks only the first level below /Document; this one walks the whole tree."""

    def __iter__(self) -> Iterator[PDFObject]:
        yield self.struct_tree_root
        yield self.doc_struct_elem
        yield self.struct_tree_root.parent_tree
        yield from _descendants(self.doc_struct_elem)


def _descendants(elem: StructElem) -> Iterator[StructElem]:
    for kid in elem.k:
        if isinstance(kid, StructElem):
            yield kid
            yield from _descendants(kid)


@dataclass(frozen=True)
class _Artifact:
    properties: str


PAGINATION = _Artifact("<</Type /Pagination /Subtype /Footer>>")
LAYOUT = _Artifact("<</Type /Layout>>")


class Tagger:
    """Structure elements and marked content for one ``FPDF`` document (one per document)."""

    def __init__(self, pdf: FPDF) -> None:
        self._pdf = pdf
        self._builder = _TreeBuilder()
        pdf.struct_builder = self._builder
        self._parents: list[StructElem] = [self._builder.doc_struct_elem]
        self._mcids: dict[int, int] = {}
        self._open: Element | _Artifact | None = None
        self._text_target: Element | None = None

    # --- elements ----------------------------------------------------------------------------

    def element(
        self,
        role: str,
        *,
        attributes: str | None = None,
        alt: str | None = None,
        actual_text: str | None = None,
    ) -> Element:
        """A new element under the current group, after its earlier siblings (reading order)."""
        parent = self._parents[-1]
        page = self._pdf.page
        elem = Element(role, parent, page, attributes=attributes, alt=alt, actual_text=actual_text)
        # /Pg: the page an element's MCIDs are on. fpdf2 sets it itself only for /Document's
        # children, and annotates the slot as None.
        elem.pg = self._pdf.pages[page]  # type: ignore[assignment]
        parent.k.append(elem)
        return elem

    @contextmanager
    def group(self, role: str, **entries: Any) -> Iterator[Element]:
        """An element that holds other elements (Sect, L, LI, Table, TR, ...)."""
        elem = self.element(role, **entries)
        with self.into(elem):
            yield elem

    @contextmanager
    def into(self, elem: Element) -> Iterator[Element]:
        """Make ``elem`` (created earlier) the parent of the elements created inside the block."""
        self._parents.append(elem)
        try:
            yield elem
        finally:
            self._parents.pop()

    @contextmanager
    def content(self, role: str, **entries: Any) -> Iterator[Element]:
        """Draw the block's content as a new element ``role`` (P, H1, Lbl, Figure, ...)."""
        elem = self.element(role, **entries)
        with self.marked(elem):
            yield elem

    @contextmanager
    def marked(self, elem: Element) -> Iterator[Element]:
        """Draw the block's content as (more) content of ``elem``."""
        if self._open is not None:
            raise RuntimeError("marked content does not nest")
        self._begin(elem)
        try:
            yield elem
        finally:
            self._end()

    @contextmanager
    def artifact(self, kind: _Artifact = LAYOUT) -> Iterator[None]:
        """Draw the block's content as an artifact: decoration a screen reader skips."""
        if self._open is not None:
            raise RuntimeError("marked content does not nest")
        self._begin(kind)
        try:
            yield
        finally:
            self._end()

    @contextmanager
    def artifact_with_text(self, text_owner: Element) -> Iterator[None]:
        """Decoration with text inside (a table cell): the text, and only it, goes to the owner.

        The next ``multi_cell`` drawn in the block pauses the artifact around its text
        (``DocumentPDF.multi_cell`` calls ``text_target``).
        """
        self._text_target = text_owner
        try:
            with self.artifact():
                yield
        finally:
            self._text_target = None

    def take_text_target(self) -> Element | None:
        target, self._text_target = self._text_target, None
        return target

    @contextmanager
    def paused_artifact(self) -> Iterator[None]:
        """Close the open artifact for the block, then reopen it."""
        open_ = self._open
        if not isinstance(open_, _Artifact):
            raise RuntimeError("no artifact is open")
        self._end()
        try:
            yield
        finally:
            self._begin(open_)

    # --- page breaks -------------------------------------------------------------------------

    def suspend(self) -> Element | _Artifact | None:
        """Close the open sequence before a page break (marked content cannot span pages)."""
        open_ = self._open
        if open_ is not None:
            self._end()
        return open_

    def resume(self, open_: Element | _Artifact | None) -> None:
        """Reopen on the new page what ``suspend`` closed."""
        if open_ is not None:
            self._begin(open_)

    def check_closed(self) -> None:
        if self._open is not None or len(self._parents) != 1:
            raise RuntimeError("a tagged sequence or group was left open")

    # --- content stream ----------------------------------------------------------------------

    def _begin(self, what: Element | _Artifact) -> None:
        pdf = self._pdf
        if isinstance(what, _Artifact):
            pdf._out(f"/Artifact {what.properties} BDC")
        else:
            page = pdf.page
            mcid = self._mcids.get(page, 0)
            self._mcids[page] = mcid + 1
            spids = self._builder.spid_per_page_number
            spid = spids.setdefault(page, len(spids))
            pdf.pages[page].struct_parents = spid
            # The parent tree maps (page, MCID) back to the element: index = MCID.
            self._builder.struct_tree_root.parent_tree.nums[spid].append(what)
            if what.page_number() == page:
                what.k.append(mcid)
            else:
                what.k.append(MarkedContentReference(pdf.pages[page], mcid))
            pdf._out(f"/{what.role()} <</MCID {mcid}>> BDC")
            pdf._set_min_pdf_version("1.4")  # /MarkInfo
        self._open = what

    def _end(self) -> None:
        self._pdf._out("EMC")
        self._open = None
