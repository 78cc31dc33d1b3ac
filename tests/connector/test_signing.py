"""Request signing: the exact scheme of docs/pas-api.md, fresh per attempt."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import re

import httpx
import pytest

from pas_connector.client import CallStats, PasClient
from pas_connector.errors import PasAuthError, PasUnavailable
from pas_connector.signing import PasSigner, canonical_string, new_nonce
from pas_connector.transport import make_http_client
from tests.connector.fakes import KEY_ID, SECRET, FakePas


def _independent_signature(
    secret: str, method: str, target: str, ts: str, nonce: str, body: bytes
) -> str:
    text = f"{method}\n{target}\n{ts}\n{nonce}\n{hashlib.sha256(body).hexdigest()}"
    return hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()


async def _signed(request: httpx.Request, signer: PasSigner) -> httpx.Request:
    flow = signer.async_auth_flow(request)
    return await flow.__anext__()


async def test_signer_sets_the_four_headers_over_method_path_query_time_nonce_and_body_hash():
    signer = PasSigner(
        KEY_ID,
        SECRET,
        clock=lambda: 1_795_000_000.9,
        nonce_source=lambda: "0123456789abcdef0123456789abcdef",
    )
    body = b'{"amount":"100.00"}'
    request = httpx.Request(
        "POST", "http://pas.test/api/v1/policies/AUT-1000001/payments?x=1&y=a%20b", content=body
    )

    signed = await _signed(request, signer)

    assert signed.headers["X-PAS-Key-Id"] == KEY_ID
    assert signed.headers["X-PAS-Timestamp"] == "1795000000"  # whole seconds, truncated
    assert signed.headers["X-PAS-Nonce"] == "0123456789abcdef0123456789abcdef"
    assert signed.headers["X-PAS-Signature"] == _independent_signature(
        SECRET,
        "POST",
        "/api/v1/policies/AUT-1000001/payments?x=1&y=a%20b",
        "1795000000",
        "0123456789abcdef0123456789abcdef",
        body,
    )


async def test_signature_of_a_bodyless_get_hashes_the_empty_body():
    signer = PasSigner(KEY_ID, SECRET, clock=lambda: 100.0, nonce_source=lambda: "a" * 32)
    signed = await _signed(httpx.Request("GET", "http://pas.test/api/v1/health"), signer)
    assert signed.headers["X-PAS-Signature"] == _independent_signature(
        SECRET, "GET", "/api/v1/health", "100", "a" * 32, b""
    )
    assert canonical_string("get", "/api/v1/health", 100, "a" * 32, b"").endswith(
        hashlib.sha256(b"").hexdigest()
    )


def test_nonces_are_32_lowercase_hex_and_do_not_repeat():
    nonces = {new_nonce() for _ in range(500)}
    assert len(nonces) == 500
    assert all(re.fullmatch(r"[0-9a-f]{32}", n) for n in nonces)


def test_signer_refuses_an_empty_secret():
    with pytest.raises(ValueError):
        PasSigner(KEY_ID, "")


async def test_each_retry_attempt_is_signed_again_with_a_new_timestamp_and_nonce(pas_settings):
    fake = FakePas()
    fake.fail_next("/api/v1/health", 503)
    ticks = itertools.count(1_795_000_000)
    signer = PasSigner(KEY_ID, SECRET, clock=lambda: float(next(ticks)))
    client = PasClient(
        pas_settings, make_http_client(pas_settings, signer, transport=fake.transport())
    )
    stats = CallStats()

    assert await client.get("health", "/api/v1/health", stats) == {"status": "ok"}

    first, second = fake.calls("/api/v1/health")
    assert stats.attempts == 2
    assert first.headers["X-PAS-Nonce"] != second.headers["X-PAS-Nonce"]
    assert first.headers["X-PAS-Timestamp"] != second.headers["X-PAS-Timestamp"]
    assert first.headers["X-PAS-Signature"] != second.headers["X-PAS-Signature"]
    await client.aclose()


async def test_a_replayed_nonce_is_refused_by_the_fake_so_reusing_one_would_fail(pas_settings):
    """Guards the fake itself: a signer that reused nonces would get 401 on its second call."""
    fake = FakePas()
    signer = PasSigner(KEY_ID, SECRET, nonce_source=lambda: "b" * 32)
    client = PasClient(
        pas_settings, make_http_client(pas_settings, signer, transport=fake.transport())
    )
    await client.get("health", "/api/v1/health", CallStats())
    with pytest.raises(PasAuthError):
        await client.get("health", "/api/v1/health", CallStats())
    await client.aclose()


async def test_wrong_secret_gets_pas_auth_error_and_is_not_retried(pas_settings):
    fake = FakePas()
    signer = PasSigner(KEY_ID, "not-the-secret")
    client = PasClient(
        pas_settings, make_http_client(pas_settings, signer, transport=fake.transport())
    )
    stats = CallStats()
    with pytest.raises(PasAuthError):
        await client.get("health", "/api/v1/health", stats)
    assert stats.attempts == 1
    assert stats.status_code == 401
    # A key problem is not an outage: it must not look like one to callers.
    assert not isinstance(PasAuthError("x"), PasUnavailable)
    await client.aclose()
