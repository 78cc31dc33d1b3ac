"""The real web chat stack for tests: the Rasa stack (with the web chat channel from
credentials.yml), a web app serving /chat on a free port, and the local SMS outbox.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import Engine
from werkzeug.serving import BaseWSGIServer, make_server

from bot.db import make_engine
from bot.notifications.outbox import latest_outbox_id, read_outbox
from bot.settings import Settings
from bot.web import create_app
from tests.support.app_database import upgrade
from tests.support.rasa_stack import RasaStack
from tests.support.servers import free_port
from tests.web.auth_fixtures import (
    TestAccount,
    auth_test_config,
    chat_handover_token,
    sign_in_policyholder,
)

CODE = re.compile(r"\b(\d{6})\b")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web_chat"


@dataclass
class WebChatStack:
    rasa: RasaStack
    app: Flask
    base_url: str
    engine: Engine
    accounts: dict[str, TestAccount] = field(default_factory=dict)

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa.rasa_port}"

    def outbox_mark(self) -> int:
        """Where the outbox ends now: codes sent later are read from here."""
        return latest_outbox_id(self.engine)

    def wait_for_code(self, phone: str, *, after_id: int, timeout: float = 20) -> str:
        """The one-time code texted to ``phone`` after ``after_id`` (read from the local outbox)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in reversed(read_outbox(self.engine, to=phone, after_id=after_id)):
                match = CODE.search(message.body)
                if match:
                    return match.group(1)
            time.sleep(0.2)
        raise AssertionError(f"no code texted to {phone[-2:]} within {timeout} s")

    def signed_in_cookie(self, holder_id: str) -> dict[str, Any]:
        """A browser cookie for a policyholder signed in through the real pages (TOTP too)."""
        # The sign-in runs the app's own event loop: off the thread Playwright's loop runs on.
        with ThreadPoolExecutor(max_workers=1) as pool:
            value = pool.submit(self._sign_in, holder_id).result(timeout=120)
        return {
            "name": self.app.config["SESSION_COOKIE_NAME"],
            "value": value,
            # host-only (``__Host-`` cookies may not name a domain attribute, only a host)
            "domain": "127.0.0.1",
            "path": "/",
            "secure": bool(self.app.config["SESSION_COOKIE_SECURE"]),
            "httpOnly": True,
            "sameSite": "Lax",
        }

    def handover_token(self, holder_id: str) -> str:
        """A hand-over token from the /chat page of a browser where ``holder_id`` signed in."""
        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(self._page_token, holder_id).result(timeout=120)

    def _page_token(self, holder_id: str) -> str:
        client = self.app.test_client()
        self._sign_in_on(client, holder_id)
        return chat_handover_token(client)

    def _sign_in(self, holder_id: str) -> str:
        client = self.app.test_client()
        self._sign_in_on(client, holder_id)
        cookie = client.get_cookie(self.app.config["SESSION_COOKIE_NAME"])
        assert cookie is not None, "the sign-in left no session cookie"
        return cookie.value

    def _sign_in_on(self, client: FlaskClient, holder_id: str) -> None:
        account = self.accounts.get(holder_id)
        if account is None:  # one account per policyholder; later browsers sign in again
            self.accounts[holder_id] = sign_in_policyholder(self.app, client, holder_id=holder_id)
        else:
            account.sign_in(client)


@pytest.fixture(scope="session")
def web_chat_stack(
    rasa_stack: RasaStack, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[WebChatStack]:
    """A web app whose /chat page talks to the session's real Rasa stack."""
    env = dict(rasa_stack.env)
    env["RASA_PUBLIC_URL"] = f"http://127.0.0.1:{rasa_stack.rasa_port}"
    settings = Settings.from_env(env)
    app = create_app(settings, auth_test_config())
    port = free_port()
    server: BaseWSGIServer = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="web-chat-app", daemon=True)
    thread.start()
    engine = make_engine(settings.database_url)
    upgrade(engine)  # the action server creates them on its first code
    try:
        yield WebChatStack(rasa_stack, app, f"http://127.0.0.1:{port}", engine)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        engine.dispose()
