"""Fixtures for claim alert tests: the real sandbox, a connector on it, notifiers on a database.

``AlertRig`` builds notifiers exactly as ``policyline notifier`` does (``ClaimAlertNotifier`` with
the outbox SMS sender and an e-mail sender), on an app database of the test's choosing, with a
settable clock. Quiet hours are off unless a test asks for them, so tests do not depend on the
time of day they run at.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from bot.db import make_engine
from bot.notifications.claim_alerts import ClaimAlertNotifier, NotifierConfig
from bot.notifications.claim_alerts_messages import AlertTexts
from bot.notifications.claim_alerts_quiet_hours import QuietHours
from bot.notifications.claim_alerts_store import ClaimAlertStore
from bot.notifications.email_sender import EmailSender, OutboxEmailSender
from bot.notifications.sms import OutboxSmsSender
from bot.notifications.suppression import SuppressionList
from pas_connector.config import CacheSettings, PasSettings
from pas_connector.connector import PasConnector
from pas_connector.factory import build_connector
from tests.support.app_database import migrated_sqlite, upgrade
from tests.support.servers import SandboxHandle

HASH_KEY = "test-identifier-key"
CARRIER = "Harbor Mutual Insurance"
CLAIMS_PHONE = "+18005550199"
NO_QUIET_HOURS = QuietHours(time(0, 0), time(0, 0))


@dataclass
class SettableClock:
    now: datetime = field(default_factory=lambda: datetime.now(timezone.utc))

    def __call__(self) -> datetime:
        return self.now


def pas_settings(sandbox: SandboxHandle) -> PasSettings:
    return PasSettings(
        base_url=sandbox.base_url,
        key_id=sandbox.key_id,
        hmac_secret=sandbox.hmac_secret,
        replica_url=sandbox.replica_url,
    )


@dataclass
class AlertRig:
    """Notifiers, their store and outboxes on one app database, against one sandbox."""

    sandbox: SandboxHandle
    database_url: str
    engine: Engine
    clock: SettableClock
    connectors: list[PasConnector] = field(default_factory=list)

    @property
    def store(self) -> ClaimAlertStore:
        return ClaimAlertStore(self.engine, clock=self.clock)

    @property
    def suppression(self) -> SuppressionList:
        return SuppressionList(self.engine, HASH_KEY)

    def connector(self) -> PasConnector:
        connector = build_connector(
            pas_settings(self.sandbox),
            CacheSettings(),
            database_url=self.database_url,
            audit_hash_key=HASH_KEY,
        )
        self.connectors.append(connector)
        return connector

    def notifier(
        self,
        *,
        instance_id: str | None = None,
        quiet_hours: QuietHours = NO_QUIET_HOURS,
        email: EmailSender | None = None,
        config: NotifierConfig | None = None,
    ) -> ClaimAlertNotifier:
        """A notifier with its own PAS connector (like a separate process)."""
        store = self.store
        upgrade(self.engine)
        return ClaimAlertNotifier(
            connector=self.connector(),
            store=store,
            sms=OutboxSmsSender(self.engine, self.suppression),
            email=email or OutboxEmailSender(self.engine),
            texts=AlertTexts(CARRIER, CLAIMS_PHONE),
            quiet_hours=quiet_hours,
            hash_key=HASH_KEY,
            config=config or NotifierConfig(max_event_age=timedelta(hours=72)),
            clock=self.clock,
            instance_id=instance_id,
        )

    async def aclose(self) -> None:
        for connector in self.connectors:
            await connector.aclose()
        self.engine.dispose()


@pytest.fixture
def app_database_url(tmp_path: Path) -> str:
    return migrated_sqlite(tmp_path / "app.sqlite")


@pytest.fixture
async def rig(sandbox: SandboxHandle, app_database_url: str) -> AsyncIterator[AlertRig]:
    built = AlertRig(sandbox, app_database_url, make_engine(app_database_url), SettableClock())
    try:
        yield built
    finally:
        await built.aclose()


@pytest.fixture
def pg_app_database(postgres_url: str) -> Iterator[str]:
    """A fresh PostgreSQL database for one test (dropped afterwards)."""
    import uuid

    import psycopg2
    from sqlalchemy.engine import make_url

    url = make_url(postgres_url)
    name = f"alerts_{uuid.uuid4().hex[:12]}"

    def admin(sql: str) -> None:
        conn = psycopg2.connect(host=url.host, port=url.port, user=url.username, dbname="postgres")
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(sql)
        conn.close()

    admin(f"CREATE DATABASE {name}")
    try:
        yield str(url.set(database=name))
    finally:
        admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
