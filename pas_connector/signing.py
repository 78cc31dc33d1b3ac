"""HMAC request signing for the PAS API (scheme in ``docs/pas-api.md``).

``PasSigner`` is an ``httpx.Auth``: the HTTP client applies it to every request it sends, so each
attempt of a retried read is signed afresh with its own timestamp and nonce (the PAS refuses a
replayed nonce and a timestamp more than 300 s off). Callers above the client never see it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable, Generator

import httpx

KEY_ID_HEADER = "X-PAS-Key-Id"
TIMESTAMP_HEADER = "X-PAS-Timestamp"
NONCE_HEADER = "X-PAS-Nonce"
SIGNATURE_HEADER = "X-PAS-Signature"


def new_nonce() -> str:
    """32 lowercase hex characters from the OS random source."""
    return secrets.token_hex(16)


def canonical_string(
    method: str, path_and_query: str, timestamp: int, nonce: str, body: bytes
) -> str:
    """The text the PAS signs: method, raw path and query, timestamp, nonce, SHA-256 of the body."""
    return "\n".join(
        (method.upper(), path_and_query, str(timestamp), nonce, hashlib.sha256(body).hexdigest())
    )


def signature(secret: str, canonical: str) -> str:
    """Lowercase hex HMAC-SHA256 of ``canonical`` under ``secret``."""
    return hmac.new(secret.encode(), canonical.encode(), hashlib.sha256).hexdigest()


class PasSigner(httpx.Auth):
    """Adds the four ``X-PAS-*`` headers to each request.

    ``clock`` returns Unix time in seconds and ``nonce_source`` returns a fresh nonce; both are
    injectable so tests can check exact signatures.
    """

    # The signature covers the body's hash, so httpx must read the body before calling us.
    requires_request_body = True

    def __init__(
        self,
        key_id: str,
        secret: str,
        *,
        clock: Callable[[], float] = time.time,
        nonce_source: Callable[[], str] = new_nonce,
    ) -> None:
        if not key_id or not secret:
            raise ValueError("PAS key id and secret are both required")
        self._key_id = key_id
        self._secret = secret
        self._clock = clock
        self._nonce_source = nonce_source

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        timestamp = int(self._clock())
        nonce = self._nonce_source()
        # raw_path is the path plus "?query" exactly as it goes on the wire.
        path_and_query = request.url.raw_path.decode("ascii")
        canonical = canonical_string(
            request.method, path_and_query, timestamp, nonce, request.content
        )
        request.headers[KEY_ID_HEADER] = self._key_id
        request.headers[TIMESTAMP_HEADER] = str(timestamp)
        request.headers[NONCE_HEADER] = nonce
        request.headers[SIGNATURE_HEADER] = signature(self._secret, canonical)
        yield request
