"""The one keyed digest: identifiers and secrets we must recognise but never store in the clear.

Phone numbers, policyholder ids, conversation ids, one-time codes, recovery codes, device ids:
wherever one has to be a *key* or be checked later, we keep an HMAC-SHA256 of it under a server
secret, labelled with its purpose so that a digest made for one use never matches another. A
plain SHA-256 would not do: the spaces of phone numbers, policy numbers and 6-digit codes are
small enough to enumerate.

The message is ``purpose:value``; purposes are constants in code (never user input), so the
separator cannot be forged.
"""

from __future__ import annotations

import hashlib
import hmac

FULL_LENGTH = 64
# A pseudonym in analytics and counting tables (outcomes, lockouts, send budgets): 128 bits is
# plenty to never collide, and shorter keys keep the indexes small.
PSEUDONYM_LENGTH = 32


def keyed_digest(key: str, purpose: str, value: str, *, length: int = FULL_LENGTH) -> str:
    """Hex HMAC-SHA256 of ``purpose:value`` under ``key``, cut to ``length`` hex characters."""
    message = f"{purpose}:{value}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()[:length]


def pseudonym(key: str, purpose: str, value: str) -> str:
    """A stable short stand-in for an identifier (``PSEUDONYM_LENGTH`` hex characters)."""
    return keyed_digest(key, purpose, value, length=PSEUDONYM_LENGTH)


def digests_equal(a: str, b: str) -> bool:
    """Compare two digests in constant time."""
    return hmac.compare_digest(a.encode(), b.encode())
