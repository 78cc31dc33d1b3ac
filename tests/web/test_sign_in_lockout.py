"""The sign-in lock reveals nothing about an e-mail address, and its owner is told.

- A locked account answers exactly like a wrong password (status, page, time), whatever password
  is typed: otherwise the lock answers "this e-mail is registered" to anyone, and "that was the
  password" to whoever keeps guessing through it.
- An unknown e-mail address is counted and locked like a registered one.
- The owner of a registered address gets one e-mail per lock saying how to get back in.
- One client address is throttled before its guesses can lock anybody out.

Guesses come from a new client address each (``REMOTE_ADDR``), as a distributed guesser's do,
so the per-address throttle (its own test) does not stop them first.
"""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import Iterator
from itertools import count

from argon2 import PasswordHasher
from flask.testing import FlaskClient

from bot.notifications.email_sender import read_email_outbox
from tests.web.auth_fixtures import account_services, create_account, form_token, make_web_app

WRONG = "not the right password at all"
_CSRF_VALUE = re.compile(r'(name="csrf_token" value=")[^"]+(")')
_addresses: Iterator[int] = count(1)


def _new_address() -> str:
    n = next(_addresses)
    return f"198.51.{100 + n // 250}.{n % 250 + 1}"


def _login(client: FlaskClient, email: str, password: str, address: str | None = None):  # type: ignore[no-untyped-def]
    data = {"email": email, "password": password, "csrf_token": form_token(client)}
    return client.post(
        "/auth/login", data=data, environ_base={"REMOTE_ADDR": address or _new_address()}
    )


def _page(response, email: str = "") -> str:  # type: ignore[no-untyped-def]
    """The response body with the two values that differ by design made neutral: the CSRF
    token (signed with the time of the request) and the e-mail typed into the form."""
    body = _CSRF_VALUE.sub(r"\1CSRF\2", response.get_data(as_text=True))
    return body.replace(email, "EMAIL") if email else body


def _lock(client: FlaskClient, email: str) -> list[int]:
    """Five wrong passwords for ``email`` (the lock limit), from five addresses."""
    return [_login(client, email, WRONG).status_code for _ in range(5)]


def test_a_locked_account_answers_exactly_like_a_wrong_password(app, client, clock):
    account = create_account(app, kind="policyholder", email="m@example.com", holder_id="H1")
    wrong = _login(client, account.email, WRONG)
    assert wrong.status_code == 401
    _lock(client, account.email)

    locked_wrong = _login(client, account.email, WRONG)
    locked_right = _login(client, account.email, account.password)  # the lock holds
    for answer in (locked_wrong, locked_right):
        assert answer.status_code == wrong.status_code
        assert _page(answer) == _page(wrong)
        assert answer.headers["Content-Type"] == wrong.headers["Content-Type"]

    clock.advance(minutes=15, seconds=1)
    assert _login(client, account.email, account.password).status_code == 302


def test_an_unknown_email_is_counted_and_answered_like_a_registered_one(app, client):
    known = create_account(app, kind="policyholder", email="m@example.com", holder_id="H1")
    unknown = "nobody.here@example.com"
    known_answers = [_login(client, known.email, WRONG) for _ in range(6)]
    unknown_answers = [_login(client, unknown, WRONG) for _ in range(6)]
    assert [a.status_code for a in known_answers] == [a.status_code for a in unknown_answers]
    assert [_page(a, known.email) for a in known_answers] == [
        _page(a, unknown) for a in unknown_answers
    ]
    # Both addresses are counted the same way: both are locked now.
    lockouts = account_services(app).sign_in.lockouts
    assert lockouts.locked(lockouts.subject(known.email))
    assert lockouts.locked(lockouts.subject(unknown))
    assert lockouts.locked(lockouts.subject("  NoBody.Here@Example.com "))  # normalised


def test_a_locked_account_takes_as_long_to_answer_as_a_wrong_password(tmp_path, clock, records):
    # The production argon2 profile: the hash is what a locked answer used to skip.
    app = make_web_app(
        tmp_path, clock=clock, AUTH_PAS_RECORDS=records, AUTH_PASSWORD_HASHER=PasswordHasher()
    )
    client = app.test_client()
    locked = create_account(app, kind="policyholder", email="locked@example.com", holder_id="H1")
    _lock(client, locked.email)
    # Four wrong passwords each, so none of these accounts locks while it is measured.
    open_accounts = [
        create_account(app, kind="policyholder", email=f"open{i}@example.com", holder_id=f"H{i}")
        for i in range(2, 6)
    ]

    def timed(email: str) -> tuple[int, float]:
        token = form_token(client)
        data = {"email": email, "password": WRONG, "csrf_token": token}
        address = _new_address()
        started = time.perf_counter()
        response = client.post("/auth/login", data=data, environ_base={"REMOTE_ADDR": address})
        return response.status_code, (time.perf_counter() - started) * 1000

    timed(locked.email)  # warm-up (first request, first dummy hash)
    wrong, refused = [], []
    for i in range(15):  # interleaved, so load on the machine hits both alike
        wrong.append(timed(open_accounts[i // 4].email))
        refused.append(timed(locked.email))
    wrong_ms = statistics.median(ms for _, ms in wrong)
    locked_ms = statistics.median(ms for _, ms in refused)
    print(
        f"\nwrong password: status {sorted({s for s, _ in wrong})} median {wrong_ms:.1f} ms; "
        f"locked: status {sorted({s for s, _ in refused})} median {locked_ms:.1f} ms "
        f"(ratio {locked_ms / wrong_ms:.2f})"
    )
    assert locked_ms >= 0.5 * wrong_ms
    assert wrong_ms >= 0.5 * locked_ms
    account_services(app).engine.dispose()


def test_the_owner_is_told_once_per_lock_how_to_get_back_in(app, client, clock):
    account = create_account(app, kind="policyholder", email="m@example.com", holder_id="H1")
    services = account_services(app)
    _lock(client, account.email)
    for _ in range(3):  # guesses while it is locked do not lock it again
        _login(client, account.email, WRONG)
    services.sign_in.notices.wait_idle()
    notices = read_email_outbox(services.engine, to=account.email)
    assert len(notices) == 1
    text = f"{notices[0].subject}\n{notices[0].body}"
    assert "paused" in text and "15 minutes" in text
    assert "authenticator app" in text and "recovery code" in text  # how to get back in
    assert "(800) 555-0100" in text  # the contact centre, for help now
    assert WRONG not in text and "198.51." not in text  # nothing typed, no address

    # A later lock is a new lock: one more notice.
    clock.advance(minutes=15, seconds=1)
    _lock(client, account.email)
    services.sign_in.notices.wait_idle()
    assert len(read_email_outbox(services.engine, to=account.email)) == 2


def test_an_unknown_email_locks_without_any_notice(app, client):
    services = account_services(app)
    _lock(client, "nobody.here@example.com")
    services.sign_in.notices.wait_idle()
    assert read_email_outbox(services.engine) == []
