"""The /_sandbox/ control routes: admin token, stats, faults read-back."""

from __future__ import annotations

import pytest

from tests.sandbox.conftest import ADMIN_TOKEN, SignedApi

CONTROL_ROUTES = [
    ("GET", "/_sandbox/faults", None),
    ("PUT", "/_sandbox/faults", {"outage": True}),
    ("POST", "/_sandbox/reset", None),
    ("POST", "/_sandbox/claims/CLM-50000001/advance", None),
    ("GET", "/_sandbox/stats", None),
]


@pytest.mark.parametrize(("method", "path", "payload"), CONTROL_ROUTES)
@pytest.mark.parametrize("token", [None, "", "wrong-token", ADMIN_TOKEN + "x"])
async def test_control_routes_refuse_a_missing_or_wrong_admin_token(
    api: SignedApi,
    method: str,
    path: str,
    payload: dict | None,
    token: str | None,
) -> None:
    headers = {} if token is None else {"X-Sandbox-Admin": token}
    response = await api.client.request(method, path, json=payload, headers=headers)
    assert response.status == 401
    assert (await response.json())["error"] == "unauthorized"
    # Nothing changed behind the refusal.
    assert api.sandbox.faults.settings.outage is False
    assert api.sandbox.store.claim("CLM-50000001").stage == "estimate"


async def test_stats_count_api_requests_by_route_and_status(api: SignedApi) -> None:
    await api.get("/api/v1/health")
    await api.get("/api/v1/health")
    await api.get("/api/v1/policies/AUT-1000001")
    await api.get("/api/v1/policies/NOPE-1")
    await api.client.get("/api/v1/health")  # unsigned
    await api.call(
        "POST",
        "/api/v1/policies/AUT-1000001/payments",
        {"amount": "1.00", "method": "card", "reference": "r"},
    )  # no key
    status, stats = await api.admin("GET", "/stats")
    assert status == 200
    assert stats == {
        "total": 6,
        "requests": {
            "GET /api/v1/health": {"200": 2, "401": 1},
            "GET /api/v1/policies/{policy_number}": {"200": 1, "404": 1},
            "POST /api/v1/policies/{policy_number}/payments": {"400": 1},
        },
    }


async def test_reset_clears_the_stats(api: SignedApi) -> None:
    await api.get("/api/v1/health")
    await api.admin("POST", "/reset")
    _, stats = await api.admin("GET", "/stats")
    assert stats == {"total": 0, "requests": {}}


async def test_unknown_routes_answer_json_errors(api: SignedApi) -> None:
    status, body = await api.get("/api/v2/anything")
    assert (status, body["error"]) == (404, "not_found")
    status, body = await api.call("PATCH", "/api/v1/policies/AUT-1000001")
    assert (status, body["error"]) == (405, "method_not_allowed")
