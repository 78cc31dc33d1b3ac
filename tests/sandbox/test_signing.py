"""Every way a request signature can be wrong is refused with 401; a right one passes."""

from __future__ import annotations

import json

import pytest

from pas_sandbox.signing import (
    KEY_ID_HEADER,
    NONCE_HEADER,
    REQUIRED_HEADERS,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    ReplayCache,
    SignatureError,
    SignatureVerifier,
    canonical_string,
    compute_signature,
    sign_headers,
)
from tests.sandbox.conftest import KEY_ID, SECRET, FakeClock, SignedApi

HEALTH = "/api/v1/health"
PAYMENTS = "/api/v1/policies/AUT-1000001/payments"


async def _send(
    api: SignedApi, method: str, path: str, headers: dict[str, str], body: bytes = b""
) -> tuple[int, dict]:
    response = await api.client.request(method, path, data=body, headers=headers)
    return response.status, await response.json()


def _signed(api: SignedApi, method: str, path: str, body: bytes = b"", **kw) -> dict[str, str]:
    return sign_headers(
        KEY_ID, SECRET, method, path, body, timestamp=kw.pop("timestamp", int(api.clock())), **kw
    )


async def test_a_correctly_signed_request_is_answered(api: SignedApi) -> None:
    status, body = await _send(api, "GET", HEALTH, _signed(api, "GET", HEALTH))
    assert (status, body) == (200, {"status": "ok"})


@pytest.mark.parametrize("header", REQUIRED_HEADERS)
async def test_a_missing_signing_header_is_refused(api: SignedApi, header: str) -> None:
    headers = _signed(api, "GET", HEALTH)
    del headers[header]
    status, body = await _send(api, "GET", HEALTH, headers)
    assert status == 401
    assert body == {"error": "unauthorized", "reason": f"missing header {header}"}


async def test_an_unknown_key_id_is_refused(api: SignedApi) -> None:
    headers = sign_headers("someone-else", SECRET, "GET", HEALTH, timestamp=int(api.clock()))
    status, body = await _send(api, "GET", HEALTH, headers)
    assert (status, body["reason"]) == (401, "unknown key id")


async def test_a_signature_made_with_another_secret_is_refused(api: SignedApi) -> None:
    headers = sign_headers(KEY_ID, "wrong-secret", "GET", HEALTH, timestamp=int(api.clock()))
    status, body = await _send(api, "GET", HEALTH, headers)
    assert (status, body["reason"]) == (401, "signature mismatch")


async def test_a_body_changed_after_signing_is_refused(api: SignedApi) -> None:
    signed_body = json.dumps({"amount": "1.00", "method": "card", "reference": "pi_1"}).encode()
    sent_body = json.dumps({"amount": "412.50", "method": "card", "reference": "pi_1"}).encode()
    headers = {
        **_signed(api, "POST", PAYMENTS, signed_body),
        "Idempotency-Key": "k-tamper",
        "Content-Type": "application/json",
    }
    status, body = await _send(api, "POST", PAYMENTS, headers, sent_body)
    assert (status, body["reason"]) == (401, "signature mismatch")
    billing = api.sandbox.store.policy("AUT-1000001").billing
    assert billing.balance_cents == 41250  # nothing was posted


async def test_a_path_changed_after_signing_is_refused(api: SignedApi) -> None:
    headers = _signed(api, "GET", "/api/v1/policies/AUT-1000001")
    status, body = await _send(api, "GET", "/api/v1/policies/AUT-1000003", headers)
    assert (status, body["reason"]) == (401, "signature mismatch")


async def test_a_query_string_changed_after_signing_is_refused(api: SignedApi) -> None:
    headers = _signed(api, "GET", f"{HEALTH}?probe=1")
    status, _ = await _send(api, "GET", f"{HEALTH}?probe=2", headers)
    assert status == 401
    status, _ = await _send(
        api, "GET", f"{HEALTH}?probe=1", _signed(api, "GET", f"{HEALTH}?probe=1")
    )
    assert status == 200


async def test_a_timestamp_older_than_five_minutes_is_refused(api: SignedApi) -> None:
    stale = _signed(api, "GET", HEALTH, timestamp=int(api.clock()) - 301)
    status, body = await _send(api, "GET", HEALTH, stale)
    assert (status, body["reason"]) == (401, "timestamp outside the allowed clock skew")
    edge = _signed(api, "GET", HEALTH, timestamp=int(api.clock()) - 300)
    assert (await _send(api, "GET", HEALTH, edge))[0] == 200


