"""The sandbox PAS as an aiohttp application: routes, signing, faults, admin guard, stats.

Requests under ``/api/`` pass, in order: fault injection (latency, outage, timeouts, errors),
signature verification (401 ``{"error": "unauthorized", "reason": ...}``), then the handler.
Requests under ``/_sandbox/`` need the ``X-Sandbox-Admin`` token; ``GET /health`` (unsigned) says
the sandbox is up. Handlers translate HTTP to
``PasStore`` calls; ``ApiError`` becomes ``{"error": code, "message": text}``.

``build_sandbox`` seeds the book and the replica; ``create_app`` wraps a ``Sandbox`` in an
``aiohttp.web.Application``. Clock, sleep and RNG are injectable for tests.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import random
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from aiohttp import web

from pas_sandbox.book import Book
from pas_sandbox.dataset import generate
from pas_sandbox.errors import ApiError, BadRequest
from pas_sandbox.faults import FaultConfigError, FaultInjector, FaultSettings, Sleep
from pas_sandbox.replica import Replica
from pas_sandbox.signing import SignatureError, SignatureVerifier
from pas_sandbox.store import PasStore, utc_now

log = logging.getLogger("pas_sandbox")

ADMIN_HEADER = "X-Sandbox-Admin"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class SandboxConfig:
    """What the sandbox serves and whom it trusts."""

    seed: int
    policyholders: int
    as_of: date
    keys: Mapping[str, str]  # key id -> HMAC secret
    admin_token: str
    replica_url: str | None = None
    faults: FaultSettings = field(default_factory=FaultSettings)


class RequestStats:
    """Counts of ``/api/`` requests by route (method and path template) and status."""

    def __init__(self) -> None:
        self._counts: Counter[tuple[str, int]] = Counter()

    def record(self, route: str, status: int) -> None:
        self._counts[(route, status)] += 1

    def clear(self) -> None:
        self._counts.clear()

    def to_json(self) -> dict[str, Any]:
        by_route: dict[str, dict[str, int]] = {}
        for (route, status), n in sorted(self._counts.items()):
            by_route.setdefault(route, {})[str(status)] = n
        return {"total": sum(self._counts.values()), "requests": by_route}


@dataclass
class Sandbox:
    """Everything one running sandbox holds."""

    config: SandboxConfig
    store: PasStore
    verifier: SignatureVerifier
    faults: FaultInjector
    stats: RequestStats = field(default_factory=RequestStats)
    reset_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def reset(self) -> None:
        """Reseed book and replica; faults back to the start settings; stats cleared."""
        async with self.reset_lock:
            book = await asyncio.to_thread(
                generate, self.config.seed, self.config.policyholders, self.config.as_of
            )
            if self.store.replica is not None:
                await asyncio.to_thread(self.store.replica.reseed, book)
            self.store.replace_book(book)
            self.faults.reset()
            self.stats.clear()


def build_sandbox(
    config: SandboxConfig,
    *,
    book: Book | None = None,
    clock: Callable[[], float] = time.time,
    now: Callable[[], datetime] = utc_now,
    sleep: Sleep = asyncio.sleep,
    rng: random.Random | None = None,
) -> Sandbox:
    """Seed the book (unless given) and the replica (when configured); nothing listens yet."""
    book = book or generate(config.seed, config.policyholders, config.as_of)
    replica = Replica.from_url(config.replica_url) if config.replica_url else None
    if replica is not None:
        replica.reseed(book)
    return Sandbox(
        config=config,
        store=PasStore(book, replica, clock=now),
        verifier=SignatureVerifier(config.keys, clock=clock),
        faults=FaultInjector(config.faults, rng=rng, sleep=sleep),
    )


SANDBOX_KEY: web.AppKey[Sandbox] = web.AppKey("sandbox", Sandbox)


def create_app(sandbox: Sandbox) -> web.Application:
    """The aiohttp application serving ``sandbox``."""
    app = web.Application(middlewares=[_errors_and_stats, _guard], client_max_size=64 * 1024)
    app[SANDBOX_KEY] = sandbox
    app.add_routes(
        [
            web.get("/health", liveness),
            web.get("/api/v1/health", health),
            web.get("/api/v1/policyholders/{holder_id}", get_holder),
            web.get("/api/v1/policyholders/{holder_id}/policies", get_holder_policies),
            web.get("/api/v1/policies/{policy_number}", get_policy),
            web.get("/api/v1/policies/{policy_number}/billing", get_billing),
            web.post("/api/v1/policies/{policy_number}/payments", post_payment),
            web.put("/api/v1/policies/{policy_number}/autopay", put_autopay),
            web.delete("/api/v1/policies/{policy_number}/autopay", delete_autopay),
            web.get("/api/v1/policies/{policy_number}/claims", get_policy_claims),
            web.get("/api/v1/claims/{claim_number}", get_claim),
            web.get("/_sandbox/faults", get_faults),
            web.put("/_sandbox/faults", put_faults),
            web.post("/_sandbox/reset", post_reset),
            web.post("/_sandbox/claims/{claim_number}/advance", post_advance_claim),
            web.post("/_sandbox/claims/{claim_number}/reassign", post_reassign_claim),
            web.get("/_sandbox/stats", get_stats),
        ]
    )
    app.cleanup_ctx.append(_replica_connections)
    return app


async def _replica_connections(app: web.Application) -> AsyncIterator[None]:
    """Close the replica's pooled connections when the application stops."""
    yield
    replica = app[SANDBOX_KEY].store.replica
    if replica is not None:
        replica.dispose()


