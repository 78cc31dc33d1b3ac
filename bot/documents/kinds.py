"""The kinds of document Policyline issues, with their wire and command-line names."""

from __future__ import annotations

from enum import Enum


class DocumentKind(str, Enum):
    """A document kind. The value is the name in payloads (`{"document": {"kind": ...}}`)."""

    ID_CARD = "id_card"
    DECLARATIONS = "declarations"
    CERTIFICATE = "certificate"

    @property
    def cli_name(self) -> str:
        """The name on the command line: ``id-card``, ``declarations``, ``certificate``."""
        return self.value.replace("_", "-")

    @property
    def label(self) -> str:
        """How the document is called in text for people."""
        return _LABELS[self]

    @classmethod
    def parse(cls, name: str) -> DocumentKind:
        """A kind from its payload or command-line name (``id_card`` or ``id-card``)."""
        return cls(name.strip().lower().replace("-", "_"))


_LABELS = {
    DocumentKind.ID_CARD: "insurance ID card",
    DocumentKind.DECLARATIONS: "declarations page",
    DocumentKind.CERTIFICATE: "certificate of insurance",
}
