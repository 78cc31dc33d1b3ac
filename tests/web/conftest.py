"""Fixtures for web auth tests: an app on a temp database, a settable clock, PAS records."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from bot.notifications.outbox import read_outbox
from tests.support import personas
from tests.support.personas import holder_record
from tests.web.auth_fixtures import StaticRecords, account_services, make_web_app

START = datetime(2026, 11, 25, 15, 0, 7, tzinfo=timezone.utc)

MARIA = holder_record(personas.MARIA)
JAMES = holder_record(personas.JAMES)


class SettableClock:
    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> SettableClock:
    return SettableClock()


@pytest.fixture
def records() -> StaticRecords:
    book = StaticRecords()
    book.add(MARIA, personas.MARIA.policy_number)
    book.add(JAMES, personas.JAMES.policy_number)
    return book


@pytest.fixture
def app(tmp_path: Path, clock: SettableClock, records: StaticRecords) -> Iterator[Flask]:
    app = make_web_app(tmp_path, clock=clock, AUTH_PAS_RECORDS=records)
    yield app
    account_services(app).engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def sms_codes(app: Flask, to: str) -> list[str]:
    """The 6-digit codes texted to ``to`` (local outbox), oldest first."""
    messages = read_outbox(account_services(app).engine, to=to)
    return [m for msg in messages for m in re.findall(r"\b(\d{6})\b", msg.body)]


def sms_bodies(app: Flask, to: str) -> list[str]:
    return [m.body for m in read_outbox(account_services(app).engine, to=to)]
