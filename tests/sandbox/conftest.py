"""In-process sandbox fixtures: a small seeded book served by aiohttp's ``TestServer``.

Time and sleep are fakes so signing windows and fault latency are exact: ``clock`` is the Unix
time the verifier sees (and the store's "now"), ``sleeps`` records every delay the fault injector
asked for without waiting. ``api`` signs each request like a real client would.
"""

from __future__ import annotations

import json
import random
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from pas_sandbox.app import Sandbox, SandboxConfig, build_sandbox, create_app
from pas_sandbox.signing import sign_headers

AS_OF = date(2026, 11, 25)
SEED = 20261125
KEY_ID = "policyline"
SECRET = "test-hmac-secret"
ADMIN_TOKEN = "test-admin-token"


@dataclass
class FakeClock:
    now: float = datetime(2026, 11, 25, 15, 0, tzinfo=timezone.utc).timestamp()

    def __call__(self) -> float:
        return self.now

    def utc(self) -> datetime:
        return datetime.fromtimestamp(self.now, timezone.utc)


@dataclass
class SleepRecorder:
    calls: list[float] = field(default_factory=list)

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


@dataclass
class SignedApi:
    """A test client that signs ``/api/`` requests and carries the admin token for control."""

    client: TestClient
    clock: FakeClock
    sandbox: Sandbox

    async def call(
        self, method: str, path: str, payload: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, Any]:
        body = b"" if payload is None else json.dumps(payload).encode()
        signed = sign_headers(KEY_ID, SECRET, method, path, body, timestamp=int(self.clock()))
        all_headers = {**signed, "Content-Type": "application/json", **(headers or {})}
        response = await self.client.request(method, path, data=body, headers=all_headers)
        return response.status, await response.json()

    async def get(self, path: str) -> tuple[int, Any]:
        return await self.call("GET", path)

    async def admin(self, method: str, path: str, payload: Any = None) -> tuple[int, Any]:
        response = await self.client.request(
            method, f"/_sandbox{path}", json=payload, headers={"X-Sandbox-Admin": ADMIN_TOKEN}
        )
        return response.status, await response.json()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()


@pytest.fixture
def replica_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'replica.sqlite'}"


@pytest.fixture
def sandbox_app(clock: FakeClock, sleeps: SleepRecorder, replica_url: str) -> Sandbox:
    """A 60-holder sandbox built in-process (the shared ``sandbox`` fixture is a subprocess)."""
    config = SandboxConfig(
        seed=SEED,
        policyholders=60,
        as_of=AS_OF,
        keys={KEY_ID: SECRET},
        admin_token=ADMIN_TOKEN,
        replica_url=replica_url,
    )
    return build_sandbox(config, clock=clock, now=clock.utc, sleep=sleeps, rng=random.Random(7))


@pytest.fixture
async def api(sandbox_app: Sandbox, clock: FakeClock) -> AsyncIterator[SignedApi]:
    client = TestClient(TestServer(create_app(sandbox_app)))
    await client.start_server()
    try:
        yield SignedApi(client, clock, sandbox_app)
    finally:
        await client.close()
