"""Fault knobs: outage, random errors, timeouts and latency (through an injected sleep)."""

from __future__ import annotations

import random
import statistics

import pytest

from pas_sandbox.faults import FaultConfigError, FaultInjector, FaultSettings, LatencySpec
from tests.sandbox.conftest import SignedApi, SleepRecorder

HEALTH = "/api/v1/health"


async def test_an_outage_answers_503_for_every_api_route(api: SignedApi) -> None:
    status, settings = await api.admin("PUT", "/faults", {"outage": True})
    assert (status, settings["outage"]) == (200, True)
    for path in (HEALTH, "/api/v1/policies/AUT-1000001", "/api/v1/claims/CLM-50000001"):
        status, body = await api.get(path)
        assert (status, body["error"]) == (503, "unavailable"), path
    # Control routes keep working during an outage.
    status, _ = await api.admin("GET", "/stats")
    assert status == 200
    await api.admin("PUT", "/faults", {"outage": False})
    assert (await api.get(HEALTH))[0] == 200


async def test_an_error_rate_of_one_fails_every_request_with_503(api: SignedApi) -> None:
    await api.admin("PUT", "/faults", {"error_rate": 1.0})
    statuses = {(await api.get(HEALTH))[0] for _ in range(5)}
    assert statuses == {503}


async def test_an_error_rate_fails_about_that_share_of_requests(api: SignedApi) -> None:
    await api.admin("PUT", "/faults", {"error_rate": 0.3})
    statuses = [(await api.get(HEALTH))[0] for _ in range(200)]
    assert set(statuses) == {200, 503}
    assert 30 <= statuses.count(503) <= 90  # seeded RNG: about 60 of 200


async def test_a_timeout_holds_the_request_then_answers_504(
    api: SignedApi,
    sleeps: SleepRecorder,
) -> None:
    await api.admin("PUT", "/faults", {"timeout_rate": 1.0, "timeout_hold_s": 7.5})
    status, body = await api.get(HEALTH)
    assert (status, body["error"]) == (504, "unavailable")
    assert sleeps.calls == [7.5]


async def test_fixed_latency_is_slept_before_the_answer(
    api: SignedApi,
    sleeps: SleepRecorder,
) -> None:
    await api.admin("PUT", "/faults", {"latency": {"distribution": "fixed", "median_ms": 250}})
    assert (await api.get(HEALTH))[0] == 200
    assert (await api.get("/api/v1/policies/AUT-1000001"))[0] == 200
    assert sleeps.calls == [0.25, 0.25]


async def test_uniform_latency_stays_within_its_bounds(
    api: SignedApi,
    sleeps: SleepRecorder,
) -> None:
    await api.admin(
        "PUT", "/faults", {"latency": {"distribution": "uniform", "min_ms": 40, "max_ms": 60}}
    )
    for _ in range(20):
        await api.get(HEALTH)
    assert len(sleeps.calls) == 20
    assert all(0.04 <= s <= 0.06 for s in sleeps.calls)
    assert len(set(sleeps.calls)) > 1


async def test_latency_also_applies_to_refused_requests(
    api: SignedApi,
    sleeps: SleepRecorder,
) -> None:
    await api.admin("PUT", "/faults", {"latency": {"distribution": "fixed", "median_ms": 100}})
    response = await api.client.get(HEALTH)  # unsigned
    assert response.status == 401
    assert sleeps.calls == [0.1]


async def test_control_routes_are_never_delayed(api: SignedApi, sleeps: SleepRecorder) -> None:
    await api.admin("PUT", "/faults", {"latency": {"distribution": "fixed", "median_ms": 100}})
    await api.admin("GET", "/faults")
    assert sleeps.calls == []


async def test_reset_clears_every_fault(api: SignedApi) -> None:
    await api.admin(
        "PUT",
        "/faults",
        {"outage": True, "error_rate": 0.5, "latency": {"distribution": "fixed", "median_ms": 5}},
    )
    await api.admin("POST", "/reset")
    _, settings = await api.admin("GET", "/faults")
    assert settings == FaultSettings().to_json()
    assert (await api.get(HEALTH))[0] == 200


@pytest.mark.parametrize(
    "body",
    [
        {"error_rate": 1.5},
        {"timeout_rate": -0.1},
        {"error_rate": "high"},
        {"outage": "yes"},
        {"latency": {"distribution": "gaussian"}},
        {"latency": {"distribution": "lognormal"}},
        {"latency": {"distribution": "uniform", "min_ms": 10, "max_ms": 5}},
        {"latency": "fast"},
        {"brownout": True},
        {"latency": {"distribution": "fixed", "median_ms": 5, "p99": 9}},
    ],
)
async def test_bad_fault_settings_are_refused_and_change_nothing(
    api: SignedApi,
    body: dict,
) -> None:
    status, error = await api.admin("PUT", "/faults", body)
    assert (status, error["error"]) == (400, "bad_request")
    _, settings = await api.admin("GET", "/faults")
    assert settings == FaultSettings().to_json()


def test_lognormal_latency_has_the_requested_median() -> None:
    spec = LatencySpec.parse("lognormal:300:0.5")
    rng = random.Random(11)
    samples = [spec.draw_ms(rng) for _ in range(4001)]
    assert 285 <= statistics.median(samples) <= 315
    assert max(samples) > 600  # a long right tail


def test_latency_cap_bounds_lognormal_draws() -> None:
    spec = LatencySpec("lognormal", median_ms=300, sigma=1.0, max_ms=500)
    rng = random.Random(3)
    assert max(spec.draw_ms(rng) for _ in range(1000)) == 500


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("none", LatencySpec()),
        ("fixed:120", LatencySpec("fixed", median_ms=120)),
        ("uniform:10:90", LatencySpec("uniform", min_ms=10, max_ms=90)),
        ("lognormal:300:0.5", LatencySpec("lognormal", median_ms=300, sigma=0.5)),
    ],
)
def test_latency_specs_parse_from_the_command_line(text: str, expected: LatencySpec) -> None:
    assert LatencySpec.parse(text) == expected


@pytest.mark.parametrize("text", ["fixed", "lognormal:300", "uniform:a:b", "pareto:1:2", ""])
def test_malformed_latency_specs_are_refused(text: str) -> None:
    with pytest.raises(FaultConfigError):
        LatencySpec.parse(text)


async def test_reset_returns_to_the_faults_the_sandbox_started_with() -> None:
    started_with = FaultSettings(latency=LatencySpec("fixed", median_ms=5))
    injector = FaultInjector(started_with, sleep=SleepRecorder())
    injector.settings = injector.settings.updated({"outage": True, "error_rate": 0.5})
    injector.reset()
    assert injector.settings == started_with
