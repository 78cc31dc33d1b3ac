"""Single-flight: identical reads in flight share one request; payments still invalidate; the
request count counts requests on the wire only.

A ``HeldPas`` transport holds every request until the test releases it, so reads can be made to
overlap without sleeping; it counts what reaches the fake PAS.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal

import httpx
import pytest

from pas_connector.errors import PasNotFound, PasUnavailable
from pas_connector.single_flight import Flight, SingleFlight
from tests.connector.fakes import FakePas

BILLING = "/api/v1/policies/AUT-1000001/billing"
POLICY = "/api/v1/policies/AUT-1000001"


class HeldPas(httpx.AsyncBaseTransport):
    """Answers with ``fake`` once ``release`` is set (or, one request at a time, its own gate in
    ``gates``); ``arrived`` is set by the first request."""

    def __init__(self, fake: FakePas) -> None:
        self.fake = fake
        self.release = asyncio.Event()
        self.arrived = asyncio.Event()
        self.gates: list[asyncio.Event] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        gate = asyncio.Event()
        self.gates.append(gate)
        self.arrived.set()
        release = asyncio.create_task(self.release.wait())
        opened = asyncio.create_task(gate.wait())
        await asyncio.wait({release, opened}, return_when=asyncio.FIRST_COMPLETED)
        release.cancel()
        opened.cancel()
        return self.fake(request)


async def settle() -> None:
    """Let every ready task run until it blocks (no fixed sleep)."""
    for _ in range(20):
        await asyncio.sleep(0)


# --- SingleFlight on its own ---------------------------------------------------------------------


async def test_concurrent_callers_of_one_key_share_one_fetch():
    flights: SingleFlight[int] = SingleFlight()
    release = asyncio.Event()
    fetches = 0

    async def fetch(flight: Flight[int]) -> int:
        nonlocal fetches
        fetches += 1
        await release.wait()
        return 42

    waiters = [asyncio.create_task(flights.run("k", fetch)) for _ in range(5)]
    await settle()
    release.set()
    assert await asyncio.gather(*waiters) == [42] * 5
    assert fetches == 1
    assert len(flights) == 0  # nothing left in flight: the next call fetches again


async def test_an_error_reaches_every_waiter():
    flights: SingleFlight[int] = SingleFlight()
    release = asyncio.Event()

    async def fetch(flight: Flight[int]) -> int:
        await release.wait()
        raise PasUnavailable("PAS get_policy: HTTP 503")

    waiters = [asyncio.create_task(flights.run("k", fetch)) for _ in range(3)]
    await settle()
    release.set()
    results = await asyncio.gather(*waiters, return_exceptions=True)
    assert all(isinstance(r, PasUnavailable) for r in results), results


async def test_cancelling_one_waiter_leaves_the_shared_fetch_running_for_the_others():
    flights: SingleFlight[int] = SingleFlight()
    release = asyncio.Event()
    finished = []

    async def fetch(flight: Flight[int]) -> int:
        await release.wait()
        finished.append(True)
        return 7

    first = asyncio.create_task(flights.run("k", fetch))  # the one that started it
    second = asyncio.create_task(flights.run("k", fetch))
    await settle()
    first.cancel()
    await settle()
    release.set()
    assert await second == 7
    assert finished == [True]
    with pytest.raises(asyncio.CancelledError):
        await first


async def test_a_forgotten_flight_is_not_joined_and_knows_it_is_no_longer_current():
    flights: SingleFlight[str] = SingleFlight()
    release = asyncio.Event()
    seen: list[bool] = []

    async def old(flight: Flight[str]) -> str:
        await release.wait()
        seen.append(flight.current)
        return "before"

    async def new(flight: Flight[str]) -> str:
        return "after"

    before = asyncio.create_task(flights.run("k", old))
    await settle()
    flights.forget("k")
    assert await flights.run("k", new) == "after"
    release.set()
    assert await before == "before"
    assert seen == [False]


# --- in the connector ----------------------------------------------------------------------------


async def test_identical_concurrent_misses_send_one_request_and_all_get_the_answer(
    make_connector, fake_pas, audit_rows
):
    held = HeldPas(fake_pas)
    pas = await make_connector(transport=held)

    reads = [asyncio.create_task(pas.get_billing("AUT-1000001")) for _ in range(6)]
    await held.arrived.wait()
    await settle()
    held.release.set()
    results = await asyncio.gather(*reads)

    assert len(fake_pas.calls(BILLING)) == 1, fake_pas.describe()
    assert {r.value.balance for r in results} == {Decimal("412.50")}
    await pas.flush_audit()
    rows = [r for r in audit_rows() if r["operation"] == "get_billing"]
    # One row per call: the request that went out, and five answered by it without a request.
    assert sorted((r["cache"], r["attempts"]) for r in rows) == [("hit", 0)] * 5 + [("miss", 1)]


async def test_different_reads_in_flight_are_not_coalesced(make_connector, fake_pas):
    held = HeldPas(fake_pas)
    pas = await make_connector(transport=held)

    reads = [
        asyncio.create_task(pas.get_billing("AUT-1000001")),
        asyncio.create_task(pas.get_policy("AUT-1000001")),
    ]
    await held.arrived.wait()
    await settle()
    held.release.set()
    await asyncio.gather(*reads)

    assert len(fake_pas.calls(BILLING)) == 1
    assert len(fake_pas.calls(POLICY)) == 1


async def test_a_failed_shared_read_fails_every_caller_and_is_audited_for_each(
    make_connector, fake_pas, audit_rows
):
    held = HeldPas(fake_pas)
    pas = await make_connector(transport=held)

    reads = [asyncio.create_task(pas.get_policy("AUT-9999999")) for _ in range(3)]
    await held.arrived.wait()
    await settle()
    held.release.set()
    results = await asyncio.gather(*reads, return_exceptions=True)

    assert all(isinstance(r, PasNotFound) for r in results), results
    assert len(fake_pas.calls("/api/v1/policies/AUT-9999999")) == 1
    await pas.flush_audit()
    rows = [r for r in audit_rows() if r["operation"] == "get_policy"]
    assert sorted((r["outcome"], r["attempts"]) for r in rows) == [
        ("not_found", 0),
        ("not_found", 0),
        ("not_found", 1),
    ]


async def test_a_cancelled_caller_does_not_cancel_the_read_the_others_wait_for(
    make_connector, fake_pas
):
    held = HeldPas(fake_pas)
    pas = await make_connector(transport=held)

    first = asyncio.create_task(pas.get_billing("AUT-1000001"))
    await held.arrived.wait()
    second = asyncio.create_task(pas.get_billing("AUT-1000001"))
    await settle()
    first.cancel()
    await settle()
    held.release.set()

    assert (await second).value.balance == Decimal("412.50")
    assert len(fake_pas.calls(BILLING)) == 1
    # The read finished for the cache too: the next caller is a hit.
    assert (await pas.get_billing("AUT-1000001")).from_cache is True
    assert len(fake_pas.calls(BILLING)) == 1


async def test_a_payment_invalidates_the_cached_billing(make_connector, fake_pas):
    pas = await make_connector()
    assert (await pas.get_billing("AUT-1000001")).value.balance == Decimal("412.50")
    assert (await pas.get_billing("AUT-1000001")).from_cache is True

    await pas.post_payment("AUT-1000001", Decimal("100.00"), "card", "ref-1", "idem-1")

    after = await pas.get_billing("AUT-1000001")
    assert after.from_cache is False
    assert after.value.balance == Decimal("312.50")
    assert len(fake_pas.calls(BILLING)) == 2


async def test_a_read_in_flight_during_a_payment_neither_answers_later_callers_nor_is_cached(
    make_connector, fake_pas
):
    held = HeldPas(fake_pas)
    pas = await make_connector(transport=held)

    before = asyncio.create_task(pas.get_billing("AUT-1000001"))
    await held.arrived.wait()
    # A payment lands while that read is on the wire: the policy's entries are invalidated.
    await pas.invalidate_policy("AUT-1000001")
    after = asyncio.create_task(pas.get_billing("AUT-1000001"))
    await settle()
    assert len(held.gates) == 2, "a caller after the payment sends its own read"

    held.gates[0].set()  # the old read is answered with the balance from before the payment
    assert (await before).value.balance == Decimal("412.50")
    # Looked up in the backend itself: a read through the connector would join ``after``.
    assert await pas._cache.get("policy:AUT-1000001:billing") is None

    fake_pas.balance = "312.50"
    held.gates[1].set()
    assert (await after).value.balance == Decimal("312.50")
    cached = await pas.get_billing("AUT-1000001")
    assert cached.from_cache is True
    assert cached.value.balance == Decimal("312.50")


async def test_the_request_count_counts_requests_on_the_wire_not_cache_hits(make_connector):
    pas = await make_connector()

    with pas.counting() as first:
        await pas.get_policyholder("H0000001")
        await pas.list_policies("H0000001")
        await pas.get_billing("AUT-1000001")
    with pas.counting() as second:
        await pas.list_policies("H0000001")
        await pas.get_billing("AUT-1000001")

    assert first.total == 3
    assert dict(first.http) == {"get_policyholder": 1, "list_policies": 1, "get_billing": 1}
    assert second.total == 0
    assert pas.requests.total == 3


async def test_retries_are_counted_as_requests(make_connector, fake_pas):
    pas = await make_connector()
    fake_pas.fail_next(BILLING, 503)

    with pas.counting() as count:
        await pas.get_billing("AUT-1000001")

    assert count.http["get_billing"] == 2


async def test_a_joined_read_counts_in_the_scope_that_sent_it_only(make_connector, fake_pas):
    held = HeldPas(fake_pas)
    pas = await make_connector(transport=held)

    async def read_in_scope() -> int:
        with pas.counting() as count:
            await pas.get_billing("AUT-1000001")
        return count.total

    sender = asyncio.create_task(read_in_scope())
    await held.arrived.wait()
    joiner = asyncio.create_task(read_in_scope())
    await settle()
    held.release.set()

    assert (await sender, await joiner) == (1, 0)
