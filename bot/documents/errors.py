"""Errors raised by the document service.

    DocumentError
    ├── DocumentUnavailable      this policy cannot have this document (a refusal, not a fault)
    │   ├── PolicyNotInForce     ID card or certificate for a cancelled or expired policy
    │   └── WrongLineOfBusiness  ID card for a home or renters policy
    ├── CertificateHolderRequired  a certificate was asked for without a certificate holder
    ├── TemplateError            the state template data file is invalid (raised at load)
    └── LinkRefused              a document link cannot be served
        ├── LinkTampered         signature or payload is not ours (HTTP 400)
        ├── LinkNotFound         no such link, or it was purged (HTTP 404)
        ├── LinkMismatch         the link is for another conversation, kind or policy (HTTP 404)
        ├── LinkExpired          past its expiry time (HTTP 410)
        └── LinkAlreadyUsed      single-use link already opened (HTTP 410)

Callers turn a ``DocumentUnavailable`` into a plain answer ("this policy is no longer in force")
and a ``LinkRefused`` into the page its ``http_status`` names. Messages never carry a policy number.
"""

from __future__ import annotations


class DocumentError(Exception):
    """Base of every document service error."""


class DocumentUnavailable(DocumentError):
    """This policy cannot have the requested document."""

    reason = "unavailable"


class PolicyNotInForce(DocumentUnavailable):
    """The policy is cancelled or expired, so it cannot be evidenced as in force."""

    reason = "not_in_force"


class WrongLineOfBusiness(DocumentUnavailable):
    """The document does not exist for this line (e.g. an ID card for a home policy)."""

    reason = "wrong_line"


class CertificateHolderRequired(DocumentError):
    """A certificate of insurance names a certificate holder; none was given."""


class TemplateError(DocumentError):
    """The ID card template data is invalid."""


class LinkRefused(DocumentError):
    """A document link cannot be served; ``http_status`` says how the web app answers."""

    http_status = 404
    reason = "refused"


class LinkTampered(LinkRefused):
    """The token's signature or payload is not one we issued."""

    http_status = 400
    reason = "invalid"


class LinkNotFound(LinkRefused):
    """No link with this id exists (never issued, or purged)."""

    http_status = 404
    reason = "not_found"


class LinkMismatch(LinkRefused):
    """The link exists but belongs to another conversation, document kind or policy."""

    http_status = 404
    reason = "mismatch"


class LinkExpired(LinkRefused):
    """The link is past its expiry time."""

    http_status = 410
    reason = "expired"


class LinkAlreadyUsed(LinkRefused):
    """The single-use link was already opened."""

    http_status = 410
    reason = "used"
