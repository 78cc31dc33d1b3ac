"""Fixtures for document tests: persona data from the sandbox generator, a clock, services."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from bot.db import make_engine
from bot.documents import DocumentRenderer, DocumentService
from pas_connector.models import Policy, Policyholder
from tests.documents.persona_data import personas
from tests.documents.support import NOW, SettableClock
from tests.support.app_database import upgrade

SECRET = "test-document-link-secret"
BASE_URL = "https://policyline.test"


@pytest.fixture(scope="session")
def persona_book() -> dict[str, tuple[Policyholder, Policy]]:
    return personas(NOW.date())


@pytest.fixture
def persona(persona_book):  # type: ignore[no-untyped-def]
    """``persona("AUT-1000001")`` → (policyholder, policy)."""
    return lambda number: persona_book[number]


@pytest.fixture
def clock() -> SettableClock:
    return SettableClock()


@pytest.fixture
def renderer(clock: SettableClock) -> DocumentRenderer:
    return DocumentRenderer(clock=clock, certificate_numbers=lambda now: "COI-20261125-TEST0001")


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'app.sqlite'}")
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def service(engine: Engine, clock: SettableClock, renderer: DocumentRenderer) -> DocumentService:
    return DocumentService(engine, SECRET, BASE_URL, clock=clock, renderer=renderer)
