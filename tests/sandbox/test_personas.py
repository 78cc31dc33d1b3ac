"""The five fixed personas, as the PAS API and the replica serve them."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import phonenumbers
from sqlalchemy import create_engine, select

from pas_sandbox import personas_json
from pas_sandbox.replica import replica_claim_events, replica_payments, replica_phone_index
from pas_sandbox.vin import is_valid_vin
from tests.sandbox.conftest import AS_OF, SignedApi


def _day(offset: int) -> str:
    return (AS_OF + timedelta(days=offset)).isoformat()


async def test_maria_is_an_auto_holder_with_two_vehicles_an_open_claim_and_a_balance(
    api: SignedApi,
) -> None:
    status, holder = await api.get("/api/v1/policyholders/H0000001")
    assert status == 200
    assert holder == {
        "holder_id": "H0000001",
        "first_name": "Maria",
        "last_name": "Alvarez",
        "date_of_birth": "1985-04-12",
        "phone": "+15125550101",
        "email": "maria.alvarez@example.com",
        "address": {
            "street": "1408 Barton Hills Dr",
            "city": "Austin",
            "state": "TX",
            "zip": "78704",
        },
    }
    _, policy = await api.get("/api/v1/policies/AUT-1000001")
    assert (policy["line"], policy["state"], policy["status"]) == ("auto", "TX", "active")
    assert policy["named_insureds"] == ["Maria Alvarez", "Daniel Alvarez"]
    assert [d["name"] for d in policy["drivers"]] == ["Maria Alvarez", "Daniel Alvarez"]
    assert policy["insurer"] == {"name": "Harbor Mutual Insurance Company", "naic_code": "29912"}
    assert policy["claims_phone"] == "+18005550199"
    rav4, civic = policy["vehicles"]
    assert (rav4["year"], rav4["make"], rav4["model"]) == (2021, "Toyota", "RAV4")
    assert rav4["lienholder"]["name"] == "Toyota Motor Credit Corp"
    assert (civic["year"], civic["make"], civic["model"], civic["lienholder"]) == (
        2017,
        "Honda",
        "Civic",
        None,
    )
    assert all(is_valid_vin(v["vin"]) for v in policy["vehicles"])
    premiums = sum(Decimal(c["premium"]) for c in policy["coverages"])
    discounts = sum(Decimal(d["amount"]) for d in policy["discounts"])
    assert str(premiums + discounts) == policy["total_premium"] == "2475.00"

    _, billing = await api.get("/api/v1/policies/AUT-1000001/billing")
    assert billing == {
        "policy_number": "AUT-1000001",
        "balance": "412.50",
        "minimum_due": "206.25",
        "due_date": _day(10),
        "past_due": "0.00",
        "status": "current",
        "autopay": {
            "enabled": False,
            "method": None,
            "payment_method_ref": None,
            "draft_day": None,
        },
    }
    _, claims = await api.get("/api/v1/policies/AUT-1000001/claims")
    [claim] = claims["claims"]
    assert (claim["claim_number"], claim["status"], claim["stage"], claim["loss_type"]) == (
        "CLM-50000001",
        "open",
        "estimate",
        "Collision",
    )
    assert claim["adjuster"] == {
        "name": "Dana Brooks",
        "phone": "+18005550142",
        "email": "dana.brooks@example.com",
    }


async def test_james_is_a_homeowner_with_a_mortgagee_a_closed_paid_claim_and_autopay(
    api: SignedApi,
) -> None:
    _, policy = await api.get("/api/v1/policies/HOM-2000001")
    assert (policy["holder_id"], policy["line"], policy["state"]) == ("H0000002", "home", "NC")
    [dwelling] = policy["properties"]
    assert dwelling["mortgagee"]["name"] == "First Carolina Bank ISAOA/ATIMA"
    assert dwelling["mortgagee"]["loan_number"]
    assert {c["code"] for c in policy["coverages"]} >= {"A", "B", "C", "D", "E", "F"}
    _, billing = await api.get("/api/v1/policies/HOM-2000001/billing")
    assert billing["balance"] == "186.00"
    assert billing["autopay"]["enabled"] is True
    assert (billing["autopay"]["method"], billing["autopay"]["draft_day"]) == ("card", 15)
    _, claim = await api.get("/api/v1/claims/CLM-50000002")
    assert (claim["status"], claim["stage"], claim["loss_type"], claim["paid_amount"]) == (
        "closed",
        "closed",
        "Water damage",
        "8450.00",
    )
    _, holder = await api.get("/api/v1/policyholders/H0000002")
    assert (holder["phone"], holder["date_of_birth"], holder["address"]["zip"]) == (
        "+17045550102",
        "1972-09-30",
        "28203",
    )


async def test_priya_is_a_renter_with_a_past_due_balance_and_no_claims(api: SignedApi) -> None:
    _, billing = await api.get("/api/v1/policies/REN-3000001/billing")
    assert (billing["balance"], billing["past_due"], billing["status"]) == (
        "144.00",
        "96.00",
        "past_due",
    )
    assert billing["due_date"] == _day(-15)
    assert billing["autopay"]["enabled"] is False
    _, claims = await api.get("/api/v1/policies/REN-3000001/claims")
    assert claims == {"claims": []}
    _, policy = await api.get("/api/v1/policies/REN-3000001")
    assert [c["code"] for c in policy["coverages"]] == ["C", "E", "F"]
    assert (policy["state"], policy["mailing_address"]["zip"]) == ("OH", "43215")


async def test_robert_has_a_policy_cancelled_for_non_payment(api: SignedApi) -> None:
    _, policy = await api.get("/api/v1/policies/AUT-1000002")
    assert (policy["status"], policy["cancelled_on"], policy["cancellation_reason"]) == (
        "cancelled",
        _day(-56),
        "non-payment",
    )
    assert len(policy["vehicles"]) == 1
    _, billing = await api.get("/api/v1/policies/AUT-1000002/billing")
    assert (billing["balance"], billing["status"]) == ("0.00", "cancelled")


async def test_jose_holds_two_policies_with_an_open_claim_on_each(api: SignedApi) -> None:
    _, refs = await api.get("/api/v1/policyholders/H0000005/policies")
    assert refs == {
        "policies": [
            {"policy_number": "AUT-1000003", "line": "auto", "status": "active"},
            {"policy_number": "HOM-2000002", "line": "home", "status": "active"},
        ]
    }
    _, auto = await api.get("/api/v1/policies/AUT-1000003")
    [outback] = auto["vehicles"]
    assert (outback["year"], outback["make"], outback["model"]) == (2019, "Subaru", "Outback")
    _, glass = await api.get("/api/v1/claims/CLM-50000003")
    _, wind = await api.get("/api/v1/claims/CLM-50000004")
    assert (glass["policy_number"], glass["loss_type"], glass["stage"]) == (
        "AUT-1000003",
        "Glass",
        "repair",
    )
    assert (wind["policy_number"], wind["loss_type"], wind["stage"]) == (
        "HOM-2000002",
        "Wind/hail",
        "inspection",
    )
    assert glass["adjuster"] and wind["adjuster"]
    _, auto_billing = await api.get("/api/v1/policies/AUT-1000003/billing")
    _, home_billing = await api.get("/api/v1/policies/HOM-2000002/billing")
    assert (auto_billing["balance"], auto_billing["autopay"]["enabled"]) == ("233.10", False)
    assert home_billing["autopay"]["enabled"] is True
    assert home_billing["autopay"]["method"] == "us_bank_account"


async def test_unknown_ids_answer_404_in_the_documented_shape(api: SignedApi) -> None:
    for path in (
        "/api/v1/policyholders/H9999999",
        "/api/v1/policyholders/H9999999/policies",
        "/api/v1/policies/AUT-9999999",
        "/api/v1/policies/AUT-9999999/billing",
        "/api/v1/policies/AUT-9999999/claims",
        "/api/v1/claims/CLM-99999999",
    ):
        status, body = await api.get(path)
        assert status == 404, path
        assert body["error"] == "not_found" and body["message"]


async def test_the_replica_holds_persona_history_timelines_and_phones(
    api: SignedApi,
    replica_url: str,
) -> None:
    engine = create_engine(replica_url)
    with engine.connect() as conn:
        phones = conn.execute(
            select(replica_phone_index).where(replica_phone_index.c.phone_e164 == "+17185550105")
        ).all()
        events = conn.execute(
            select(replica_claim_events)
            .where(replica_claim_events.c.claim_number == "CLM-50000001")
            .order_by(replica_claim_events.c.occurred_at)
        ).all()
        payments = conn.execute(
            select(replica_payments).where(replica_payments.c.policy_number == "AUT-1000001")
        ).all()
    engine.dispose()
    assert sorted((r.holder_id, r.policy_number) for r in phones) == [
        ("H0000005", "AUT-1000003"),
        ("H0000005", "HOM-2000002"),
    ]
    assert [e.milestone for e in events] == ["reported", "assigned", "inspection", "estimate"]
    assert events[-1].next_action and "repair shop" in events[-1].next_action
    # Ten monthly instalments of 206.25 were paid before the two that remain.
    assert sum(p.amount_cents for p in payments if p.status == "posted") == 10 * 20625


def test_personas_json_lists_each_persona_once_per_policy() -> None:
    rows = personas_json()
    assert [(r["name"], r["policy_number"]) for r in rows] == [
        ("Maria Alvarez", "AUT-1000001"),
        ("James Whitfield", "HOM-2000001"),
        ("Priya Raman", "REN-3000001"),
        ("Robert Chen", "AUT-1000002"),
        ("José Núñez", "AUT-1000003"),
        ("José Núñez", "HOM-2000002"),
    ]
    for row in rows:
        assert {
            "name",
            "policy_number",
            "phone",
            "date_of_birth",
            "zip",
            "line",
            "status",
            "story",
        } <= set(row)
        assert phonenumbers.is_valid_number(phonenumbers.parse(row["phone"]))
        date.fromisoformat(row["date_of_birth"])
        assert row["line"] in ("auto", "home", "renters") and row["story"]
    robert = next(r for r in rows if r["name"] == "Robert Chen")
    assert robert["status"] == "cancelled"
    assert rows[0]["story"] == "auto, 2 vehicles, open claim, balance due, autopay off"
