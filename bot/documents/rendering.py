"""Render any document kind for a policy: the one entry point the service and the CLI share."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone

from bot.clock import Clock, utc_now
from bot.documents.certificate import CertificateHolder, build_certificate
from bot.documents.certificate_pdf import render_certificate
from bot.documents.declarations import render_declarations
from bot.documents.id_card import render_id_cards
from bot.documents.kinds import DocumentKind
from bot.documents.state_templates import TemplateRegistry, default_registry
from pas_connector.models import Policy, Policyholder


def new_certificate_number(now: datetime) -> str:
    """``COI-20261125-7K3Q9XTA``: issue date plus 40 random bits, unique enough to quote."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    suffix = "".join(secrets.choice(alphabet) for _ in range(8))
    return f"COI-{now:%Y%m%d}-{suffix}"


@dataclass(frozen=True)
class RenderedDocument:
    """A rendered PDF and what is known about it."""

    kind: DocumentKind
    pdf: bytes
    filename: str  # safe ASCII, no policy number or name: it travels in a header
    page_count: int
    template: str | None = None  # ID cards: the state template used ("TX", "default")
    certificate_number: str | None = None
    content_type: str = "application/pdf"

    @property
    def size_bytes(self) -> int:
        return len(self.pdf)


class DocumentRenderer:
    """Renders ID cards, declarations pages and certificates with an injected clock."""

    def __init__(
        self,
        *,
        registry: TemplateRegistry | None = None,
        clock: Clock = utc_now,
        certificate_numbers: Callable[[datetime], str] = new_certificate_number,
    ) -> None:
        self._registry = registry or default_registry()
        self._clock = clock
        self._certificate_numbers = certificate_numbers

    def render(
        self,
        kind: DocumentKind,
        policy: Policy,
        holder: Policyholder,
        *,
        certificate_holder: CertificateHolder | None = None,
    ) -> RenderedDocument:
        """Render ``kind`` for the policy; refusals raise ``DocumentUnavailable`` subclasses."""
        now = self._clock()
        # Policy dates are calendar dates; the UTC date is close enough to judge "in force"
        # (at worst a few hours early at the end of a term, which refuses rather than misleads).
        today = now.astimezone(timezone.utc).date()
        if kind is DocumentKind.ID_CARD:
            pdf, pages, template = render_id_cards(
                policy, holder, registry=self._registry, today=today, created_at=now
            )
            return RenderedDocument(
                kind, pdf, f"insurance-id-card-{today:%Y-%m-%d}.pdf", pages, template=template
            )
        if kind is DocumentKind.DECLARATIONS:
            pdf, pages = render_declarations(policy, holder, today=today, created_at=now)
            return RenderedDocument(kind, pdf, f"declarations-{today:%Y-%m-%d}.pdf", pages)
        if kind is DocumentKind.CERTIFICATE:
            cert = build_certificate(
                policy,
                holder,
                certificate_holder,
                issued_on=today,
                certificate_number=self._certificate_numbers(now),
            )
            pdf, pages = render_certificate(cert, created_at=now)
            return RenderedDocument(
                kind,
                pdf,
                f"certificate-{cert.certificate_number}.pdf",
                pages,
                certificate_number=cert.certificate_number,
            )
        raise ValueError(f"unknown document kind {kind!r}")
