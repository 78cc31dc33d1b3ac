"""Pay now from the policyholder home: a pay link for one's own balance, never someone else's."""

from __future__ import annotations

from decimal import Decimal

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from bot.db import make_engine
from bot.payments.links import payment_links
from bot.portal.payment_request import payment_amount
from pas_connector.models import Autopay, Billing
from tests.web.auth_fixtures import form_token, sign_in_policyholder

MARIA, PRIYA, ROBERT = "H0000001", "H0000003", "H0000004"


def signed_in(app: Flask, holder_id: str) -> FlaskClient:
    client = app.test_client()
    sign_in_policyholder(app, client, holder_id=holder_id)
    return client


def links(app: Flask) -> list[dict[str, object]]:
    engine = make_engine(app.config["DATABASE_URL"])
    try:
        with engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(select(payment_links))]
    finally:
        engine.dispose()


def pay(client: FlaskClient, **form: str):  # type: ignore[no-untyped-def]
    form.setdefault("csrf_token", form_token(client, "/account/"))
    return client.post("/account/pay", data=form)


def billing(balance: str, minimum: str) -> Billing:
    return Billing(
        policy_number="AUT-1000001",
        balance=Decimal(balance),
        minimum_due=Decimal(minimum),
        due_date=None,
        past_due=Decimal("0"),
        status="current",
        autopay=Autopay(enabled=False, method=None, payment_method_ref=None, draft_day=None),
    )


@pytest.mark.parametrize(
    ("choice", "balance", "minimum", "amount"),
    [
        ("full", "412.50", "206.25", Decimal("412.50")),
        ("minimum", "412.50", "206.25", Decimal("206.25")),
        ("minimum", "412.50", "0.00", None),
        ("full", "0.00", "0.00", None),
    ],
)
def test_amount_comes_from_billing_and_is_bounded_by_the_balance(
    choice: str, balance: str, minimum: str, amount: Decimal | None
) -> None:
    check = payment_amount(choice, billing(balance, minimum))  # type: ignore[arg-type]
    assert check.amount == amount and check.ok is (amount is not None)


def test_home_offers_minimum_and_full_balance(web: Flask) -> None:
    page = signed_in(web, MARIA).get("/account/").get_data(as_text=True)
    assert "Pay minimum due ($206.25)" in page
    assert "Pay full balance ($412.50)" in page


def test_pay_full_balance_sends_to_a_single_use_pay_page(web: Flask) -> None:
    client = signed_in(web, MARIA)
    response = pay(client, policy="AUT-1000001", amount="full")
    assert response.status_code == 303
    location = response.headers["Location"]
    assert "/pay/" in location and "AUT-1000001" not in location
    (row,) = links(web)
    assert (row["policy_number"], row["amount_cents"], row["channel"], row["purpose"]) == (
        "AUT-1000001",
        41250,
        "web",
        "one_time",
    )


def test_pay_minimum_due(web: Flask) -> None:
    response = pay(signed_in(web, MARIA), policy="AUT-1000001", amount="minimum")
    assert response.status_code == 303
    assert [r["amount_cents"] for r in links(web)] == [20625]


@pytest.mark.parametrize("policy", ["REN-3000001", "HOM-2000001", "AUT-9999999"])
def test_paying_another_holders_policy_is_refused_like_a_missing_one(
    web: Flask, policy: str
) -> None:
    response = pay(signed_in(web, MARIA), policy=policy, amount="full")
    assert response.status_code == 404
    assert links(web) == []


def test_nothing_to_pay_is_a_clear_refusal(web: Flask) -> None:
    client = signed_in(web, ROBERT)
    assert "Pay full balance" not in client.get("/account/").get_data(as_text=True)
    response = pay(client, policy="AUT-1000002", amount="full")
    assert response.status_code == 409
    assert "no balance due" in response.get_data(as_text=True)
    assert links(web) == []


@pytest.mark.parametrize(
    "form", [{"policy": "AUT-1000001", "amount": "1000000"}, {"amount": "full"}]
)
def test_bad_pay_requests_get_400(web: Flask, form: dict[str, str]) -> None:
    assert pay(signed_in(web, MARIA), **form).status_code == 400
    assert links(web) == []


def test_pay_without_csrf_token_is_refused(web: Flask) -> None:
    client = signed_in(web, PRIYA)
    assert (
        client.post("/account/pay", data={"policy": "REN-3000001", "amount": "full"}).status_code
        == 400
    )
    assert links(web) == []
