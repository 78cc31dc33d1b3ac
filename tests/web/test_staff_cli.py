"""``policyline staff create``: a staff account whose first sign-in enrols TOTP before anything."""

from __future__ import annotations

import re

from bot.settings import Settings
from devtools.cli import main
from tests.web.auth_fixtures import account_services, form_token, make_web_app


def test_staff_create_prints_a_one_time_password_that_signs_in(tmp_path, capsys, monkeypatch):
    var = tmp_path / "var"
    monkeypatch.setenv("POLICYLINE_VAR_DIR", str(var))
    monkeypatch.setenv("POLICYLINE_ENV", "test")
    assert main(["db", "upgrade"]) == 0
    assert main(["staff", "create", "--email", "Lead@Harbor.example", "--role", "supervisor"]) == 0
    out = capsys.readouterr().out
    password = re.search(r"Initial password \(shown once\): (\S+)", out).group(1)
    assert "lead@harbor.example (supervisor)" in out
    settings = Settings.from_env({"POLICYLINE_VAR_DIR": str(var), "POLICYLINE_ENV": "test"})
    app = make_web_app(tmp_path, settings=settings)
    client = app.test_client()
    response = client.post(
        "/auth/login",
        data={
            "email": "lead@harbor.example",
            "password": password,
            "csrf_token": form_token(client),
        },
    )
    assert response.headers["Location"] == "/auth/mfa/setup"
    account = account_services(app).accounts.by_email("lead@harbor.example")
    assert account.kind == "staff" and account.roles == frozenset({"supervisor"})
    assert password not in account.password_hash
    account_services(app).engine.dispose()


def test_staff_create_refuses_duplicates_and_bad_input(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("POLICYLINE_VAR_DIR", str(tmp_path / "var"))
    assert main(["db", "upgrade"]) == 0
    assert main(["staff", "create", "--email", "a@harbor.example", "--role", "reviewer"]) == 0
    assert main(["staff", "create", "--email", "A@harbor.example", "--role", "reviewer"]) == 1
    assert main(["staff", "create", "--email", "not-an-address", "--role", "reviewer"]) == 2
    assert "already exists" in capsys.readouterr().out
