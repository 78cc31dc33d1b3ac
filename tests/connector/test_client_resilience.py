"""PasClient resilience: retries on reads only, Retry-After, circuit breaker, rate limit, errors."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace

import httpx
import pytest

from pas_connector.client import (
    BACKOFF_JITTER_S,
    BACKOFF_MAX_S,
    CallStats,
    PasClient,
    backoff_delay,
    make_limiter,
    parse_retry_after,
    retry_backoff,
)
from pas_connector.config import PasSettings
from pas_connector.errors import (
    CircuitOpen,
    PasAuthError,
    PasNotFound,
    PasProtocolError,
    PasRateLimited,
    PasRejected,
    PasUnavailable,
)
from pas_connector.signing import PasSigner
from pas_connector.transport import make_http_client
from tests.connector.fakes import KEY_ID, SECRET, FakePas, VirtualTime

HEALTH = "/api/v1/health"
PAY = "/api/v1/policies/AUT-1000001/payments"
AUTOPAY = "/api/v1/policies/AUT-1000001/autopay"


def _client_for(
    fake: FakePas, settings: PasSettings, time: VirtualTime, jitter: float = 0.5
) -> PasClient:
    return PasClient(
        settings,
        make_http_client(settings, PasSigner(KEY_ID, SECRET), transport=fake.transport()),
        sleep=time.sleep,
        monotonic=time.monotonic,
        jitter=lambda: jitter,
    )


@pytest.fixture
async def client(
    fake_pas: FakePas, pas_settings: PasSettings, virtual_time: VirtualTime
) -> AsyncIterator[PasClient]:
    pas = _client_for(fake_pas, pas_settings, virtual_time)
    yield pas
    await pas.aclose()


# --- retries -------------------------------------------------------------------------------------


async def test_a_read_that_fails_with_503_once_is_retried_and_succeeds(
    client, fake_pas, virtual_time
):
    fake_pas.fail_next(HEALTH, 503)
    stats = CallStats()
    assert await client.get("health", HEALTH, stats) == {"status": "ok"}
    assert stats.attempts == 2
    assert stats.status_code == 200
    assert virtual_time.slept == [backoff_delay(1, 0.5)]


async def test_a_read_stops_after_read_attempts_and_raises_unavailable(client, fake_pas):
    fake_pas.fail_next(HEALTH, 503, times=5)
    stats = CallStats()
    with pytest.raises(PasUnavailable):
        await client.get("health", HEALTH, stats)
    assert stats.attempts == 2, fake_pas.describe()
    assert len(fake_pas.calls(HEALTH)) == 2


async def test_timeouts_and_connection_errors_are_retried_on_reads(client, fake_pas):
    fake_pas.raise_next(HEALTH, lambda r: httpx.ReadTimeout("slow", request=r))
    stats = CallStats()
    assert await client.get("health", HEALTH, stats) == {"status": "ok"}
    assert stats.attempts == 2

    fake_pas.raise_next(HEALTH, lambda r: httpx.ConnectError("refused", request=r), times=2)
    stats = CallStats()
    with pytest.raises(PasUnavailable):
        await client.get("health", HEALTH, stats)
    assert stats.attempts == 2


@pytest.mark.parametrize(
    ("method", "path", "send"),
    [
        (
            "POST",
            PAY,
            lambda c, s: c.post(
                "post_payment",
                PAY,
                {"amount": "1.00", "method": "card", "reference": "r"},
                s,
                idempotency_key="k1",
            ),
        ),
        (
            "PUT",
            AUTOPAY,
            lambda c, s: c.put(
                "set_autopay",
                AUTOPAY,
                {"payment_method_ref": "pm_1", "method": "card", "draft_day": 5},
                s,
            ),
        ),
        ("DELETE", AUTOPAY, lambda c, s: c.delete("cancel_autopay", AUTOPAY, s)),
    ],
)
async def test_writes_are_sent_once_even_when_the_pas_fails(client, fake_pas, method, path, send):
    fake_pas.fail_next(path, 503, times=3)
    stats = CallStats()
    with pytest.raises(PasUnavailable):
        await send(client, stats)
    assert stats.attempts == 1
    assert len(fake_pas.calls(path, method)) == 1, fake_pas.describe()


async def test_a_timed_out_payment_is_not_resent(client, fake_pas):
    fake_pas.raise_next(PAY, lambda r: httpx.ReadTimeout("slow", request=r))
    with pytest.raises(PasUnavailable):
        await client.post(
            "post_payment",
            PAY,
            {"amount": "1.00", "method": "card", "reference": "r"},
            CallStats(),
            idempotency_key="k1",
        )
    assert len(fake_pas.calls(PAY)) == 1


async def test_not_found_is_not_retried(client, fake_pas):
    stats = CallStats()
    with pytest.raises(PasNotFound):
        await client.get("get_policy", "/api/v1/policies/AUT-9999999", stats)
    assert stats.attempts == 1


async def test_429_with_retry_after_inside_the_budget_is_retried_after_exactly_that_delay(
    client, fake_pas, virtual_time
):
    fake_pas.fail_next(HEALTH, 429, headers={"Retry-After": "1"})
    stats = CallStats()
    assert await client.get("health", HEALTH, stats) == {"status": "ok"}
    assert stats.attempts == 2
    assert virtual_time.slept == [1.0]


async def test_429_with_retry_after_beyond_the_budget_fails_at_once(client, fake_pas, virtual_time):
    fake_pas.fail_next(HEALTH, 429, headers={"Retry-After": "30"})
    stats = CallStats()
    with pytest.raises(PasRateLimited) as caught:
        await client.get("health", HEALTH, stats)
    assert caught.value.retry_after == 30.0
    assert stats.attempts == 1
    assert isinstance(caught.value, PasUnavailable)
    assert virtual_time.slept == []


async def test_no_attempt_starts_after_the_read_budget_is_spent(
    fake_pas, pas_settings, virtual_time
):
    """A slow first attempt uses the budget up: the retry is not sent, whatever read_attempts
    allows."""
    client = _client_for(fake_pas, replace(pas_settings, read_attempts=5), virtual_time)

    def slow_timeout(request: httpx.Request) -> Exception:
        virtual_time.advance(pas_settings.read_budget_s)
        return httpx.ReadTimeout("slow", request=request)

    fake_pas.raise_next(HEALTH, slow_timeout)
    stats = CallStats()
    with pytest.raises(PasUnavailable):
        await client.get("health", HEALTH, stats)
    assert stats.attempts == 1
    assert virtual_time.slept == []
    await client.aclose()


def test_retry_backoff_honours_retry_after_only_when_it_fits_the_budget():
    limited = PasRateLimited("429", retry_after=2.0)
    assert retry_backoff(limited, elapsed_s=0.5, budget_s=4.5) == 2.0
    assert retry_backoff(limited, elapsed_s=3.0, budget_s=4.5) is False
    assert retry_backoff(PasRateLimited("429"), elapsed_s=0.0, budget_s=4.5) is True
    assert retry_backoff(PasUnavailable("503"), elapsed_s=0.0, budget_s=4.5) is True
    assert retry_backoff(CircuitOpen("open"), elapsed_s=0.0, budget_s=4.5) is False
    for never in (
        PasNotFound("x"),
        PasRejected("x"),
        PasAuthError("x"),
        PasProtocolError("x"),
        ValueError("x"),
    ):
        assert retry_backoff(never, elapsed_s=0.0, budget_s=4.5) is False


def test_retry_after_is_read_as_seconds_or_as_an_http_date():
    from datetime import datetime, timezone

    now = datetime(2026, 11, 25, 20, 0, 0, tzinfo=timezone.utc)
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after("Wed, 25 Nov 2026 20:00:03 GMT", now=now) == 3.0
    assert parse_retry_after("Wed, 25 Nov 2026 19:00:00 GMT", now=now) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


@pytest.mark.parametrize("jitter", [0.0, 0.5, 0.999])
async def test_backoff_between_read_attempts_doubles_and_adds_the_drawn_jitter(
    fake_pas, pas_settings, virtual_time, jitter
):
    client = _client_for(fake_pas, replace(pas_settings, read_attempts=3), virtual_time, jitter)
    fake_pas.fail_next(HEALTH, 503, times=2)
    assert await client.get("health", HEALTH, CallStats()) == {"status": "ok"}
    await client.aclose()
    extra = jitter * BACKOFF_JITTER_S
    assert virtual_time.slept == pytest.approx([0.1 + extra, 0.2 + extra])


def test_backoff_is_capped_at_the_maximum():
    assert backoff_delay(1, 0.0) == pytest.approx(0.1)
    assert backoff_delay(4, 0.0) == pytest.approx(0.8)
    assert backoff_delay(5, 0.0) == BACKOFF_MAX_S
    assert backoff_delay(5, 0.999) == BACKOFF_MAX_S
    assert backoff_delay(4, 0.999) == pytest.approx(0.8 + 0.999 * BACKOFF_JITTER_S)


# --- circuit breaker -----------------------------------------------------------------------------


async def test_breaker_opens_after_threshold_failed_calls_and_then_sends_nothing(
    client, fake_pas, virtual_time
):
    fake_pas.fail_next(HEALTH, 503, times=100)
    for _ in range(3):  # threshold 3 logical calls (each made of 2 attempts)
        with pytest.raises(PasUnavailable):
            await client.get("health", HEALTH, CallStats())
    assert await client.breaker_state() == "opened"
    sent = len(fake_pas.requests)

    stats = CallStats()
    with pytest.raises(CircuitOpen):
        await client.get("health", HEALTH, stats)
    assert stats.attempts == 0
    assert len(fake_pas.requests) == sent


async def test_breaker_half_opens_after_ttl_and_closes_on_success(client, fake_pas, virtual_time):
    fake_pas.fail_next(HEALTH, 503, times=6)
    for _ in range(3):
        with pytest.raises(PasUnavailable):
            await client.get("health", HEALTH, CallStats())
    with pytest.raises(CircuitOpen):
        await client.get("health", HEALTH, CallStats())

    virtual_time.advance(31)  # past breaker_ttl_s = 30
    assert await client.get("health", HEALTH, CallStats()) == {"status": "ok"}
    assert await client.breaker_state() == "closed"


async def test_a_failure_while_half_open_reopens_the_breaker(client, fake_pas, virtual_time):
    fake_pas.fail_next(HEALTH, 503, times=8)
    for _ in range(3):
        with pytest.raises(PasUnavailable):
            await client.get("health", HEALTH, CallStats())
    virtual_time.advance(31)
    with pytest.raises(PasUnavailable) as caught:
        await client.get("health", HEALTH, CallStats())
    assert not isinstance(caught.value, CircuitOpen)  # the probe was really sent
    assert await client.breaker_state() == "opened"
    with pytest.raises(CircuitOpen):
        await client.get("health", HEALTH, CallStats())


async def test_client_errors_other_than_429_never_trip_the_breaker(client, fake_pas, virtual_time):
    fake_pas.fail_next(HEALTH, 422, times=5)
    fake_pas.fail_next("/api/v1/claims/CLM-0", 400, times=5)
    for _ in range(5):
        with pytest.raises(PasNotFound):
            await client.get("get_policy", "/api/v1/policies/NOPE", CallStats())
        with pytest.raises(PasRejected):
            await client.get("health", HEALTH, CallStats())
        with pytest.raises(PasRejected):
            await client.get("get_claim", "/api/v1/claims/CLM-0", CallStats())
    assert await client.breaker_state() == "closed"


async def test_repeated_429s_do_trip_the_breaker(client, fake_pas, virtual_time):
    fake_pas.fail_next(HEALTH, 429, times=100, headers={"Retry-After": "60"})
    for _ in range(3):
        with pytest.raises(PasRateLimited):
            await client.get("health", HEALTH, CallStats())
    assert await client.breaker_state() == "opened"


# --- rate limit ----------------------------------------------------------------------------------


async def test_rate_limiter_makes_calls_over_the_rate_wait_instead_of_failing(
    fake_pas, pas_settings, virtual_time, monkeypatch
):
    """Over the rate, a call waits for capacity. Loop time is faked so nothing really sleeps."""
    loop = asyncio.get_running_loop()
    virtual = {"now": loop.time()}
    monkeypatch.setattr(loop, "time", lambda: virtual["now"])
    client = _client_for(fake_pas, replace(pas_settings, rate_limit_per_s=2.0), virtual_time)

    for _ in range(2):  # a burst of one second's worth goes straight through
        await client.get("health", HEALTH, CallStats())
    third = asyncio.create_task(client.get("health", HEALTH, CallStats()))
    for _ in range(20):
        await asyncio.sleep(0)
    assert not third.done()
    assert len(fake_pas.calls(HEALTH)) == 2

    virtual["now"] += 0.6  # one slot frees after 0.5 s at 2 per second
    assert await asyncio.wait_for(third, timeout=5) == {"status": "ok"}
    assert len(fake_pas.calls(HEALTH)) == 3
    await client.aclose()


def test_sub_one_per_second_rates_are_allowed():
    limiter = make_limiter(0.5)
    assert limiter.max_rate == 1
    assert limiter.time_period == 2.0
    with pytest.raises(ValueError):
        make_limiter(0)


# --- error mapping -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (400, PasRejected),
        (401, PasAuthError),
        (403, PasProtocolError),
        (404, PasNotFound),
        (409, PasRejected),
        (422, PasRejected),
        (429, PasRateLimited),
        (500, PasUnavailable),
        (502, PasUnavailable),
        (503, PasUnavailable),
        (504, PasUnavailable),
    ],
)
async def test_http_statuses_map_onto_the_error_tree(client, fake_pas, status, error):
    fake_pas.fail_next(PAY, status)
    with pytest.raises(error) as caught:
        await client.post(
            "post_payment",
            PAY,
            {"amount": "1.00", "method": "card", "reference": "r"},
            CallStats(),
            idempotency_key="k",
        )
    assert type(caught.value) is error
    # Messages carry the operation and status, never the path with its policy number.
    assert "AUT-1000001" not in str(caught.value)
    assert str(status) in str(caught.value)


async def test_rejections_carry_the_pas_error_code(client, fake_pas):
    with pytest.raises(PasRejected) as caught:
        await client.post(
            "post_payment",
            PAY,
            {"amount": "9999.00", "method": "card", "reference": "r"},
            CallStats(),
            idempotency_key="k",
        )
    assert caught.value.code == "rejected"
    with pytest.raises(PasRejected) as caught:
        await client.post(
            "post_payment", PAY, {"amount": "1.00", "method": "card", "reference": "r"}, CallStats()
        )
    assert caught.value.code == "bad_request"


async def test_a_success_that_is_not_json_is_a_protocol_error(fake_pas, pas_settings):
    transport = httpx.MockTransport(lambda r: httpx.Response(200, text="<html>oops</html>"))
    client = PasClient(
        pas_settings, make_http_client(pas_settings, PasSigner(KEY_ID, SECRET), transport=transport)
    )
    with pytest.raises(PasProtocolError):
        await client.get("health", HEALTH, CallStats())
    await client.aclose()
