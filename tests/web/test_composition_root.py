"""One composition root per web process: one engine, one clock, one PAS connector on one loop."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from bot.sync_pas import SyncPas
from bot.web import shutdown
from bot.web.root import web_root
from tests.web.auth_fixtures import account_services, make_web_app


class RecordingConnector:
    """Stands in for a PasConnector: says which loop and thread ran each call."""

    def __init__(self) -> None:
        self.loops: set[int] = set()
        self.threads: set[str] = set()
        self.closed = 0

    async def where(self) -> None:
        self.loops.add(id(asyncio.get_running_loop()))
        self.threads.add(threading.current_thread().name)

    async def aclose(self) -> None:
        self.closed += 1


def fixed_clock() -> datetime:
    return datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)


def test_every_blueprint_gets_the_roots_engine_clock_and_pas(tmp_path: Path) -> None:
    app = make_web_app(tmp_path, clock=fixed_clock)
    root = web_root(app)
    try:
        auth = account_services(app)
        portal = app.extensions["policyline.portal"]
        staff = app.extensions["policyline.staff"]
        assert auth.engine is root.engine and staff.app_engine is root.engine
        assert auth.clock is fixed_clock and portal.clock is fixed_clock
        assert staff.clock is fixed_clock
        assert portal.pas is root.pas
    finally:
        shutdown(app)


def test_the_pas_facade_builds_one_connector_on_first_use_and_runs_every_call_on_one_loop() -> None:
    built: list[RecordingConnector] = []

    def connect() -> Any:
        built.append(RecordingConnector())
        return built[-1]

    pas = SyncPas(connect, name="test-pas")
    assert built == []  # nothing is started until the PAS is needed
    with ThreadPoolExecutor(max_workers=4) as workers:
        list(workers.map(lambda _: pas.call(lambda c: c.where()), range(12)))

    [connector] = built
    assert len(connector.loops) == 1 and connector.threads == {"test-pas"}
    pas.close()
    assert connector.closed == 1


def test_a_connector_handed_in_is_used_but_left_to_its_owner() -> None:
    connector = RecordingConnector()
    pas = SyncPas.of(connector)  # type: ignore[arg-type]
    pas.call(lambda c: c.where())
    pas.close()
    assert connector.closed == 0 and len(connector.loops) == 1
