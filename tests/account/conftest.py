"""Fixtures for the policyholder pages: the web app on the real PAS sandbox, signed-in clients."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from bot.web import shutdown
from tests.support.servers import SandboxHandle
from tests.web.auth_fixtures import make_web_app


@pytest.fixture
def web(tmp_path: Path, sandbox: SandboxHandle) -> Iterator[Flask]:
    """The web app as ``create_app`` builds it, with its PAS connector pointed at the sandbox."""
    app = make_web_app(
        tmp_path,
        env={
            "PAS_BASE_URL": sandbox.base_url,
            "PAS_REPLICA_URL": sandbox.replica_url,
            "PAS_HMAC_SECRET": sandbox.hmac_secret,
            "PAS_KEY_ID": sandbox.key_id,
        },
    )
    yield app
    shutdown(app)
