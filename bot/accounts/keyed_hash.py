"""Keyed digests of secrets we must recognise but never store (codes, device and session ids)."""

from __future__ import annotations

import hashlib
import hmac


def keyed_digest(key: str, purpose: str, value: str) -> str:
    """HMAC-SHA256 of ``value``, separated by ``purpose`` so digests never cross uses."""
    message = f"{purpose}\x00{value}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def digests_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
