"""``policyline outcomes sweep-abandoned``: record tasks people walked away from (``abandonment``).

    policyline outcomes sweep-abandoned [--idle-minutes 15] [--lookback-hours 48]

Reads the tracker store (``TRACKER_DATABASE_URL``) and writes ``task_outcomes`` in the application
database (``DATABASE_URL``). Safe to run as often as you like (nothing is recorded twice); run it
every few minutes from cron or a systemd timer so the containment dashboard counts abandoned
tasks. Prints how many tasks it recorded, by intent (no conversation ids, no personal data).
"""

from __future__ import annotations

import argparse
from collections import Counter
from datetime import timedelta
from typing import Any

from bot.clock import utc_now
from bot.db import make_engine
from bot.settings import Settings
from bot.transcripts.abandonment import DEFAULT_IDLE, DEFAULT_LOOKBACK, sweep_abandoned


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``outcomes`` subcommand to the ``policyline`` parser."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "outcomes", help="task outcome upkeep: sweep-abandoned"
    )
    actions = parser.add_subparsers(dest="outcomes_command", required=True, metavar="ACTION")
    sweep = actions.add_parser(
        "sweep-abandoned",
        help="record an 'abandoned' outcome for tasks left open in idle conversations",
    )
    sweep.add_argument(
        "--idle-minutes",
        type=_positive,
        default=int(DEFAULT_IDLE.total_seconds() // 60),
        help="a conversation this long without activity is over (default: 15)",
    )
    sweep.add_argument(
        "--lookback-hours",
        type=_positive,
        default=int(DEFAULT_LOOKBACK.total_seconds() // 3600),
        help="only conversations last active this recently are read (default: 48)",
    )
    parser.set_defaults(handler=run_outcomes_command)
    return parser


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from exc
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def run_outcomes_command(args: argparse.Namespace, settings: Settings) -> int:
    """Run ``policyline outcomes ACTION``."""
    idle = timedelta(minutes=args.idle_minutes)
    lookback = timedelta(hours=args.lookback_hours)
    if lookback <= idle:
        print("error: --lookback-hours must reach further back than --idle-minutes")
        return 2
    tracker = make_engine(settings.tracker_database_url)
    app = make_engine(settings.database_url)
    try:
        recorded = sweep_abandoned(
            tracker,
            app,
            hash_key=settings.audit_hash_key,
            now=utc_now(),
            idle=idle,
            lookback=lookback,
        )
    finally:
        tracker.dispose()
        app.dispose()
    by_intent = Counter(task.intent for task in recorded)
    print(f"recorded {len(recorded)} abandoned task(s)")
    for intent, count in sorted(by_intent.items()):
        print(f"  {intent}: {count}")
    return 0
