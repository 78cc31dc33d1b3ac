"""Web sign-in costs: argon2id with the production profile, a whole sign-in, a signed-in page.

Runs the real web app in-process (Flask test client, SQLite file, production argon2id profile
t=3 / m=64 MiB / p=4) and times:

- ``argon2id hash`` and ``verify`` alone (what every sign-in and registration pays);
- a whole sign-in: GET the form, POST e-mail + password, GET the code page, POST a TOTP code;
- a signed-in page (``/auth/account``): session row read + write, principal, template;
- the passive idle-timeout poll (``/auth/session/status``).

    .venv/bin/python -m bench.web_auth [--sign-ins 20] [--pages 200]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher

from bench.stats import latency_summary
from bot.accounts.passwords import PasswordHashing
from tests.web.auth_fixtures import (
    StaticRecords,
    account_services,
    create_account,
    form_token,
    make_web_app,
)


def _time(samples: list[float], action) -> Any:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = action()
    samples.append(time.perf_counter() - started)
    return result


def measure(sign_ins: int = 20, pages: int = 200) -> dict[str, Any]:
    hashing = PasswordHashing()
    hash_s: list[float] = []
    verify_s: list[float] = []
    for _ in range(max(5, sign_ins // 2)):
        stored = _time(hash_s, lambda: hashing.hash("correct horse battery staple"))
        _time(verify_s, lambda s=stored: hashing.verify(s, "correct horse battery staple"))

    with tempfile.TemporaryDirectory() as tmp:
        app = make_web_app(
            Path(tmp), AUTH_PAS_RECORDS=StaticRecords(), AUTH_PASSWORD_HASHER=PasswordHasher()
        )
        sign_in_s: list[float] = []
        for index in range(sign_ins):
            # One account per sample: TOTP codes are single use per 30-second step.
            account = create_account(
                app, kind="policyholder", email=f"bench{index}@example.com", holder_id=f"H{index}"
            )
            account.sign_in(app.test_client())  # enrolment, not timed
            client = app.test_client()

            def whole_sign_in(client=client, account=account) -> None:  # type: ignore[no-untyped-def]
                token = form_token(client)
                client.post(
                    "/auth/login",
                    data={"email": account.email, "password": account.password,
                          "csrf_token": token},
                )  # fmt: skip
                code_token = form_token(client, "/auth/verify")
                response = client.post(
                    "/auth/verify",
                    data={"factor": "totp", "code": account.totp_code(), "csrf_token": code_token},
                )
                assert response.status_code == 302, response.status_code

            _time(sign_in_s, whole_sign_in)
        page_s: list[float] = []
        poll_s: list[float] = []
        for _ in range(pages):
            _time(page_s, lambda: client.get("/auth/account"))
            _time(poll_s, lambda: client.get("/auth/session/status"))
        account_services(app).engine.dispose()
    return {
        "argon2id_hash": latency_summary(hash_s),
        "argon2id_verify": latency_summary(verify_s),
        "whole_sign_in": latency_summary(sign_in_s),
        "signed_in_page": latency_summary(page_s),
        "idle_status_poll": latency_summary(poll_s),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sign-ins", type=int, default=20)
    parser.add_argument("--pages", type=int, default=200)
    args = parser.parse_args()
    results = measure(args.sign_ins, args.pages)
    for name, summary in results.items():
        print(f"{name:18} {json.dumps(summary)}")


if __name__ == "__main__":
    main()