async def test_a_timestamp_more_than_five_minutes_ahead_is_refused(api: SignedApi) -> None:
    future = _signed(api, "GET", HEALTH, timestamp=int(api.clock()) + 301)
    status, body = await _send(api, "GET", HEALTH, future)
    assert (status, body["reason"]) == (401, "timestamp outside the allowed clock skew")


async def test_a_replayed_nonce_is_refused(api: SignedApi) -> None:
    headers = _signed(api, "GET", HEALTH)
    assert (await _send(api, "GET", HEALTH, headers))[0] == 200
    status, body = await _send(api, "GET", HEALTH, headers)
    assert (status, body["reason"]) == (401, "replayed nonce")


async def test_a_replayed_nonce_is_refused_even_when_re_signed(api: SignedApi) -> None:
    first = _signed(api, "GET", HEALTH)
    assert (await _send(api, "GET", HEALTH, first))[0] == 200
    api.clock.now += 10
    again = _signed(api, "GET", HEALTH, nonce=first[NONCE_HEADER])
    status, body = await _send(api, "GET", HEALTH, again)
    assert (status, body["reason"]) == (401, "replayed nonce")


async def test_a_forged_request_does_not_burn_the_nonce(api: SignedApi) -> None:
    genuine = _signed(api, "GET", HEALTH)
    forged = {**genuine, SIGNATURE_HEADER: "0" * 64}
    assert (await _send(api, "GET", HEALTH, forged))[0] == 401
    assert (await _send(api, "GET", HEALTH, genuine))[0] == 200


@pytest.mark.parametrize("nonce", ["ABCDEF" * 5 + "AB", "abc", "g" * 32])
async def test_a_malformed_nonce_is_refused(api: SignedApi, nonce: str) -> None:
    status, body = await _send(api, "GET", HEALTH, _signed(api, "GET", HEALTH, nonce=nonce))
    assert (status, body["reason"]) == (401, "malformed nonce")


async def test_admin_routes_are_not_signed_and_api_routes_are(api: SignedApi) -> None:
    # An /api/ route that does not exist is still behind the signature check.
    status, body = await _send(api, "GET", "/api/v1/nothing-here", {})
    assert status == 401 and body["error"] == "unauthorized"


def test_the_canonical_string_matches_the_documented_layout() -> None:
    text = canonical_string("post", "/api/v1/x?a=1", "1700000000", "ab" * 16, b"{}")
    assert text.split("\n") == [
        "POST",
        "/api/v1/x?a=1",
        "1700000000",
        "ab" * 16,
        "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
    ]


def test_the_sandbox_accepts_the_connector_signer_and_vice_versa() -> None:
    pas_signing = pytest.importorskip("pas_connector.signing")
    canonical = canonical_string("GET", "/api/v1/health", "1700000000", "cd" * 16, b"")
    assert (
        pas_signing.canonical_string("GET", "/api/v1/health", 1700000000, "cd" * 16, b"")
        == canonical
    )
    assert pas_signing.signature(SECRET, canonical) == compute_signature(SECRET, canonical)


def test_the_replay_cache_forgets_a_nonce_after_its_window() -> None:
    cache = ReplayCache(window_s=600)
    assert cache.check_and_remember("k", "n1", now=1000.0)
    assert not cache.check_and_remember("k", "n1", now=1599.0)
    assert cache.check_and_remember("k", "n2", now=1599.0)
    assert cache.check_and_remember("k", "n1", now=1600.0)  # 600 s later it is new again
    assert not cache.check_and_remember("k", "n2", now=1700.0)
    assert cache.check_and_remember("other-key", "n2", now=1700.0)  # pairs are per key id


def test_the_replay_cache_stays_bounded_by_its_window() -> None:
    cache = ReplayCache(window_s=600)
    for i in range(5000):
        cache.check_and_remember("k", f"{i:032x}", now=float(i))
    assert len(cache) == 600


def test_the_verifier_reports_the_key_id_of_a_good_request() -> None:
    clock = FakeClock()
    verifier = SignatureVerifier({KEY_ID: SECRET, "batch": "batch-secret"}, clock=clock)
    headers = sign_headers("batch", "batch-secret", "GET", HEALTH, timestamp=int(clock()))
    assert verifier.verify("GET", HEALTH, headers, b"") == "batch"
    with pytest.raises(SignatureError, match="malformed timestamp"):
        verifier.verify(
            "GET", HEALTH, {**headers, TIMESTAMP_HEADER: "12.5", KEY_ID_HEADER: "batch"}, b""
        )
