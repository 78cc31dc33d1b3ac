"""The account tables and the session store on PostgreSQL (the production database)."""

from __future__ import annotations

import uuid

import pytest

from tests.web.auth_fixtures import account_services, create_account, form_token, make_web_app

pytestmark = pytest.mark.postgres


def test_sign_in_replay_guard_and_idle_timeout_on_postgres(tmp_path, postgres_url, clock, records):
    app = make_web_app(
        tmp_path, env={"DATABASE_URL": postgres_url}, clock=clock, AUTH_PAS_RECORDS=records
    )
    services = account_services(app)
    assert services.engine.dialect.name == "postgresql"
    account = create_account(
        app,
        kind="policyholder",
        email=f"{uuid.uuid4().hex}@example.com",
        holder_id=f"PG-{uuid.uuid4().hex[:12]}",
    )
    client = app.test_client()
    account.sign_in(client)
    assert client.get("/auth/account").status_code == 200

    code = account.totp_code()
    first, second = app.test_client(), app.test_client()
    for browser in (first, second):
        browser.post(
            "/auth/login",
            data={
                "email": account.email,
                "password": account.password,
                "csrf_token": form_token(browser),
            },
        )
    verify = [
        b.post(
            "/auth/verify",
            data={"factor": "totp", "code": code, "csrf_token": form_token(b, "/auth/verify")},
        )
        for b in (first, second)
    ]
    assert [r.status_code for r in verify] == [302, 401]

    clock.advance(minutes=15, seconds=1)
    assert client.get("/auth/account").status_code == 302
    services.engine.dispose()
