"""Fixtures for the conversation core: an exact clock, an app database, typed PAS records."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

import bot.conversation.handoff
import bot.conversation.outcomes
import bot.lockouts
import bot.payments.links  # noqa: F401  (registers the tables on bot.db.metadata)
from bot.db import make_engine
from pas_connector.errors import PasNotFound
from pas_connector.models import (
    Fresh,
    Insurer,
    PhoneMatch,
    Policy,
    Policyholder,
    Producer,
)
from tests.support import personas
from tests.support.app_database import upgrade
from tests.support.personas import policyholder


@dataclass
class FakeClock:
    """A clock tests move by hand."""

    now: datetime = field(
        default_factory=lambda: datetime(2026, 11, 25, 20, 41, tzinfo=timezone.utc)
    )

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    eng = make_engine(f"sqlite:///{tmp_path / 'app.sqlite'}")
    upgrade(eng)
    try:
        yield eng
    finally:
        eng.dispose()


MARIA = policyholder(personas.MARIA)


def policy_for(holder: Policyholder, number: str, line: str = "auto") -> Policy:
    """A minimal typed policy owned by ``holder``."""
    return Policy(
        policy_number=number,
        holder_id=holder.holder_id,
        line=line,  # type: ignore[arg-type]
        status="active",
        state=holder.address.state,
        effective_date=date(2026, 3, 1),
        expiration_date=date(2027, 3, 1),
        cancelled_on=None,
        insurer=Insurer(name="Harbor Mutual Insurance Company", naic_code="21873"),
        producer=Producer(name="Agency", address="1 Main St", phone="+18005550100"),
        named_insureds=(holder.full_name,),
        mailing_address=holder.address,
        drivers=(),
        vehicles=(),
        properties=(),
        coverages=(),
        discounts=(),
        endorsements=(),
        forms=(),
        total_premium=Decimal("1843.00"),
        claims_phone="+18005550199",
    )


class FakeIdentityPas:
    """In-memory stand-in for the three PAS reads identity makes; records each call."""

    def __init__(self, clock: FakeClock, holders: list[tuple[Policyholder, list[str]]]) -> None:
        self._clock = clock
        self.holders = {h.holder_id: h for h, _ in holders}
        self.by_phone = {h.phone: PhoneMatch(h.holder_id, tuple(p)) for h, p in holders}
        self.policies = {n: policy_for(h, n) for h, numbers in holders for n in numbers}
        self.calls: list[str] = []

    async def find_by_phone(self, phone: str) -> PhoneMatch | None:
        self.calls.append("find_by_phone")
        return self.by_phone.get(phone)

    async def get_policy(self, policy_number: str) -> Fresh[Policy]:
        self.calls.append("get_policy")
        if policy_number not in self.policies:
            raise PasNotFound(policy_number)
        return Fresh(self.policies[policy_number], fetched_at=self._clock())

    async def get_policyholder(self, holder_id: str) -> Fresh[Policyholder]:
        self.calls.append("get_policyholder")
        if holder_id not in self.holders:
            raise PasNotFound(holder_id)
        return Fresh(self.holders[holder_id], fetched_at=self._clock())
