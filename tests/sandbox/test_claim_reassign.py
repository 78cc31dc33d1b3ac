"""Reassigning a claim's adjuster is a claim change the timeline (the change feed) carries."""

from __future__ import annotations

from sqlalchemy import create_engine, select

from pas_sandbox.replica import replica_claim_events
from tests.sandbox.conftest import SignedApi


def _rows(replica_url: str) -> list:
    engine = create_engine(replica_url)
    with engine.connect() as conn:
        rows = conn.execute(select(replica_claim_events).order_by(replica_claim_events.c.id)).all()
    engine.dispose()
    return rows


async def test_reassigning_changes_the_adjuster_keeps_the_stage_and_appends_a_row(
    api: SignedApi,
    replica_url: str,
) -> None:
    before = _rows(replica_url)
    status, body = await api.admin("POST", "/claims/CLM-50000001/reassign")
    assert status == 200
    assert body["claim"]["stage"] == "estimate"
    assert body["claim"]["adjuster"]["name"] != "Dana Brooks"
    assert body["event"]["milestone"] == "adjuster_changed"
    assert body["claim"]["adjuster"]["name"] in body["event"]["description"]
    after = _rows(replica_url)
    assert len(after) == len(before) + 1
    assert after[-1].id > max(r.id for r in before)  # the feed's cursor moves past it
    assert (after[-1].claim_number, after[-1].milestone) == ("CLM-50000001", "adjuster_changed")
    _, claim = await api.get("/api/v1/claims/CLM-50000001")
    assert claim["adjuster"] == body["claim"]["adjuster"]


async def test_closed_claims_and_claims_without_an_adjuster_cannot_be_reassigned(
    api: SignedApi,
) -> None:
    status, body = await api.admin("POST", "/claims/CLM-50000002/reassign")
    assert (status, body["error"]) == (409, "conflict")
    reported = api.sandbox.store.claim("CLM-50000005")
    reported.stage, reported.status, reported.adjuster = "reported", "open", None
    status, body = await api.admin("POST", "/claims/CLM-50000005/reassign")
    assert (status, body["error"]) == (409, "conflict")
    status, body = await api.admin("POST", "/claims/CLM-99999999/reassign")
    assert (status, body["error"]) == (404, "not_found")
