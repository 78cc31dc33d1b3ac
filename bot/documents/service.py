"""The document service: render a document, issue a signed link to it, serve the link once.

Used by the conversation actions (issue) and the web app (serve)::

    service = DocumentService(engine, settings.app_secret_key, settings.public_base_url)
    issued = service.issue_link(DocumentKind.ID_CARD, policy, holder,
                                conversation_id=tracker.sender_id, channel="sms")
    dispatcher.utter_message(text=..., json_message=issued.payload())

The PDF is rendered when the link is issued (tens of milliseconds) and stored with the link, so
opening the link needs neither the PAS nor the renderer. A document whose data has not changed
since it was last rendered today comes from the process's ``RenderCache`` instead
(``render_cache``). Rendering and the inserts are blocking: async callers run ``issue_link`` in a
worker thread (``asyncio.to_thread``).

A link is single-use by default. A Twilio MMS attachment is fetched by Twilio, possibly more than
once, so the MMS path should issue its own link with ``single_use=False`` and a short ``ttl``.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy.engine import Engine

from bot.clock import Clock, utc_now
from bot.documents import store
from bot.documents.certificate import CertificateHolder
from bot.documents.errors import (
    LinkAlreadyUsed,
    LinkExpired,
    LinkMismatch,
    LinkNotFound,
    LinkTampered,
)
from bot.documents.kinds import DocumentKind
from bot.documents.links import LinkClaims, LinkSigner
from bot.documents.render_cache import RenderCache
from bot.documents.rendering import DocumentRenderer, RenderedDocument
from bot.keyed_digest import keyed_digest
from pas_connector.models import Policy, Policyholder

log = logging.getLogger("policyline.documents")

# Carriers cap MMS around 600 KB (docs/architecture.md); stay well under.
MMS_MAX_BYTES = 500_000
DEFAULT_TTL = timedelta(minutes=15)
MAX_TTL = timedelta(hours=24)
# Twilio fetches MMS media within seconds (and may retry); the media link lives a few minutes.
MEDIA_LINK_TTL = timedelta(minutes=5)
PURGE_EVERY = timedelta(minutes=5)


@dataclass(frozen=True)
class IssuedDocument:
    """A document link ready to send."""

    url: str
    expires_at: datetime
    size_bytes: int
    mms_eligible: bool
    document_id: str
    kind: DocumentKind
    page_count: int
    link_id: str = ""  # the holder's link; a media link for MMS copies its PDF

    def payload(self) -> dict[str, Any]:
        """The custom payload of the dialogue contract: ``{"document": {...}}``."""
        return {
            "document": {
                "kind": self.kind.value,
                "url": self.url,
                "expires_at": self.expires_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "bytes": self.size_bytes,
            }
        }


@dataclass(frozen=True)
class DocumentDownload:
    """What the web app sends for a link that was just opened."""

    document_id: str
    kind: DocumentKind
    filename: str
    content_type: str
    content: bytes


class DocumentService:
    """Renders documents, issues signed single-use links and serves them."""

    def __init__(
        self,
        engine: Engine,
        signer_secret: str,
        public_base_url: str,
        *,
        clock: Clock = utc_now,
        renderer: DocumentRenderer | None = None,
        new_id: Callable[[], str] = lambda: secrets.token_urlsafe(16),
        purge_every: timedelta = PURGE_EVERY,
        render_cache: RenderCache | None = None,
    ) -> None:
        self._engine = engine
        self._signer = LinkSigner(signer_secret)
        self._digest_key = signer_secret
        self._base_url = public_base_url.rstrip("/")
        self._clock = clock
        self._renderer = renderer or DocumentRenderer(clock=clock)
        self._render_cache = render_cache if render_cache is not None else RenderCache()
        self._new_id = new_id
        self._purge_every = purge_every
        self._purge_lock = threading.Lock()
        self._last_purge: datetime | None = None

    # --- rendering -------------------------------------------------------------------------

    def render(
        self,
        kind: DocumentKind,
        policy: Policy,
        holder: Policyholder,
        *,
        certificate_holder: CertificateHolder | None = None,
    ) -> RenderedDocument:
        """Render a document without issuing a link (CLI, staff tools, tests)."""
        return self._renderer.render(kind, policy, holder, certificate_holder=certificate_holder)

    # --- issuing ---------------------------------------------------------------------------

    def issue_link(
        self,
        kind: DocumentKind,
        policy: Policy,
        holder: Policyholder,
        *,
        conversation_id: str,
        channel: str,
        certificate_holder: CertificateHolder | None = None,
        single_use: bool = True,
        ttl: timedelta = DEFAULT_TTL,
    ) -> IssuedDocument:
        """Render the document, record it and return a signed link bound to this conversation.

        Raises ``DocumentUnavailable`` (e.g. an ID card for a cancelled policy) before anything
        is stored.
        """
        if not conversation_id:
            raise ValueError("a document link is bound to a conversation id")
        if not channel:
            raise ValueError("the channel that asked for the document is required")
        if not timedelta(0) < ttl <= MAX_TTL:
            raise ValueError(f"link lifetime must be positive and at most {MAX_TTL}")
        if holder.holder_id != policy.holder_id:
            raise ValueError("the policyholder does not hold this policy")
        rendered = self._render_cache.get_or_render(
            kind,
            policy,
            holder,
            self._clock().astimezone(timezone.utc).date(),
            lambda: self.render(kind, policy, holder, certificate_holder=certificate_holder),
            certificate_holder=certificate_holder,
        )
        now = self._clock()
        # Whole seconds: the token carries the expiry in seconds and must agree with the row.
        expires_at = (now + ttl).replace(microsecond=0)
        document_id = f"doc_{self._new_id()}"
        link_id = self._new_id()
        with self._engine.begin() as conn:
            store.insert_issued(
                conn,
                {
                    "document_id": document_id,
                    "kind": kind.value,
                    "policy_ref": store.masked_policy_reference(policy.policy_number),
                    "policy_digest": self.policy_digest(policy.policy_number),
                    "line": policy.line,
                    "state": policy.state,
                    "channel": channel,
                    "conversation_id": conversation_id,
                    "issued_at": now,
                    "size_bytes": rendered.size_bytes,
                    "page_count": rendered.page_count,
                    "template": rendered.template,
                    "certificate_number": rendered.certificate_number,
                    "certificate_holder": certificate_holder.name if certificate_holder else None,
                },
            )
            store.insert_link(
                conn,
                {
                    "link_id": link_id,
                    "document_id": document_id,
                    "kind": kind.value,
                    "policy_number": policy.policy_number,
                    "conversation_id": conversation_id,
                    "channel": channel,
                    "created_at": now,
                    "expires_at": expires_at,
                    "single_use": single_use,
                    "used_at": None,
                    "use_count": 0,
                    "filename": rendered.filename,
                    "content_type": rendered.content_type,
                    "content": rendered.pdf,
                },
            )
        token = self._signer.sign(LinkClaims(link_id=link_id, kind=kind, expires_at=expires_at))
        log.info(
            "document issued id=%s kind=%s policy=%s channel=%s bytes=%d",
            document_id,
            kind.value,
            store.masked_policy_reference(policy.policy_number),
            channel,
            rendered.size_bytes,
        )
        self._maybe_purge(now)
        return IssuedDocument(
            url=f"{self._base_url}/d/{token}",
            expires_at=expires_at,
            size_bytes=rendered.size_bytes,
            mms_eligible=rendered.size_bytes < MMS_MAX_BYTES,
            document_id=document_id,
            kind=kind,
            page_count=rendered.page_count,
            link_id=link_id,
        )

    def issue_media_link(self, issued: IssuedDocument, *, ttl: timedelta = MEDIA_LINK_TTL) -> str:
        """A second link to the same PDF for Twilio to fetch as MMS media.

        Twilio may fetch media more than once, so this link is reusable until it expires (a few
        minutes); the policyholder's own link stays single-use. Nothing is rendered again.
        """
        if not timedelta(0) < ttl <= MAX_TTL:
            raise ValueError(f"link lifetime must be positive and at most {MAX_TTL}")
        now = self._clock()
        expires_at = (now + ttl).replace(microsecond=0)
        link_id = self._new_id()
        with self._engine.begin() as conn:
            original = store.find_link(conn, issued.link_id)
            content = store.link_content(conn, issued.link_id)
            if original is None or content is None:
                raise LinkNotFound()
            store.insert_link(
                conn,
                {
                    "link_id": link_id,
                    "document_id": original.document_id,
                    "kind": original.kind,
                    "policy_number": original.policy_number,
                    "conversation_id": original.conversation_id,
                    "channel": original.channel,
                    "created_at": now,
                    "expires_at": expires_at,
                    "single_use": False,
                    "used_at": None,
                    "use_count": 0,
                    "filename": original.filename,
                    "content_type": original.content_type,
                    "content": content,
                },
            )
        token = self._signer.sign(
            LinkClaims(link_id=link_id, kind=issued.kind, expires_at=expires_at)
        )
        return f"{self._base_url}/d/{token}"

    def policy_digest(self, policy_number: str) -> str:
        """A keyed, one-way digest of a policy number, to count documents per policy."""
        return keyed_digest(self._digest_key, "document-policy", policy_number)

    # --- serving ---------------------------------------------------------------------------

    def open_link(
        self,
        token: str,
        *,
        kind: DocumentKind | None = None,
        conversation_id: str | None = None,
        policy_number: str | None = None,
    ) -> DocumentDownload:
        """Use a link once and return its PDF.

        ``kind``, ``conversation_id`` and ``policy_number``, when the caller knows them, must
        match what the link is bound to; a mismatch is refused without using the link up.
        Raises a ``LinkRefused`` subclass whose ``http_status`` the web app answers with.
        """
        claims, record = self._live_record(token, kind, conversation_id, policy_number)
        now = self._clock()
        with self._engine.begin() as conn:
            if not store.claim_link(conn, record.link_id, now):
                raise self._why_unclaimable(conn, record.link_id, now)
            content = store.link_content(conn, record.link_id)
        if content is None:  # purged between the claim and the read: treat as gone
            raise LinkNotFound("link no longer exists")
        log.info("document link opened id=%s kind=%s", record.document_id, claims.kind.value)
        return DocumentDownload(
            document_id=record.document_id,
            kind=claims.kind,
            filename=record.filename,
            content_type=record.content_type,
            content=content,
        )

    def check_link(
        self,
        token: str,
        *,
        kind: DocumentKind | None = None,
        conversation_id: str | None = None,
        policy_number: str | None = None,
    ) -> store.LinkRecord:
        """Everything ``open_link`` checks, without using the link (for HEAD requests)."""
        _, record = self._live_record(token, kind, conversation_id, policy_number)
        if record.single_use and record.used_at is not None:
            raise LinkAlreadyUsed("link already used")
        return record

    def _live_record(
        self,
        token: str,
        kind: DocumentKind | None,
        conversation_id: str | None,
        policy_number: str | None,
    ) -> tuple[LinkClaims, store.LinkRecord]:
        claims = self._signer.verify(token)
        now = self._clock()
        if now >= claims.expires_at:
            raise LinkExpired("link expired")
        with self._engine.connect() as conn:
            record = store.find_link(conn, claims.link_id)
        if record is None:
            raise LinkNotFound("no such link")
        if record.kind != claims.kind.value or record.expires_at != claims.expires_at:
            # Validly signed but not what we stored: never serve it.
            raise LinkTampered("link does not match its record")
        if kind is not None and record.kind != kind.value:
            raise LinkMismatch("link is for another document kind")
        if conversation_id is not None and record.conversation_id != conversation_id:
            raise LinkMismatch("link belongs to another conversation")
        if policy_number is not None and record.policy_number != policy_number:
            raise LinkMismatch("link is for another policy")
        return claims, record

    @staticmethod
    def _why_unclaimable(conn: Any, link_id: str, now: datetime) -> Exception:
        record = store.find_link(conn, link_id)
        if record is None:
            return LinkNotFound("no such link")
        if record.expires_at <= now:
            return LinkExpired("link expired")
        return LinkAlreadyUsed("link already used")

    # --- housekeeping ----------------------------------------------------------------------

    def purge_expired(self) -> int:
        """Delete expired links (PDF and policy number with them); return how many."""
        now = self._clock()
        with self._engine.begin() as conn:
            deleted = store.delete_expired_links(conn, now)
        if deleted:
            log.info("purged %d expired document links", deleted)
        return deleted

    def _maybe_purge(self, now: datetime) -> None:
        # Purging rides on issuing (at most every few minutes per process) so no scheduler is
        # needed; a failed purge must never fail the document the user is waiting for.
        if not self._purge_lock.acquire(blocking=False):
            return
        try:
            if self._last_purge is not None and now - self._last_purge < self._purge_every:
                return
            self._last_purge = now
            self.purge_expired()
        except Exception:
            log.warning("purging expired document links failed", exc_info=True)
        finally:
            self._purge_lock.release()
