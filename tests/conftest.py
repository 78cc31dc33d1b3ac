"""Shared fixtures: real servers started by the test set-up.

- ``redis_url``: a private ``redis-server`` on a free loopback port (session).
- ``postgres_url``: a private PostgreSQL cluster (initdb in a temp dir) on a free port (session).
- ``sandbox``: the PAS sandbox as a subprocess, exactly as ``policyline sandbox`` runs it; faults
  and data are reset after every test that uses it.
- ``tmp_var``: an empty var/ folder for one test.

The binaries come from Debian packages that ``make test`` installs (scripts/
ensure-system-packages.sh); a missing one fails loudly rather than skipping, because these tests
are the proof that the real components work.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.rasa_stack import RasaStack, start_rasa_stack
from tests.support.servers import (
    PostgresServer,
    RedisServer,
    SandboxHandle,
    start_sandbox,
)

# Plugins every pytest process needs, the xdist controller included (it never collects the
# folders' own conftest files): the dialogue suite's completion table.
pytest_plugins = ("tests.dialogue_suite.report",)

# Tests that use one of these session fixtures run on the same xdist worker (`make test` runs two
# workers with --dist loadgroup), so each worker does not start its own copy: the Rasa stack
# takes over a minute of both cores to start.
SHARED_ON_ONE_WORKER = ("rasa_stack",)


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Puts each test in an xdist group: the shared heavy fixture it uses, or else its module (so
    a module-scoped server set, such as the fault or scale-out stack, starts once)."""
    for item in items:
        uses = getattr(item, "fixturenames", ())
        shared = next((name for name in SHARED_ON_ONE_WORKER if name in uses), None)
        item.add_marker(pytest.mark.xdist_group(shared or item.nodeid.split("::")[0]))


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = RedisServer.start(tmp_path_factory.mktemp("redis"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def redis_url(redis_server: RedisServer) -> str:
    return redis_server.url


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PostgresServer]:
    server = PostgresServer.start(tmp_path_factory.mktemp("pg"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def postgres_url(postgres_server: PostgresServer) -> str:
    return postgres_server.url


@pytest.fixture(scope="session")
def sandbox_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxHandle]:
    handle = start_sandbox(tmp_path_factory.mktemp("sandbox"))
    try:
        yield handle
    finally:
        handle.stop()


@pytest.fixture
def sandbox(sandbox_session: SandboxHandle) -> Iterator[SandboxHandle]:
    """The running PAS sandbox; its faults and data are reset after the test."""
    try:
        yield sandbox_session
    finally:
        sandbox_session.reset()


@pytest.fixture
def tmp_var(tmp_path: Path) -> Path:
    var = tmp_path / "var"
    var.mkdir()
    return var


@pytest.fixture(scope="session")
def rasa_stack(
    sandbox_session: SandboxHandle, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RasaStack]:
    """The trained assistant: a Rasa server (REST channel) and an action server on the sandbox."""
    stack = start_rasa_stack(sandbox_session, tmp_path_factory.mktemp("rasa"))
    try:
        yield stack
    finally:
        stack.stop()
