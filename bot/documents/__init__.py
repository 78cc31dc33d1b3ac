"""Insurance documents: auto ID cards, declarations pages, certificates, and signed links to them.

The public API (see ``service.DocumentService``)::

    from bot.documents import DocumentKind, DocumentService, CertificateHolder

Rendering uses fpdf2 with the DejaVu Sans fonts shipped in ``fonts/``; ID card content per state
comes from ``id_card_templates.yaml``. Importing this package declares the ``documents_issued``
and ``document_links`` tables on ``bot.db.metadata``.
"""

from bot.documents.certificate import CertificateHolder
from bot.documents.errors import (
    CertificateHolderRequired,
    DocumentError,
    DocumentUnavailable,
    LinkAlreadyUsed,
    LinkExpired,
    LinkMismatch,
    LinkNotFound,
    LinkRefused,
    LinkTampered,
    PolicyNotInForce,
    TemplateError,
    WrongLineOfBusiness,
)
from bot.documents.kinds import DocumentKind
from bot.documents.rendering import DocumentRenderer, RenderedDocument
from bot.documents.service import (
    MMS_MAX_BYTES,
    DocumentDownload,
    DocumentService,
    IssuedDocument,
)

__all__ = [
    "MMS_MAX_BYTES",
    "CertificateHolder",
    "CertificateHolderRequired",
    "DocumentDownload",
    "DocumentError",
    "DocumentKind",
    "DocumentRenderer",
    "DocumentService",
    "DocumentUnavailable",
    "IssuedDocument",
    "LinkAlreadyUsed",
    "LinkExpired",
    "LinkMismatch",
    "LinkNotFound",
    "LinkRefused",
    "LinkTampered",
    "PolicyNotInForce",
    "RenderedDocument",
    "TemplateError",
    "WrongLineOfBusiness",
]