# --- middlewares ------------------------------------------------------------------------------


def _error(status: int, code: str, message: str) -> web.Response:
    return web.json_response({"error": code, "message": message}, status=status)


def _route_name(request: web.Request) -> str:
    resource = request.match_info.route.resource
    return f"{request.method} {resource.canonical if resource is not None else '(unmatched)'}"


@web.middleware
async def _errors_and_stats(request: web.Request, handler: Handler) -> web.StreamResponse:
    """JSON error bodies for every failure, and the per-route counters for ``/api/``."""
    try:
        response = await handler(request)
    except ApiError as exc:
        response = web.json_response(exc.to_json(), status=exc.status)
    except web.HTTPException as exc:
        code = {404: "not_found", 405: "method_not_allowed", 413: "bad_request"}.get(
            exc.status, "bad_request" if exc.status < 500 else "unavailable"
        )
        response = _error(exc.status, code, exc.reason)
    if request.path.startswith("/api/"):
        request.app[SANDBOX_KEY].stats.record(_route_name(request), response.status)
    return response


@web.middleware
async def _guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    sandbox = request.app[SANDBOX_KEY]
    if request.path.startswith("/api/"):
        verdict = await sandbox.faults.apply()
        if not verdict.passes:
            assert verdict.status is not None
            return _error(verdict.status, "unavailable", verdict.message)
        body = await request.read()
        try:
            sandbox.verifier.verify(request.method, request.raw_path, request.headers, body)
        except SignatureError as exc:
            return web.json_response({"error": "unauthorized", "reason": exc.reason}, status=401)
    elif request.path.startswith("/_sandbox/"):
        given = request.headers.get(ADMIN_HEADER, "")
        if not given or not hmac.compare_digest(
            given.encode(), sandbox.config.admin_token.encode()
        ):
            return _error(401, "unauthorized", f"{ADMIN_HEADER} is missing or wrong")
    return await handler(request)


async def _json_object(request: web.Request) -> dict[str, Any]:
    try:
        data = json.loads(await request.read() or b"null")
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest("body must be JSON") from exc
    if not isinstance(data, dict):
        raise BadRequest("body must be a JSON object")
    return data


def _store(request: web.Request) -> PasStore:
    return request.app[SANDBOX_KEY].store


# --- carrier API --------------------------------------------------------------------------------


async def health(request: web.Request) -> web.Response:
    """GET /api/v1/health: {"status": "ok"} (signed like every /api/ route)."""
    return web.json_response({"status": "ok"})


async def liveness(request: web.Request) -> web.Response:
    """GET /health, unsigned: the sandbox is seeded and serving (what the supervisor waits on).

    Not part of the carrier API and untouched by fault injection, which applies to ``/api/``.
    """
    return web.json_response({"status": "ok"})


