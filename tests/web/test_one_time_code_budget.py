"""The web side of the one send budget of one-time codes: the client address is the source."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.web.auth_fixtures import StaticRecords, account_services, form_token, make_web_app
from tests.web.conftest import JAMES, MARIA, SettableClock, sms_codes

OFFICE = "203.0.113.7"
HOME = "198.51.100.20"


@pytest.fixture
def two_per_address(tmp_path, clock: SettableClock, records: StaticRecords) -> Iterator[Flask]:
    app = make_web_app(
        tmp_path,
        env={"CODE_SENDS_PER_SOURCE": "2"},
        clock=clock,
        AUTH_PAS_RECORDS=records,
    )
    yield app
    account_services(app).engine.dispose()


def browser_at(app: Flask, address: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def register(client: FlaskClient, policy_number: str, born: str, zip_code: str) -> int:
    token = form_token(client, "/auth/register")
    response = client.post(
        "/auth/register",
        data={
            "policy_number": policy_number,
            "date_of_birth": born,
            "zip": zip_code,
            "channel": "sms",
            "csrf_token": token,
        },
    )
    return response.status_code


def resend(client: FlaskClient) -> tuple[int, str]:
    token = form_token(client, "/auth/register/verify")
    response = client.post("/auth/register/verify", data={"action": "resend", "csrf_token": token})
    return response.status_code, response.get_data(as_text=True).replace("&#39;", "'")


def test_one_client_address_trips_the_source_budget_across_holders(
    two_per_address: Flask, clock: SettableClock
) -> None:
    app = two_per_address
    office_maria, office_james = browser_at(app, OFFICE), browser_at(app, OFFICE)
    assert register(office_maria, "AUT-1000001", "1985-04-12", "78704") == 302
    assert register(office_james, "HOM-2000001", "1972-09-30", "28203") == 302

    # A third code from the same address, for either holder, is refused: no text goes out.
    status, page = resend(office_james)
    assert status == 429
    assert "we've sent several codes already" in page and "(800) 555-0100" in page
    assert (len(sms_codes(app, MARIA.phone)), len(sms_codes(app, JAMES.phone))) == (1, 1)

    # James from another address still gets his: his own budget has room.
    at_home = browser_at(app, HOME)
    assert register(at_home, "HOM-2000001", "1972-09-30", "28203") == 302
    assert len(sms_codes(app, JAMES.phone)) == 2

    clock.advance(minutes=15)  # the office's two sends have left the window
    assert register(browser_at(app, OFFICE), "HOM-2000001", "1972-09-30", "28203") == 302
    assert len(sms_codes(app, JAMES.phone)) == 3
