"""Signing principals in for web tests, through the real sign-in flow (no session forging).

Use from any web test::

    from tests.web.auth_fixtures import make_web_app, sign_in_policyholder, sign_in_staff

    app = make_web_app(tmp_path)                     # or create_app(settings, auth_test_config())
    client = app.test_client()
    holder = sign_in_policyholder(app, client, holder_id="H0000001")
    staff = sign_in_staff(app, other_client, role="supervisor")
    client.post("/some/form", data={"csrf_token": form_token(client, "/some/page"), ...})

``sign_in_*`` creates the account in the app database (policyholder accounts are tied to a PAS
holder id, without the PAS registration step) and then signs in exactly as a browser does:
e-mail + password at ``/auth/login``, TOTP enrolment at ``/auth/mfa/setup`` with a code computed
by ``pyotp`` from the secret shown on the page, the recovery-code page, and from then on
``/auth/verify`` with a fresh TOTP code. ``TestAccount.sign_in(client)`` signs the same account in
again (another client = another browser).

Every POST needs the session's CSRF token: ``form_token(client, path)`` reads it from a page.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyotp
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient

from bot.accounts.accounts import AccountKind
from bot.accounts.composition import AccountServices
from bot.accounts.pas_records import HolderRecord, PolicyholderRecords
from bot.clock import Clock, utc_now
from bot.settings import Settings
from bot.web import create_app
from bot.web.auth.flow import SERVICES_KEY
from bot.web.root import WebRoot
from tests.support.app_database import upgrade
from tests.support.waiting import wait_until

DEFAULT_PASSWORD = "correct horse battery staple"
# argon2id at its minimum cost: the production profile costs ~0.4 s a hash on a busy test machine.
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_SECRET = re.compile(r'class="secret"[^>]*>([A-Z2-7 ]+)<')
_HANDOVER = re.compile(r'data-handover-token="([^"]+)"')


class StaticRecords(PolicyholderRecords):
    """PAS records held in memory (for tests that do not need the sandbox)."""

    def __init__(self, records: list[HolderRecord] | None = None) -> None:
        self.records = {r.holder_id: r for r in records or ()}
        self.policies: dict[str, str] = {}

    def add(self, record: HolderRecord, *policy_numbers: str) -> None:
        self.records[record.holder_id] = record
        for number in policy_numbers:
            self.policies[number] = record.holder_id

    def by_policy_number(self, policy_number: str) -> HolderRecord | None:
        holder_id = self.policies.get(policy_number.strip().upper())
        return self.records.get(holder_id) if holder_id else None

    def by_holder_id(self, holder_id: str) -> HolderRecord | None:
        return self.records.get(holder_id)


def auth_test_config(**extra: Any) -> dict[str, Any]:
    """``test_config`` for ``create_app``: cheap hashing, generous rate limits, plus ``extra``."""
    config: dict[str, Any] = {
        "TESTING": True,
        "AUTH_PASSWORD_HASHER": CHEAP_HASHER,
        "AUTH_RATE_LIMIT": "1000 per minute",
    }
    config.update(extra)
    return config


def make_web_app(
    tmp_path: Path,
    *,
    settings: Settings | None = None,
    env: Mapping[str, str] | None = None,
    clock: Clock | None = None,
    **test_config: Any,
) -> Flask:
    """A web app on a fresh SQLite database under ``tmp_path`` (its one clock: ``clock``)."""
    if settings is None:
        environ = {"POLICYLINE_ENV": "test", "POLICYLINE_VAR_DIR": str(tmp_path / "var")}
        environ.update(env or {})
        settings = Settings.from_env(environ)
    upgrade(settings.database_url)
    root = WebRoot.build(settings, clock=clock) if clock is not None else None
    return create_app(settings, auth_test_config(**test_config), root=root)


def account_services(app: Flask) -> AccountServices:
    services: AccountServices = app.extensions[SERVICES_KEY]
    return services


def chat_handover_token(client: FlaskClient) -> str:
    """The hand-over token the chat page gives this (signed-in policyholder's) browser: good for
    one chat conversation while this browser's web session lives."""
    match = _HANDOVER.search(client.get("/chat").get_data(as_text=True))
    assert match, "no hand-over token on /chat (is a policyholder signed in?)"
    return match.group(1)


def form_token(client: FlaskClient, path: str = "/auth/login") -> str:
    """The CSRF token of this client's session, read from a page with a form."""
    response = client.get(path)
    match = _CSRF.search(response.get_data(as_text=True))
    assert match, f"no csrf_token on {path} (status {response.status_code})"
    return match.group(1)


@dataclass
class TestAccount:
    """An account a test created, with what it needs to sign in again."""

    __test__ = False  # not a pytest test class

    app: Flask
    account_id: int
    kind: AccountKind
    email: str
    password: str = DEFAULT_PASSWORD
    holder_id: str | None = None
    roles: frozenset[str] = field(default_factory=frozenset)
    totp_secret: str | None = None
    recovery_codes: list[str] = field(default_factory=list)
    last_step: int = 0

    def totp_code(self) -> str:
        """A code for a time-step not used yet (the server refuses a step twice)."""
        assert self.totp_secret, "enrol TOTP first"
        totp = pyotp.TOTP(self.totp_secret)
        clock = account_services(self.app).clock
        now_step = totp.timecode(clock())
        step = max(now_step - 1, self.last_step + 1)
        if step > now_step + 1:  # all three steps of the window are used up
            if clock is not utc_now:
                raise AssertionError("advance the test clock by 30 s before signing in again")
            wait_until(
                lambda: totp.timecode(clock()) + 1 > self.last_step,
                timeout=31,
                what="the next TOTP time-step",
                interval=0.2,
            )
            return self.totp_code()
        self.last_step = step
        return totp.generate_otp(step)

    def sign_in(self, client: FlaskClient, *, next_path: str | None = None) -> Any:
        """Sign in through the real pages; returns the last response (a redirect)."""
        data = {"email": self.email, "password": self.password, "csrf_token": form_token(client)}
        if next_path:
            data["next"] = next_path
        response = client.post("/auth/login", data=data)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        if response.headers["Location"].endswith("/auth/mfa/setup"):
            return self._enrol(client)
        token = form_token(client, "/auth/verify")
        response = client.post(
            "/auth/verify", data={"factor": "totp", "code": self.totp_code(), "csrf_token": token}
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return response

    def _enrol(self, client: FlaskClient) -> Any:
        page = client.get("/auth/mfa/setup").get_data(as_text=True)
        secret = _SECRET.search(page)
        assert secret, "no TOTP setup key on /auth/mfa/setup"
        self.totp_secret = secret.group(1).replace(" ", "")
        token = _CSRF.search(page)
        assert token
        response = client.post(
            "/auth/mfa/setup/totp", data={"code": self.totp_code(), "csrf_token": token.group(1)}
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        codes_page = client.get(response.headers["Location"]).get_data(as_text=True)
        self.recovery_codes = re.findall(r"<li>([2-9A-Z]{5}-[2-9A-Z]{5})</li>", codes_page)
        return response


def create_account(
    app: Flask,
    *,
    kind: AccountKind,
    email: str,
    password: str = DEFAULT_PASSWORD,
    holder_id: str | None = None,
    roles: frozenset[str] = frozenset(),
) -> TestAccount:
    services = account_services(app)
    account = services.accounts.create(
        kind=kind,
        email=email,
        password_hash=services.sign_in.hashing.hash(password),
        holder_id=holder_id,
        roles=roles,
    )
    return TestAccount(app, account.id, kind, account.email, password, holder_id, roles)


def sign_in_policyholder(
    app: Flask,
    client: FlaskClient,
    *,
    holder_id: str = "H0000001",
    email: str | None = None,
    password: str = DEFAULT_PASSWORD,
) -> TestAccount:
    """A policyholder account for ``holder_id`` (a PAS holder id), signed in on ``client``."""
    account = create_account(
        app,
        kind="policyholder",
        email=email or f"{holder_id.lower()}@example.com",
        password=password,
        holder_id=holder_id,
    )
    account.sign_in(client)
    return account


def sign_in_staff(
    app: Flask,
    client: FlaskClient,
    *,
    role: str = "reviewer",
    email: str | None = None,
    password: str = DEFAULT_PASSWORD,
) -> TestAccount:
    """A staff account with ``role`` ("reviewer" or "supervisor"), signed in on ``client``."""
    account = create_account(
        app,
        kind="staff",
        email=email or f"{role}@staff.example.com",
        password=password,
        roles=frozenset({role}),
    )
    account.sign_in(client)
    return account
