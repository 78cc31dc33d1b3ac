"""``policyline db upgrade|current|revision``: the application database's schema.

Run ``upgrade`` once before the processes start: on every deployment (a release step, see
docs/deployment.md) and before ``policyline run`` starts the local stack (it does so itself).
"""

from __future__ import annotations

import argparse
from typing import Any

from sqlalchemy.engine import make_url

from bot.migrations import current_revision, head_revision, new_revision, upgrade
from bot.settings import Settings


def add_parser(sub: Any) -> None:
    """Register ``db`` on the ``policyline`` subcommand parser."""
    parser = sub.add_parser("db", help="the application database: upgrade | current")
    actions = parser.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    actions.add_parser("upgrade", help="create or migrate every application table (idempotent)")
    actions.add_parser("current", help="the schema revision of the database and the newest one")
    revision = actions.add_parser(
        "revision", help="write a new migration from the models' changes (development)"
    )
    revision.add_argument("--message", "-m", required=True, help="what the revision changes")
    parser.set_defaults(handler=run_db_command)


def database_label(database_url: str) -> str:
    """The URL without its password, for output."""
    return str(make_url(database_url).render_as_string(hide_password=True))


def run_db_command(args: argparse.Namespace, settings: Settings) -> int:
    """Run ``policyline db ACTION``; the exit code."""
    label = database_label(settings.database_url)
    if args.db_command == "upgrade":
        upgrade(settings.database_url)
        print(f"{label}: schema at {current_revision(settings.database_url)} (newest)")
        return 0
    if args.db_command == "revision":
        new_revision(settings.database_url, args.message)
        return 0
    current = current_revision(settings.database_url)
    head = head_revision()
    print(f"{label}: schema at {current or 'nothing (run `policyline db upgrade`)'}; newest {head}")
    return 0 if current == head else 1
