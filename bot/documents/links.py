"""Signed document link tokens: an opaque link id, the kind and the expiry, signed with HMAC.

Token text: ``<link id>.<kind code>.<expiry, base-36 Unix seconds>.<signature>`` (itsdangerous
``Signer``, HMAC-SHA256, salted for this one use). Nothing in it identifies a policy or a person:
the id is 128 random bits and the binding to policy and conversation lives in the database. The
expiry is signed into the token so an expired link is recognised as expired even after its row
has been purged. Tokens are short because they travel in SMS.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timezone

from itsdangerous import BadSignature, Signer

from bot.documents.errors import LinkTampered
from bot.documents.kinds import DocumentKind

_SALT = "policyline.documents.link.v1"
_KIND_CODES = {
    DocumentKind.ID_CARD: "i",
    DocumentKind.DECLARATIONS: "d",
    DocumentKind.CERTIFICATE: "c",
}
_CODE_KINDS = {code: kind for kind, code in _KIND_CODES.items()}
_ID_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


@dataclass(frozen=True)
class LinkClaims:
    """What a valid token says: which link, which kind, until when."""

    link_id: str
    kind: DocumentKind
    expires_at: datetime


class LinkSigner:
    """Signs and verifies link tokens with the application secret."""

    def __init__(self, secret: str) -> None:
        if not secret:
            raise ValueError("a document link secret is required")
        self._signer = Signer(
            secret, salt=_SALT, key_derivation="hmac", digest_method=hashlib.sha256
        )

    def sign(self, claims: LinkClaims) -> str:
        """The URL-safe token for ``claims``."""
        if not claims.link_id or not set(claims.link_id) <= _ID_ALPHABET:
            raise ValueError("link ids are URL-safe base64 text")
        expiry = _to_base36(int(claims.expires_at.timestamp()))
        value = f"{claims.link_id}.{_KIND_CODES[claims.kind]}.{expiry}"
        return self._signer.sign(value).decode("ascii")

    def verify(self, token: str) -> LinkClaims:
        """The claims in a token we signed; ``LinkTampered`` for anything else."""
        try:
            value = self._signer.unsign(token.encode("ascii")).decode("ascii")
        except (BadSignature, UnicodeError) as exc:
            raise LinkTampered("bad link signature") from exc
        parts = value.split(".")
        if len(parts) != 3 or parts[1] not in _CODE_KINDS:
            raise LinkTampered("malformed link")
        link_id, code, expiry = parts
        try:
            seconds = int(expiry, 36)
        except ValueError as exc:
            raise LinkTampered("malformed link expiry") from exc
        return LinkClaims(
            link_id=link_id,
            kind=_CODE_KINDS[code],
            expires_at=datetime.fromtimestamp(seconds, tz=timezone.utc),
        )


def _to_base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if number == 0:
            return out
