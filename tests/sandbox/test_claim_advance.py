"""Advancing a claim through its milestones writes the replica timeline."""

from __future__ import annotations

from sqlalchemy import create_engine, select

from pas_sandbox.claim_stages import STAGES
from pas_sandbox.replica import replica_claim_events
from tests.sandbox.conftest import SignedApi


def _events(replica_url: str, claim_number: str) -> list:
    engine = create_engine(replica_url)
    with engine.connect() as conn:
        rows = conn.execute(
            select(replica_claim_events)
            .where(replica_claim_events.c.claim_number == claim_number)
            .order_by(replica_claim_events.c.id)
        ).all()
    engine.dispose()
    return rows


async def test_advancing_a_claim_moves_its_stage_and_adds_an_event_with_a_next_action(
    api: SignedApi,
    replica_url: str,
) -> None:
    before = _events(replica_url, "CLM-50000001")
    status, body = await api.admin("POST", "/claims/CLM-50000001/advance")
    assert status == 200
    assert body["claim"]["stage"] == "repair"
    assert body["event"]["milestone"] == "repair"
    assert body["event"]["next_action"]
    after = _events(replica_url, "CLM-50000001")
    assert len(after) == len(before) + 1
    assert (after[-1].milestone, after[-1].next_action) == ("repair", body["event"]["next_action"])
    _, claim = await api.get("/api/v1/claims/CLM-50000001")
    assert (claim["stage"], claim["status"]) == ("repair", "open")


async def test_a_claim_advanced_to_the_end_is_closed_with_its_payment(
    api: SignedApi,
    replica_url: str,
) -> None:
    stages = []
    for _ in range(3):
        status, body = await api.admin("POST", "/claims/CLM-50000001/advance")
        assert status == 200
        stages.append(body["claim"]["stage"])
    assert stages == ["repair", "payment_issued", "closed"]
    _, claim = await api.get("/api/v1/claims/CLM-50000001")
    assert claim["status"] == "closed"
    assert claim["paid_amount"] == "2740.18"  # the 3,240.18 estimate less the 500 deductible
    milestones = [e.milestone for e in _events(replica_url, "CLM-50000001")]
    assert milestones == list(STAGES)
    status, body = await api.admin("POST", "/claims/CLM-50000001/advance")
    assert (status, body["error"]) == (409, "conflict")


async def test_a_reported_claim_gets_an_adjuster_when_assigned(api: SignedApi) -> None:
    # Set up a claim just reported (no adjuster yet) from one of the generated claims.
    reported = api.sandbox.store.claim("CLM-50000005")
    reported.stage, reported.status, reported.adjuster = "reported", "open", None
    _, before = await api.get(f"/api/v1/claims/{reported.claim_number}")
    assert before["adjuster"] is None
    status, body = await api.admin("POST", f"/claims/{reported.claim_number}/advance")
    assert status == 200
    assert body["claim"]["stage"] == "assigned"
    assert body["claim"]["adjuster"]["phone"].startswith("+1800555014")
    assert body["claim"]["adjuster"]["name"] in body["event"]["description"]


async def test_advancing_an_unknown_claim_is_not_found(api: SignedApi) -> None:
    status, body = await api.admin("POST", "/claims/CLM-99999999/advance")
    assert (status, body["error"]) == (404, "not_found")
