"""A small fake PAS for ``httpx.MockTransport``, an exact clock and virtual monotonic time.

The fake verifies request signatures with its own HMAC code (not ``pas_connector.signing``), so a
signing bug shows up as 401s rather than being checked against itself. It records every request
and can be told to fail the next N requests per endpoint.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import httpx

from tests.support.personas import MARIA

SECRET = "unit-test-pas-secret"
KEY_ID = "policyline"

# Maria's policyholder payload, exactly as the sandbox serves it.
MARIA_HOLDER: dict[str, Any] = dict(MARIA.holder_json)

MARIA_POLICY = {
    "policy_number": "AUT-1000001",
    "holder_id": "H0000001",
    "line": "auto",
    "status": "active",
    "state": "TX",
    "effective_date": "2026-03-01",
    "expiration_date": "2027-03-01",
    "cancelled_on": None,
    "insurer": {"name": "Harbor Mutual Insurance Company", "naic_code": "21873"},
    "producer": {
        "name": "Lone Star Agency",
        "address": "1 Main St, Austin, TX 78701",
        "phone": "+15125550000",
    },
    "named_insureds": ["Maria Alvarez", "Daniel Alvarez"],
    "mailing_address": MARIA_HOLDER["address"],
    "drivers": [
        {
            "name": "Maria Alvarez",
            "date_of_birth": "1985-04-12",
            "license_state": "TX",
            "relationship": "named_insured",
        }
    ],
    "vehicles": [
        {
            "vehicle_id": "V1",
            "year": 2021,
            "make": "Toyota",
            "model": "RAV4",
            "vin": "2T3P1RFV5MC000001",
            "lienholder": None,
        },
        {
            "vehicle_id": "V2",
            "year": 2017,
            "make": "Honda",
            "model": "Civic",
            "vin": "2HGFC2F59HH000002",
            "lienholder": {"name": "Austin Credit Union", "address": "PO Box 1, Austin, TX"},
        },
    ],
    "properties": [],
    "coverages": [
        {
            "code": "BI",
            "name": "Bodily Injury Liability",
            "limit": "100,000/300,000",
            "deductible": None,
            "premium": "412.00",
            "vehicle_id": "V1",
            "property_id": None,
        }
    ],
    "discounts": [{"name": "Multi-car", "amount": "-84.00"}],
    "endorsements": [],
    "forms": ["PP 00 01 09 18"],
    "total_premium": "1843.00",
    "claims_phone": "+18005550199",
}

MARIA_CLAIM = {
    "claim_number": "CLM-50000001",
    "policy_number": "AUT-1000001",
    "status": "open",
    "stage": "inspection",
    "loss_date": "2026-10-28",
    "reported_date": "2026-10-29",
    "loss_type": "Collision",
    "description": "Rear-ended at a light",
    "vehicle_id": "V1",
    "adjuster": {
        "name": "Dana Brooks",
        "phone": "+18005550142",
        "email": "dana.brooks@example.com",
    },
    "paid_amount": "0.00",
    "deductible": "500.00",
}


def maria_billing(balance: str = "412.50") -> dict[str, Any]:
    return {
        "policy_number": "AUT-1000001",
        "balance": balance,
        "minimum_due": "206.25",
        "due_date": "2026-12-05",
        "past_due": "0.00",
        "status": "current",
        "autopay": {
            "enabled": False,
            "method": None,
            "payment_method_ref": None,
            "draft_day": None,
        },
    }


@dataclass
class FakeClock:
    """A UTC clock tests move by hand."""

    now: datetime = field(
        default_factory=lambda: datetime(2026, 11, 25, 20, 41, tzinfo=timezone.utc)
    )

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass
class VirtualTime:
    """``monotonic`` and ``sleep`` for ``PasClient``: sleeping moves the clock instead of waiting,
    and every requested delay is recorded in ``slept``."""

    now: float = 1_000_000.0
    slept: list[float] = field(default_factory=list)

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, delay: float) -> None:
        self.slept.append(delay)
        self.now += delay

    def advance(self, seconds: float) -> None:
        self.now += seconds


Handler = Callable[[httpx.Request], httpx.Response]


@dataclass
class FakePas:
    """A callable fake PAS server for ``httpx.MockTransport``.

    ``fail_next(path, status, times, headers)`` queues failures for a path; ``raise_next(path,
    exc)`` queues transport errors; ``requests`` lists every request that reached the server
    (signature failures included) so a failing assertion can print them.
    """

    secret: str = SECRET
    key_id: str = KEY_ID
    now: Callable[[], float] | None = None
    requests: list[httpx.Request] = field(default_factory=list)
    balance: str = "412.50"
    receipts: dict[str, dict[str, Any]] = field(default_factory=dict)
    autopay: dict[str, Any] = field(default_factory=lambda: dict(maria_billing()["autopay"]))
    _queued: dict[str, deque[Callable[[httpx.Request], httpx.Response]]] = field(
        default_factory=dict
    )
    _nonces: set[str] = field(default_factory=set)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)

    def fail_next(
        self, path: str, status: int, times: int = 1, headers: dict[str, str] | None = None
    ) -> None:
        body = {
            "error": {503: "unavailable", 500: "unavailable", 429: "rate_limited"}.get(
                status, "error"
            ),
            "message": "injected",
        }
        for _ in range(times):
            self._queued.setdefault(path, deque()).append(
                lambda request, s=status: httpx.Response(s, json=body, headers=headers)
            )

    def respond_next(self, path: str, response: httpx.Response) -> None:
        self._queued.setdefault(path, deque()).append(lambda request: response)

    def raise_next(
        self, path: str, exc_factory: Callable[[httpx.Request], Exception], times: int = 1
    ) -> None:
        def fail(request: httpx.Request) -> httpx.Response:
            raise exc_factory(request)

        for _ in range(times):
            self._queued.setdefault(path, deque()).append(fail)

    def calls(self, path: str, method: str | None = None) -> list[httpx.Request]:
        return [
            r
            for r in self.requests
            if r.url.path == path and (method is None or r.method == method)
        ]

    def describe(self) -> str:
        return "\n".join(f"{r.method} {r.url.raw_path.decode()}" for r in self.requests)

    # --- the server --------------------------------------------------------------------------

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        problem = self._check_signature(request)
        if problem:
            return httpx.Response(401, json={"error": "unauthorized", "reason": problem})
        queue = self._queued.get(request.url.path)
        if queue:
            return queue.popleft()(request)
        return self._route(request)

    def _check_signature(self, request: httpx.Request) -> str | None:
        headers = request.headers
        needed = ("X-PAS-Key-Id", "X-PAS-Timestamp", "X-PAS-Nonce", "X-PAS-Signature")
        if any(h not in headers for h in needed):
            return "missing header"
        if headers["X-PAS-Key-Id"] != self.key_id:
            return "unknown key"
        if self.now is not None and abs(self.now() - int(headers["X-PAS-Timestamp"])) > 300:
            return "stale timestamp"
        nonce = headers["X-PAS-Nonce"]
        if nonce in self._nonces:
            return "replay"
        canonical = "\n".join(
            [
                request.method,
                request.url.raw_path.decode(),
                headers["X-PAS-Timestamp"],
                nonce,
                hashlib.sha256(request.content).hexdigest(),
            ]
        )
        expected = hmac.new(self.secret.encode(), canonical.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, headers["X-PAS-Signature"]):
            return "bad signature"
        self._nonces.add(nonce)
        return None

    def _route(self, request: httpx.Request) -> httpx.Response:
        path, method = request.url.path, request.method
        routes: dict[tuple[str, str], Callable[[], httpx.Response]] = {
            ("GET", "/api/v1/health"): lambda: httpx.Response(200, json={"status": "ok"}),
            ("GET", "/api/v1/policyholders/H0000001"): lambda: httpx.Response(
                200, json=MARIA_HOLDER
            ),
            ("GET", "/api/v1/policyholders/H0000001/policies"): lambda: httpx.Response(
                200,
                json={
                    "policies": [
                        {"policy_number": "AUT-1000001", "line": "auto", "status": "active"}
                    ]
                },
            ),
            ("GET", "/api/v1/policies/AUT-1000001"): lambda: httpx.Response(200, json=MARIA_POLICY),
            ("GET", "/api/v1/policies/AUT-1000001/billing"): lambda: httpx.Response(
                200, json=self._billing()
            ),
            ("GET", "/api/v1/policies/AUT-1000001/claims"): lambda: httpx.Response(
                200, json={"claims": [MARIA_CLAIM]}
            ),
            ("GET", "/api/v1/claims/CLM-50000001"): lambda: httpx.Response(200, json=MARIA_CLAIM),
            ("POST", "/api/v1/policies/AUT-1000001/payments"): lambda: self._pay(request),
            ("PUT", "/api/v1/policies/AUT-1000001/autopay"): lambda: self._set_autopay(request),
            ("DELETE", "/api/v1/policies/AUT-1000001/autopay"): lambda: self._cancel_autopay(),
        }
        route = routes.get((method, path))
        if route is None:
            return httpx.Response(404, json={"error": "not_found", "message": "no such thing"})
        return route()

    def _billing(self) -> dict[str, Any]:
        billing = maria_billing(self.balance)
        billing["autopay"] = dict(self.autopay)
        return billing

    def _pay(self, request: httpx.Request) -> httpx.Response:
        key = request.headers.get("Idempotency-Key")
        if not key:
            return httpx.Response(400, json={"error": "bad_request", "message": "no key"})
        if key in self.receipts:
            return httpx.Response(200, json=self.receipts[key])
        body = json.loads(request.content)
        amount, balance = Decimal(body["amount"]), Decimal(self.balance)
        if amount > balance:
            return httpx.Response(422, json={"error": "rejected", "message": "above balance"})
        self.balance = str(balance - amount)
        receipt = {
            "confirmation": f"PAY-{len(self.receipts) + 1:06d}",
            "policy_number": "AUT-1000001",
            "amount": body["amount"],
            "posted_at": "2026-11-25T20:41:00Z",
            "new_balance": self.balance,
            "method": body["method"],
        }
        self.receipts[key] = receipt
        return httpx.Response(201, json=receipt)

    def _set_autopay(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        self.autopay = {
            "enabled": True,
            "method": body["method"],
            "payment_method_ref": body["payment_method_ref"],
            "draft_day": body["draft_day"],
        }
        return httpx.Response(200, json=self._billing())

    def _cancel_autopay(self) -> httpx.Response:
        self.autopay = {
            "enabled": False,
            "method": None,
            "payment_method_ref": None,
            "draft_day": None,
        }
        return httpx.Response(200, json=self._billing())