async def get_holder(request: web.Request) -> web.Response:
    """GET /api/v1/policyholders/{holder_id}: Policyholder."""
    return web.json_response(_store(request).holder(request.match_info["holder_id"]).to_json())


async def get_holder_policies(request: web.Request) -> web.Response:
    """GET /api/v1/policyholders/{holder_id}/policies: {"policies": [PolicyRef]}."""
    policies = _store(request).policies_of(request.match_info["holder_id"])
    return web.json_response({"policies": [p.ref_json() for p in policies]})


async def get_policy(request: web.Request) -> web.Response:
    """GET /api/v1/policies/{policy_number}: Policy."""
    return web.json_response(_store(request).policy(request.match_info["policy_number"]).to_json())


async def get_billing(request: web.Request) -> web.Response:
    """GET /api/v1/policies/{policy_number}/billing: Billing."""
    number = request.match_info["policy_number"]
    return web.json_response(_store(request).policy(number).billing.to_json(number))


async def post_payment(request: web.Request) -> web.Response:
    """POST /api/v1/policies/{policy_number}/payments: PaymentReceipt."""
    receipt = _store(request).post_payment(
        request.match_info["policy_number"],
        request.headers.get("Idempotency-Key"),
        await _json_object(request),
    )
    return web.json_response(receipt)


async def put_autopay(request: web.Request) -> web.Response:
    """PUT /api/v1/policies/{policy_number}/autopay: Billing."""
    billing = _store(request).set_autopay(
        request.match_info["policy_number"], await _json_object(request)
    )
    return web.json_response(billing)


async def delete_autopay(request: web.Request) -> web.Response:
    """DELETE /api/v1/policies/{policy_number}/autopay: Billing."""
    return web.json_response(_store(request).cancel_autopay(request.match_info["policy_number"]))


async def get_policy_claims(request: web.Request) -> web.Response:
    """GET /api/v1/policies/{policy_number}/claims: {"claims": [Claim]}."""
    claims = _store(request).claims_of(request.match_info["policy_number"])
    return web.json_response({"claims": [c.to_json() for c in claims]})


async def get_claim(request: web.Request) -> web.Response:
    """GET /api/v1/claims/{claim_number}: Claim."""
    return web.json_response(_store(request).claim(request.match_info["claim_number"]).to_json())


# --- sandbox control ----------------------------------------------------------------------------


async def get_faults(request: web.Request) -> web.Response:
    """GET /_sandbox/faults: the current fault settings."""
    return web.json_response(request.app[SANDBOX_KEY].faults.settings.to_json())


async def put_faults(request: web.Request) -> web.Response:
    """PUT /_sandbox/faults: change some fault settings; 400 leaves them unchanged."""
    faults = request.app[SANDBOX_KEY].faults
    try:
        faults.settings = faults.settings.updated(await _json_object(request))
    except FaultConfigError as exc:
        raise BadRequest(str(exc)) from exc
    log.info("faults set: %s", json.dumps(faults.settings.to_json(), sort_keys=True))
    return web.json_response(faults.settings.to_json())


async def post_reset(request: web.Request) -> web.Response:
    """POST /_sandbox/reset: reseed book and replica, faults as started, stats cleared."""
    sandbox = request.app[SANDBOX_KEY]
    await sandbox.reset()
    return web.json_response(
        {
            "status": "reset",
            "policyholders": len(sandbox.store.book.holders),
            "seed": sandbox.config.seed,
            "as_of": sandbox.config.as_of.isoformat(),
        }
    )


async def post_advance_claim(request: web.Request) -> web.Response:
    """POST /_sandbox/claims/{claim_number}/advance: next milestone."""
    return web.json_response(_store(request).advance_claim(request.match_info["claim_number"]))


async def post_reassign_claim(request: web.Request) -> web.Response:
    """POST /_sandbox/claims/{claim_number}/reassign: a different adjuster."""
    return web.json_response(_store(request).reassign_claim(request.match_info["claim_number"]))


async def get_stats(request: web.Request) -> web.Response:
    """GET /_sandbox/stats: /api/ request counts by route and status."""
    return web.json_response(request.app[SANDBOX_KEY].stats.to_json())
