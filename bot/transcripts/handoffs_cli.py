"""``policyline handoffs [--json]``: the open handoff queue, for operators' scripts.

    policyline handoffs --json

Reads the application database (``DATABASE_URL``, like every other command). ``--json`` prints
one array, oldest first, each item with ``id`` (the ticket), ``reason``, ``intent``, ``queue``,
``urgent``, ``callback``, ``channel``, ``created_at`` (ISO 8601, UTC), ``summary`` (the handoff
summary object: who, asked, done, left, flags, channel; ``bot.conversation.handoff_summary``) and
``attachments`` (how many files came with it). Without it, one line per item. What people said is
shown redacted, and no conversation id is printed: transcripts stay behind the audited console.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from bot.db import make_engine
from bot.settings import Settings
from bot.transcripts.handoff_queue import HandoffQueue, QueuedHandoff


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``handoffs`` subcommand to the ``policyline`` parser."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "handoffs", help="list the open handoff queue (--json for scripts)"
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(handler=run_handoffs_command)
    return parser


def run_handoffs_command(args: argparse.Namespace, settings: Settings) -> int:
    """Run ``policyline handoffs``."""
    engine = make_engine(settings.database_url)
    try:
        items = HandoffQueue(engine).open_items()
    finally:
        engine.dispose()
    if args.json:
        print(json.dumps([item.as_json() for item in items], indent=2, ensure_ascii=False))
    else:
        for item in items:
            print(_line(item))
        print(f"{len(items)} open handoff(s)")
    return 0


def _line(item: QueuedHandoff) -> str:
    flags = "".join(
        f" [{flag}]"
        for flag, on in (("urgent", item.urgent), ("frustrated", item.brief.frustrated))
        if on
    )
    return (
        f"{item.ticket}  {item.created_at:%Y-%m-%d %H:%M}Z  {item.channel:<7}  "
        f"{item.reason}{flags}  {item.brief.left}"
    )
