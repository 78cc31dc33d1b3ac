"""Keyed hashes that stand in for identifiers in our tables (lockouts, outcomes).

An HMAC with the audit hash key, so a leaked table cannot be reversed by hashing every
policyholder id, yet the same id always maps to the same pseudonym (72 h repeat contacts,
lockouts that survive a new conversation).
"""

from __future__ import annotations

import hashlib
import hmac


def pseudonym(key: str, kind: str, value: str) -> str:
    """A stable 32-hex-character pseudonym for ``value`` in namespace ``kind``."""
    message = f"{kind}:{value}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()[:32]
