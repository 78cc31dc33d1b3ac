"""``policyline staff create --email ADDRESS --role reviewer|supervisor``: a staff web account.

Prints a one-time initial password (random, 120 bits) once; it is stored only as an argon2id
hash. At the first sign-in the staff member must set up an authenticator app before any page
opens (the sign-in flow sends every account without a second factor to enrolment), and should
change the password from the account page.
"""

from __future__ import annotations

import argparse
import secrets
from typing import Any

from bot.accounts.accounts import AccountExists, AccountStore
from bot.accounts.audit import AccountAudit
from bot.accounts.passwords import PasswordHashing
from bot.db import make_engine
from bot.notifications.email_sender import is_plausible_address
from bot.settings import Settings

ROLES = ("reviewer", "supervisor")


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``staff`` subcommand to the ``policyline`` parser."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "staff", help="staff web accounts: create --email ADDRESS --role reviewer|supervisor"
    )
    actions = parser.add_subparsers(dest="staff_command", required=True, metavar="ACTION")
    create = actions.add_parser("create", help="create a staff account and print its password")
    create.add_argument("--email", required=True, help="the staff member's sign-in e-mail")
    create.add_argument("--role", required=True, choices=ROLES)
    create.set_defaults(handler=run_create)
    return parser


def run_create(args: argparse.Namespace, settings: Settings) -> int:
    email = str(args.email).strip().lower()
    if not is_plausible_address(email):
        print(f"error: {args.email!r} is not an e-mail address like name@example.com")
        return 2
    engine = make_engine(settings.database_url)
    try:
        password = secrets.token_urlsafe(15)
        try:
            account = AccountStore(engine).create(
                kind="staff",
                email=email,
                password_hash=PasswordHashing().hash(password),
                roles=frozenset({args.role}),
            )
        except AccountExists:
            print(f"error: an account with the e-mail {email} already exists")
            return 1
        AccountAudit(engine).record("staff_account_created", account.id, f"role={args.role}")
    finally:
        engine.dispose()
    print(f"Staff account created: {email} ({args.role}).")
    print(f"Initial password (shown once): {password}")
    print(f"Sign in at {settings.public_base_url}/auth/login; you'll set up an authenticator")
    print("app before anything else. Then change the password on the account page.")
    return 0
