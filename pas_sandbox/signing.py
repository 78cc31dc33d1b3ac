"""Verification of the PAS request signature (scheme in ``docs/pas-api.md``).

The server recomputes HMAC-SHA256 over the canonical string

    METHOD \\n PATH?QUERY \\n TIMESTAMP \\n NONCE \\n SHA256(BODY)

and refuses the request (401) when a header is missing, the key id is unknown, the timestamp is
more than ``skew_s`` from its clock in either direction, the signature differs (constant-time
compare), or the (key id, nonce) pair was accepted within the last ``replay_window_s``.
A nonce is remembered only after the signature checks out, so forged requests cannot burn a
legitimate client's nonces.

``sign_headers`` is the client side, used by the sandbox's own tests and benches; the connector
has its own signer (``pas_connector/signing.py``) and the two agree through the canonical string.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from collections import deque
from collections.abc import Callable, Mapping

KEY_ID_HEADER = "X-PAS-Key-Id"
TIMESTAMP_HEADER = "X-PAS-Timestamp"
NONCE_HEADER = "X-PAS-Nonce"
SIGNATURE_HEADER = "X-PAS-Signature"
REQUIRED_HEADERS = (KEY_ID_HEADER, TIMESTAMP_HEADER, NONCE_HEADER, SIGNATURE_HEADER)

DEFAULT_SKEW_S = 300
DEFAULT_REPLAY_WINDOW_S = 600
_NONCE = re.compile(r"[0-9a-f]{32}")
_TIMESTAMP = re.compile(r"[0-9]{1,12}")


def canonical_string(
    method: str, path_and_query: str, timestamp: str, nonce: str, body: bytes
) -> str:
    """The signed text: method, raw path and query, timestamp, nonce, SHA-256 of the body."""
    return "\n".join(
        (method.upper(), path_and_query, timestamp, nonce, hashlib.sha256(body).hexdigest())
    )


def compute_signature(secret: str, canonical: str) -> str:
    """Lowercase hex HMAC-SHA256 of ``canonical`` under ``secret``."""
    return hmac.new(secret.encode(), canonical.encode(), hashlib.sha256).hexdigest()


def sign_headers(
    key_id: str,
    secret: str,
    method: str,
    path_and_query: str,
    body: bytes = b"",
    *,
    timestamp: int | None = None,
    nonce: str | None = None,
) -> dict[str, str]:
    """The four ``X-PAS-*`` headers for one request (fresh nonce and current time by default)."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    nonce = nonce or secrets.token_hex(16)
    signature = compute_signature(secret, canonical_string(method, path_and_query, ts, nonce, body))
    return {
        KEY_ID_HEADER: key_id,
        TIMESTAMP_HEADER: ts,
        NONCE_HEADER: nonce,
        SIGNATURE_HEADER: signature,
    }


class SignatureError(Exception):
    """The request's signature is refused; ``reason`` is safe to return to the caller."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ReplayCache:
    """Remembers (key id, nonce) pairs for ``window_s`` seconds.

    Entries are appended in time order, so expired ones are dropped from the front of a deque:
    memory stays proportional to the request rate times the window.
    """

    def __init__(self, window_s: float = DEFAULT_REPLAY_WINDOW_S) -> None:
        self.window_s = window_s
        self._seen: dict[tuple[str, str], float] = {}
        self._order: deque[tuple[float, tuple[str, str]]] = deque()

    def check_and_remember(self, key_id: str, nonce: str, now: float) -> bool:
        """False when the pair was seen within the window; otherwise remember it and say True."""
        self._expire(now)
        pair = (key_id, nonce)
        if pair in self._seen:
            return False
        expires = now + self.window_s
        self._seen[pair] = expires
        self._order.append((expires, pair))
        return True

    def _expire(self, now: float) -> None:
        while self._order and self._order[0][0] <= now:
            expires, pair = self._order.popleft()
            if self._seen.get(pair) == expires:
                del self._seen[pair]

    def clear(self) -> None:
        self._seen.clear()
        self._order.clear()

    def __len__(self) -> int:
        return len(self._seen)


class SignatureVerifier:
    """Checks the ``X-PAS-*`` headers of one request against the known keys."""

    def __init__(
        self,
        keys: Mapping[str, str],
        *,
        skew_s: float = DEFAULT_SKEW_S,
        replay: ReplayCache | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._keys = dict(keys)
        self._skew_s = skew_s
        self.replay = replay or ReplayCache()
        self._clock = clock

    def verify(
        self, method: str, path_and_query: str, headers: Mapping[str, str], body: bytes
    ) -> str:
        """Return the caller's key id, or raise ``SignatureError`` with the reason."""
        missing = [h for h in REQUIRED_HEADERS if not headers.get(h)]
        if missing:
            raise SignatureError(f"missing header {missing[0]}")
        key_id = headers[KEY_ID_HEADER]
        timestamp = headers[TIMESTAMP_HEADER]
        nonce = headers[NONCE_HEADER]
        given = headers[SIGNATURE_HEADER]
        secret = self._keys.get(key_id)
        if secret is None:
            raise SignatureError("unknown key id")
        if not _TIMESTAMP.fullmatch(timestamp):
            raise SignatureError("malformed timestamp")
        if not _NONCE.fullmatch(nonce):
            raise SignatureError("malformed nonce")
        now = self._clock()
        if abs(now - int(timestamp)) > self._skew_s:
            raise SignatureError("timestamp outside the allowed clock skew")
        expected = compute_signature(
            secret, canonical_string(method, path_and_query, timestamp, nonce, body)
        )
        if not hmac.compare_digest(expected.encode(), given.encode()):
            raise SignatureError("signature mismatch")
        if not self.replay.check_and_remember(key_id, nonce, now):
            raise SignatureError("replayed nonce")
        return key_id
