"""Setting and cancelling autopay through the API."""

from __future__ import annotations

from tests.sandbox.conftest import SignedApi

MARIA = "/api/v1/policies/AUT-1000001/autopay"


async def test_autopay_can_be_set_and_is_shown_in_billing(api: SignedApi) -> None:
    status, billing = await api.call(
        "PUT", MARIA, {"payment_method_ref": "pm_test_123", "method": "card", "draft_day": 5}
    )
    assert status == 200
    assert billing["autopay"] == {
        "enabled": True,
        "method": "card",
        "payment_method_ref": "pm_test_123",
        "draft_day": 5,
    }
    _, again = await api.get("/api/v1/policies/AUT-1000001/billing")
    assert again["autopay"] == billing["autopay"]


async def test_autopay_can_be_cancelled(api: SignedApi) -> None:
    path = "/api/v1/policies/HOM-2000001/autopay"
    status, billing = await api.call("DELETE", path)
    assert status == 200
    assert billing["autopay"] == {
        "enabled": False,
        "method": None,
        "payment_method_ref": None,
        "draft_day": None,
    }
    _, again = await api.get("/api/v1/policies/HOM-2000001/billing")
    assert again["autopay"]["enabled"] is False
    # Cancelling twice is harmless.
    assert (await api.call("DELETE", path))[0] == 200


async def test_malformed_autopay_requests_are_bad_requests(api: SignedApi) -> None:
    good = {"payment_method_ref": "pm_x", "method": "us_bank_account", "draft_day": 28}
    for change in (
        {"draft_day": 0},
        {"draft_day": 29},
        {"draft_day": "5"},
        {"draft_day": True},
        {"method": "cash"},
        {"payment_method_ref": ""},
    ):
        status, body = await api.call("PUT", MARIA, {**good, **change})
        assert (status, body["error"]) == (400, "bad_request"), change
    _, billing = await api.get("/api/v1/policies/AUT-1000001/billing")
    assert billing["autopay"]["enabled"] is False


async def test_autopay_cannot_be_set_on_a_cancelled_policy(api: SignedApi) -> None:
    status, body = await api.call(
        "PUT",
        "/api/v1/policies/AUT-1000002/autopay",
        {"payment_method_ref": "pm_x", "method": "card", "draft_day": 3},
    )
    assert (status, body["error"]) == (409, "conflict")
