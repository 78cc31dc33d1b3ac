"""Chat hand-over tokens: one conversation each, and only while the web session that minted them
lives (sign-out and session timeouts end them).

The web app mints tokens exactly as for the widget (``/chat`` for a signed-in policyholder); the
action server's side is the production composition root (``bot.bootstrap.build_services``) on
the same application database, with its own engine, accepting through
``IdentityService.accept_handover`` as the actions do.
"""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from flask import Flask

from bot.bootstrap import Services, build_services
from bot.conversation.web_handover import WebHandover
from tests.web.auth_fixtures import (
    account_services,
    form_token,
    make_web_app,
    sign_in_policyholder,
)
from tests.web.auth_fixtures import chat_handover_token as page_token

MFA_MARIA = WebHandover(holder_id="H0000001", assurance="mfa")


def action_server_for(app: Flask, clock) -> Iterator[Services]:  # type: ignore[no-untyped-def]
    services = build_services(app.config["POLICYLINE_SETTINGS"], clock=clock)
    try:
        yield services
    finally:
        asyncio.run(services.aclose())
        account_services(app).engine.dispose()


@pytest.fixture
def action_server(app, clock) -> Iterator[Services]:  # type: ignore[no-untyped-def]
    yield from action_server_for(app, clock)


def test_a_token_verifies_one_chat_conversation_only(app, client, action_server):
    sign_in_policyholder(app, client, holder_id="H0000001")
    token = page_token(client)
    identity = action_server.identity
    assert identity.accept_handover(token) == MFA_MARIA  # the first conversation
    assert identity.accept_handover(token) is None  # a second conversation with the same token
    # The next page render gives the next conversation its own token.
    assert identity.accept_handover(page_token(client)) == MFA_MARIA


def test_a_token_stops_working_when_its_web_session_signs_out(app, client, action_server):
    account = sign_in_policyholder(app, client, holder_id="H0000001")
    other_browser = app.test_client()
    account.sign_in(other_browser)
    token, other_token = page_token(client), page_token(other_browser)
    client.post("/auth/logout", data={"csrf_token": form_token(client, "/auth/account")})
    assert action_server.identity.accept_handover(token) is None
    # Only the tokens of the session that signed out: the other browser's still works.
    assert action_server.identity.accept_handover(other_token) == MFA_MARIA


def test_a_token_stops_working_when_its_web_session_times_out(tmp_path, clock, records):
    # A 100-second idle timeout, so the session ends while its token (120 s) is still young.
    app = make_web_app(
        tmp_path,
        env={"AUTH_SESSION_IDLE_S": "100", "AUTH_SESSION_WARNING_S": "30"},
        clock=clock,
        AUTH_PAS_RECORDS=records,
    )
    idle, busy = app.test_client(), app.test_client()
    account = sign_in_policyholder(app, idle, holder_id="H0000001")
    account.sign_in(busy)
    idle_token, busy_token = page_token(idle), page_token(busy)
    clock.advance(seconds=50)
    assert busy.get("/auth/account").status_code == 200  # activity keeps that session alive
    clock.advance(seconds=51)  # the idle one: 101 s without a request
    for action_server in action_server_for(app, clock):
        assert action_server.identity.accept_handover(idle_token) is None
        assert action_server.identity.accept_handover(busy_token) == MFA_MARIA


def _race(services: Services, token: str, contenders: int = 8) -> list[WebHandover | None]:
    start = threading.Barrier(contenders)

    def accept(_: int) -> WebHandover | None:
        start.wait()
        return services.identity.accept_handover(token)

    with ThreadPoolExecutor(max_workers=contenders) as pool:
        return list(pool.map(accept, range(contenders)))


def test_concurrent_accepts_of_one_token_verify_one_conversation(app, client, action_server):
    sign_in_policyholder(app, client, holder_id="H0000001")
    results = _race(action_server, page_token(client))
    assert [r for r in results if r is not None] == [MFA_MARIA]


@pytest.mark.postgres
def test_concurrent_accepts_of_one_token_verify_one_conversation_on_postgres(
    tmp_path, postgres_url, clock, records
):
    app = make_web_app(
        tmp_path, env={"DATABASE_URL": postgres_url}, clock=clock, AUTH_PAS_RECORDS=records
    )
    client = app.test_client()
    holder_id = f"PG-{uuid.uuid4().hex[:12]}"
    sign_in_policyholder(app, client, holder_id=holder_id, email=f"{uuid.uuid4().hex}@example.com")
    for action_server in action_server_for(app, clock):
        results = _race(action_server, page_token(client))
        assert [r for r in results if r is not None] == [WebHandover(holder_id, "mfa")]
