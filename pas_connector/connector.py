"""``PasConnector``: the one object the rest of Policyline uses to reach the PAS.

It knows the PAS's URLs and payloads, and it adds, per operation:

- a cache of the PAS's JSON (policy summary ``policy_ttl_s``, billing ``billing_ttl_s``, claims
  ``claims_ttl_s``) with stale-if-error: when the PAS is unavailable, an entry past its TTL but
  inside the ``stale_max_s`` window is returned marked ``stale=True`` instead of an error;
- invalidation of a policy's entries whenever a write touches it (payment, autopay);
- one audit row per call, cache hits and replica reads included (``pas_connector.audit``); a
  read that joined an identical read already in flight is recorded as a hit (it sent nothing);
- single-flight: identical reads in flight share one request (``pas_connector.single_flight``);
- a count of the HTTP requests sent, per process and per scope (``pas_connector.request_count``);
- the read replica for the three things the API lacks (``pas_connector.replica``).

Retries, rate limiting, the circuit breaker and error mapping live in ``PasClient`` below it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any, TypeVar
from urllib.parse import quote

from pas_connector import request_count
from pas_connector.audit import AuditEvent, AuditLog, CacheUse, Outcome
from pas_connector.cache import CacheBackend, CacheEntry, Clock, utc_now
from pas_connector.client import CallStats, PasClient
from pas_connector.config import CacheSettings
from pas_connector.errors import (
    CircuitOpen,
    PasNotFound,
    PasProtocolError,
    PasRejected,
    PasUnavailable,
)
from pas_connector.models import (
    Billing,
    Claim,
    ClaimChange,
    ClaimTimeline,
    Fresh,
    PaymentReceipt,
    PaymentRecord,
    PhoneMatch,
    Policy,
    Policyholder,
    PolicyRef,
)
from pas_connector.replica import ReplicaReader, normalise_phone
from pas_connector.request_count import RequestCount
from pas_connector.single_flight import Flight, SingleFlight

log = logging.getLogger("pas_connector.connector")

T = TypeVar("T")
API = "/api/v1"
MAX_REFERENCE_LENGTH = 64


def outcome_for(exc: BaseException) -> Outcome:
    """The audit outcome for a failed call."""
    if isinstance(exc, CircuitOpen):
        return "circuit_open"
    if isinstance(exc, PasUnavailable):
        return "unavailable"
    if isinstance(exc, PasNotFound):
        return "not_found"
    if isinstance(exc, PasRejected):
        return "rejected"
    return "error"


def _segment(reference: str) -> str:
    """A reference as one URL path segment (quoted, so it can never change the path)."""
    cleaned = reference.strip()
    if not cleaned or len(cleaned) > MAX_REFERENCE_LENGTH:
        raise ValueError("a PAS reference must be 1 to 64 characters")
    return quote(cleaned, safe="")


def _parse(operation: str, data: Any, parse: Callable[[Any], T]) -> T:
    try:
        return parse(data)
    except (KeyError, ValueError, TypeError, ArithmeticError, AttributeError) as exc:
        raise PasProtocolError(
            f"PAS {operation}: unexpected payload ({type(exc).__name__})"
        ) from exc


def _policy_refs(data: Any) -> tuple[PolicyRef, ...]:
    return tuple(PolicyRef.from_json(item) for item in data["policies"])


def _claims(data: Any) -> tuple[Claim, ...]:
    return tuple(Claim.from_json(item) for item in data["claims"])


def _money_text(amount: Decimal) -> str:
    if not isinstance(amount, Decimal) or not amount.is_finite():
        raise ValueError("amount must be a finite Decimal")
    quantized = amount.quantize(Decimal("0.01"))
    if quantized != amount or quantized <= 0:
        raise ValueError("amount must be positive with at most two decimal places")
    return str(quantized)


class PasConnector:
    """Typed, cached, audited access to the PAS and its read replica."""

    def __init__(
        self,
        client: PasClient,
        cache: CacheBackend,
        audit: AuditLog,
        cache_settings: CacheSettings,
        *,
        replica: ReplicaReader | None = None,
        clock: Clock = utc_now,
        owns_audit_engine: bool = False,
    ) -> None:
        self._client = client
        self._cache = cache
        self._audit = audit
        self._ttl = cache_settings
        self._replica = replica
        self._clock = clock
        self._owns_audit_engine = owns_audit_engine
        # Identical reads in flight share one request (per process); see single_flight.
        self._flights: SingleFlight[Fresh[Any]] = SingleFlight()
        #: Every request this connector sent to the PAS (and every replica query), by operation.
        self.requests = RequestCount()

    # --- request counts ------------------------------------------------------------------------

    @staticmethod
    @contextmanager
    def counting() -> Iterator[RequestCount]:
        """Count the PAS requests made inside the ``with`` block (tasks it starts included)."""
        with request_count.counting() as count:
            yield count

    # --- reads through the cache ---------------------------------------------------------------

    async def get_policyholder(self, holder_id: str) -> Fresh[Policyholder]:
        """The policyholder's contact details and date of birth."""
        return await self._cached_read(
            "get_policyholder",
            holder_id,
            f"holder:{holder_id.strip()}",
            f"{API}/policyholders/{_segment(holder_id)}",
            self._ttl.policy_ttl_s,
            Policyholder.from_json,
        )

    async def list_policies(self, holder_id: str) -> Fresh[tuple[PolicyRef, ...]]:
        """Every policy of a policyholder (number, line, status)."""
        return await self._cached_read(
            "list_policies",
            holder_id,
            f"holder:{holder_id.strip()}:policies",
            f"{API}/policyholders/{_segment(holder_id)}/policies",
            self._ttl.policy_ttl_s,
            _policy_refs,
        )

    async def get_policy(self, policy_number: str) -> Fresh[Policy]:
        """The policy summary (cached ``policy_ttl_s``, 5 minutes by default)."""
        return await self._cached_read(
            "get_policy",
            policy_number,
            self._policy_key(policy_number, "summary"),
            f"{API}/policies/{_segment(policy_number)}",
            self._ttl.policy_ttl_s,
            Policy.from_json,
        )

    async def get_billing(self, policy_number: str) -> Fresh[Billing]:
        """Balance, due date and autopay (cached ``billing_ttl_s``)."""
        return await self._cached_read(
            "get_billing",
            policy_number,
            self._policy_key(policy_number, "billing"),
            f"{API}/policies/{_segment(policy_number)}/billing",
            self._ttl.billing_ttl_s,
            Billing.from_json,
        )

    async def list_claims(self, policy_number: str) -> Fresh[tuple[Claim, ...]]:
        """Every claim on a policy (cached ``claims_ttl_s``)."""
        return await self._cached_read(
            "list_claims",
            policy_number,
            self._policy_key(policy_number, "claims"),
            f"{API}/policies/{_segment(policy_number)}/claims",
            self._ttl.claims_ttl_s,
            _claims,
        )

    async def get_claim(self, claim_number: str) -> Fresh[Claim]:
        """One claim with its stage and adjuster (cached ``claims_ttl_s``)."""
        return await self._cached_read(
            "get_claim",
            claim_number,
            f"claim:{claim_number.strip()}",
            f"{API}/claims/{_segment(claim_number)}",
            self._ttl.claims_ttl_s,
            Claim.from_json,
        )

    # --- writes --------------------------------------------------------------------------------

    async def post_payment(
        self, policy_number: str, amount: Decimal, method: str, reference: str, idempotency_key: str
    ) -> PaymentReceipt:
        """Post a payment to the policy. Sent once, never retried here.

        If this raises ``PasUnavailable`` the payment may or may not have been posted: try again
        only with the *same* ``idempotency_key`` (the PAS then returns the first receipt). The
        policy's cached entries are dropped whatever the outcome.
        """
        if not idempotency_key.strip():
            raise ValueError("idempotency_key is required for a payment")
        body = {"amount": _money_text(amount), "method": method, "reference": reference}
        path = f"{API}/policies/{_segment(policy_number)}/payments"
        try:
            return await self._write(
                "post_payment",
                policy_number,
                lambda stats: self._client.post(
                    "post_payment", path, body, stats, idempotency_key=idempotency_key
                ),
                PaymentReceipt.from_json,
            )
        finally:
            await self.invalidate_policy(policy_number)

    async def set_autopay(
        self, policy_number: str, payment_method_ref: str, method: str, draft_day: int
    ) -> Billing:
        """Enrol in (or change) autopay; returns the new billing. Drops the policy's cache."""
        body = {"payment_method_ref": payment_method_ref, "method": method, "draft_day": draft_day}
        path = f"{API}/policies/{_segment(policy_number)}/autopay"
        try:
            return await self._write(
                "set_autopay",
                policy_number,
                lambda stats: self._client.put("set_autopay", path, body, stats),
                Billing.from_json,
            )
        finally:
            await self.invalidate_policy(policy_number)

    async def cancel_autopay(self, policy_number: str) -> Billing:
        """Stop autopay; returns the new billing. Drops the policy's cache."""
        path = f"{API}/policies/{_segment(policy_number)}/autopay"
        try:
            return await self._write(
                "cancel_autopay",
                policy_number,
                lambda stats: self._client.delete("cancel_autopay", path, stats),
                Billing.from_json,
            )
        finally:
            await self.invalidate_policy(policy_number)

    async def invalidate_policy(self, policy_number: str) -> None:
        """Forget the cached summary, billing and claims of a policy.

        Reads of them still in flight are detached too: they were sent before the change, so
        they neither answer a later caller nor write their copy into the cache.
        """
        keys = [self._policy_key(policy_number, part) for part in ("summary", "billing", "claims")]
        self._flights.forget(*keys)
        await self._cache.delete(*keys)

    # --- the read replica ----------------------------------------------------------------------

    async def payment_history(
        self, policy_number: str, limit: int = 12
    ) -> tuple[PaymentRecord, ...]:
        """The latest payments on a policy, newest first (read replica)."""
        return await self._replica_read(
            "payment_history",
            policy_number,
            lambda replica: replica.payment_history(policy_number.strip(), limit),
        )

    async def claim_timeline(self, claim_number: str) -> ClaimTimeline:
        """A claim's milestones and next action (read replica)."""
        return await self._replica_read(
            "claim_timeline",
            claim_number,
            lambda replica: replica.claim_timeline(claim_number.strip()),
        )

    async def claim_changes_after(self, after_id: int, limit: int = 500) -> tuple[ClaimChange, ...]:
        """Claim timeline rows written after row ``after_id``, oldest first (read replica)."""
        return await self._replica_read(
            "claim_changes_after",
            str(after_id),
            lambda replica: replica.claim_changes_after(after_id, limit),
        )

    async def latest_claim_change_id(self) -> int:
        """The newest claim timeline row id, 0 when there is none (read replica)."""
        return await self._replica_read(
            "latest_claim_change_id",
            "-",
            lambda replica: replica.latest_claim_change_id(),
        )

    async def find_by_phone(self, phone: str) -> PhoneMatch | None:
        """The policyholder with ``phone`` on file, or ``None`` (read replica)."""
        return await self._replica_read(
            "find_by_phone",
            normalise_phone(phone) or phone,
            lambda replica: replica.find_by_phone(phone),
            none_is_not_found=True,
        )

    # --- lifecycle -----------------------------------------------------------------------------

    async def circuit_state(self) -> str:
        """The PAS circuit breaker's state: ``closed``, ``opened`` or ``half-opened``."""
        return await self._client.breaker_state()

    async def flush_audit(self) -> None:
        """Wait until every audit row recorded so far is written (rows are written behind)."""
        await self._audit.flush()

    async def aclose(self) -> None:
        """Write the queued audit rows, close the HTTP pool, the cache and the database engines."""
        await self._audit.aclose()
        await self._client.aclose()
        await self._cache.aclose()
        if self._replica is not None:
            self._replica.dispose()
        if self._owns_audit_engine:
            self._audit.engine.dispose()

    # --- internals -----------------------------------------------------------------------------

    @staticmethod
    def _policy_key(policy_number: str, part: str) -> str:
        return f"policy:{policy_number.strip()}:{part}"

    async def _cached_read(
        self,
        operation: str,
        reference: str,
        key: str,
        path: str,
        ttl_s: float,
        parse: Callable[[Any], T],
    ) -> Fresh[T]:
        started = time.perf_counter()
        entry = await self._cache.get(key)
        now = self._clock()
        if entry is not None and entry.age_s(now) < ttl_s:
            cached = self._parse_entry(operation, entry, parse)
            if cached is not None:
                await self._record(operation, reference, "ok", started, cache="hit")
                return Fresh(cached, entry.stored_at, from_cache=True, stale=False)

        async def fetch(flight: Flight[Fresh[Any]]) -> Fresh[Any]:
            return await self._fetch(operation, reference, key, path, ttl_s, parse, entry, flight)

        flight, started_it = self._flights.join(key, fetch)
        try:
            fresh = await flight.wait()
        except Exception as exc:
            if not started_it:  # the fetch recorded its own failure; a joiner records its own
                await self._record(operation, reference, outcome_for(exc), started, cache="miss")
            raise
        if not started_it:
            # Answered by an identical request another caller had in flight: nothing was sent.
            outcome: Outcome = "stale" if fresh.stale else "ok"
            cache: CacheUse = "stale" if fresh.stale else "hit"
            await self._record(operation, reference, outcome, started, cache=cache)
        return fresh

    async def _fetch(
        self,
        operation: str,
        reference: str,
        key: str,
        path: str,
        ttl_s: float,
        parse: Callable[[Any], T],
        entry: CacheEntry | None,
        flight: Flight[Fresh[Any]],
    ) -> Fresh[T]:
        """The one request of a flight: send, parse, cache (unless forgotten meanwhile), audit."""
        started = time.perf_counter()
        stats = CallStats()
        try:
            data = await self._client.get(operation, path, stats)
            value = _parse(operation, data, parse)
        except PasUnavailable as exc:
            self._count(operation, stats)
            stale = self._stale_value(operation, entry, ttl_s, parse)
            if entry is not None and stale is not None:
                log.warning(
                    "PAS %s unavailable (%s); serving cache aged %.0f s",
                    operation,
                    outcome_for(exc),
                    entry.age_s(self._clock()),
                )
                await self._record(
                    operation, reference, "stale", started, cache="stale", stats=stats
                )
                return Fresh(stale, entry.stored_at, from_cache=True, stale=True)
            await self._record(
                operation, reference, outcome_for(exc), started, cache="miss", stats=stats
            )
            raise
        except Exception as exc:
            self._count(operation, stats)
            await self._record(
                operation, reference, outcome_for(exc), started, cache="miss", stats=stats
            )
            raise
        self._count(operation, stats)
        if flight.current:
            await self._cache.set(key, data, ttl_s + self._ttl.stale_max_s)
        await self._record(operation, reference, "ok", started, cache="miss", stats=stats)
        return Fresh(value, self._clock(), from_cache=False, stale=False)

    def _stale_value(
        self, operation: str, entry: CacheEntry | None, ttl_s: float, parse: Callable[[Any], T]
    ) -> T | None:
        if entry is None or entry.age_s(self._clock()) > ttl_s + self._ttl.stale_max_s:
            return None
        return self._parse_entry(operation, entry, parse)

    @staticmethod
    def _parse_entry(operation: str, entry: CacheEntry, parse: Callable[[Any], T]) -> T | None:
        # An entry written by an older release may no longer parse: treat it as a miss.
        try:
            return _parse(operation, entry.value, parse)
        except PasProtocolError:
            log.warning("cached %s entry no longer parses; ignoring it", operation)
            return None

    async def _write(
        self,
        operation: str,
        reference: str,
        send: Callable[[CallStats], Awaitable[Any]],
        parse: Callable[[Any], T],
    ) -> T:
        started = time.perf_counter()
        stats = CallStats()
        try:
            value = _parse(operation, await send(stats), parse)
        except Exception as exc:
            self._count(operation, stats)
            await self._record(operation, reference, outcome_for(exc), started, stats=stats)
            raise
        self._count(operation, stats)
        await self._record(operation, reference, "ok", started, stats=stats)
        return value

    async def _replica_read(
        self,
        operation: str,
        reference: str,
        query: Callable[[ReplicaReader], Awaitable[T]],
        *,
        none_is_not_found: bool = False,
    ) -> T:
        started = time.perf_counter()
        if self._replica is None:
            await self._record(operation, reference, "unavailable", started)
            raise PasUnavailable(f"{operation}: no read replica configured")
        for count in (self.requests, *request_count.open_scopes()):
            count.add_replica(operation)
        try:
            result = await query(self._replica)
        except Exception as exc:
            await self._record(operation, reference, outcome_for(exc), started, attempts=1)
            raise
        outcome: Outcome = "not_found" if none_is_not_found and result is None else "ok"
        await self._record(operation, reference, outcome, started, attempts=1)
        return result

    def _count(self, operation: str, stats: CallStats) -> None:
        """Count the HTTP requests one logical call put on the wire (retries included)."""
        for count in (self.requests, *request_count.open_scopes()):
            count.add_http(operation, stats.attempts)

    async def _record(
        self,
        operation: str,
        reference: str,
        outcome: Outcome,
        started: float,
        *,
        cache: CacheUse = "none",
        stats: CallStats | None = None,
        attempts: int | None = None,
    ) -> None:
        await self._audit.record(
            AuditEvent(
                operation=operation,
                reference=reference,
                outcome=outcome,
                latency_ms=(time.perf_counter() - started) * 1000.0,
                cache=cache,
                status_code=stats.status_code if stats else None,
                attempts=attempts if attempts is not None else (stats.attempts if stats else 0),
            )
        )
