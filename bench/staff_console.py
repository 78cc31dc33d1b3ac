"""Staff console at contact-centre scale: conversation list, filters, transcript, dashboard, export.

Writes a month of conversations (default 20,000 — the reference deployment's 18,000 contacts a
month, and a bit) into a tracker database in exactly the rows Rasa 3.6's ``SQLTrackerStore`` writes
(Rasa's own event classes, ``as_dict()`` and ``json.dumps``, into the table the store creates), plus
one task outcome per conversation (category mix from the reference deployment, docs/architecture.md:
documents 34 %, payments 28 %, claims 21 %, coverage 17 %; a third of holders come back within
days). Then times the console's queries through ``bot.transcripts`` (the same calls the views make),
each several times:

- list page 1 (no filter, newest first; the whole table is grouped), last 7 days, an intent,
  verified only, handoffs only, a word search;
- one transcript; the containment report for 30 days by day;
- CSV export of 7 days of conversations (rows per second, streamed).

SQLite by default; ``--postgres-url`` also runs it on PostgreSQL (an empty database).

    .venv/bin/python -m bench.staff_console [--conversations 20000] [--postgres-url URL]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Engine

import bot.conversation.handoff
import bot.transcripts.audit  # noqa: F401  (declare the tables)
from bench.stats import latency_summary
from bot.conversation.outcomes import Outcome, category_of, task_outcomes
from bot.db import make_engine
from bot.keyed_digest import pseudonym
from bot.migrations import upgrade
from bot.transcripts.containment import Bucketing, containment_report
from bot.transcripts.conversations import ConversationArchive, ConversationFilter
from bot.transcripts.export import CONVERSATION_COLUMNS, conversation_rows, csv_lines
from bot.transcripts.tracker_events import events

RESULTS = Path(__file__).resolve().parent / "results" / "staff_console.json"
END = datetime(2026, 11, 25, 23, 0, tzinfo=timezone.utc)
DAYS = 30
INTENTS = {
    "documents": ["request_id_card", "request_declarations", "request_certificate"],
    "payments": ["check_balance", "make_payment", "autopay_enroll", "payment_history"],
    "claims": ["claim_status"],
    "coverage": ["coverage_question", "policy_summary"],
}
MIX = [("documents", 0.34), ("payments", 0.28), ("claims", 0.21), ("coverage", 0.17)]
CONTAIN = {"documents": 0.9, "payments": 0.78, "claims": 0.62, "coverage": 0.15}
CHANNELS = [
    ("sms", "twilio_sms", 0.45),
    ("voice", "twilio_voice", 0.3),
    ("webchat", "socketio", 0.25),
]


def _pick(rng: random.Random, weighted: list[tuple[Any, ...]]) -> tuple[Any, ...]:
    roll, total = rng.random(), 0.0
    for item in weighted:
        total += item[-1]
        if roll <= total:
            return item
    return weighted[-1]


def _conversation_events(
    rng: random.Random, start: float, channel: tuple[str, str, float], intent: str, verified: bool
) -> list[Any]:
    from rasa.shared.core.events import (
        ActionExecuted,
        BotUttered,
        SessionStarted,
        SlotSet,
        UserUttered,
    )

    name, input_channel, _ = channel
    meta = {"channel": name}
    t = start
    out: list[Any] = [
        ActionExecuted("action_session_start", timestamp=t),
        SessionStarted(timestamp=t),
        ActionExecuted("action_listen", timestamp=t),
    ]

    def user(text: str, intent_name: str) -> None:
        nonlocal t
        t += rng.uniform(5, 40)
        out.append(
            UserUttered(
                text,
                intent={"name": intent_name, "confidence": 0.95},
                timestamp=t,
                input_channel=input_channel,
                metadata=meta,
            )
        )

    def bot(text: str) -> None:
        nonlocal t
        t += rng.uniform(0.5, 2)
        out.append(ActionExecuted("utter_x", timestamp=t))
        out.append(BotUttered(text, data={}, timestamp=t))
        out.append(ActionExecuted("action_listen", timestamp=t))

    user("hi", "greet")
    bot("Hi! How can I help?")
    user(f"I need help with {intent.replace('_', ' ')}", intent)
    bot("Sure. What's your policy number?")
    user(f"AUT-{rng.randint(1000000, 9999999)}", "inform")
    if verified:
        out.append(SlotSet("assurance", "verified", timestamp=t + 1))
    bot("Thanks, here you go.")
    user("thanks", "thank")
    return out


def populate(tracker: Engine, app: Engine, conversations: int, seed: int = 7) -> None:
    """Write ``conversations`` conversations and their outcomes."""
    rng = random.Random(seed)
    holders = [f"H{n:07d}" for n in range(max(1, conversations // 3))]
    rows: list[dict[str, Any]] = []
    outcome_rows: list[dict[str, Any]] = []
    first = END - timedelta(days=DAYS)
    for n in range(conversations):
        start = first + timedelta(seconds=rng.uniform(0, DAYS * 86400))
        category = _pick(rng, MIX)[0]
        intent = rng.choice(INTENTS[category])
        channel = _pick(rng, CHANNELS)
        verified = rng.random() < 0.7
        sender = f"{channel[0]}-{n:08d}"
        for event in _conversation_events(rng, start.timestamp(), channel, intent, verified):
            data = event.as_dict()
            rows.append(
                {
                    "sender_id": sender,
                    "type_name": event.type_name,
                    "timestamp": data.get("timestamp"),
                    "intent_name": data.get("parse_data", {}).get("intent", {}).get("name"),
                    "action_name": data.get("name"),
                    "data": json.dumps(data),
                }
            )
        contained = rng.random() < CONTAIN[category]
        outcome = (
            Outcome.CONTAINED
            if contained
            else rng.choice([Outcome.HANDOFF, Outcome.ABANDONED, Outcome.FAILED])
        )
        outcome_rows.append(
            {
                "id": f"o{n:09d}",
                "conversation_id": sender,
                "channel": channel[0],
                "intent": intent,
                "category": category_of(intent).value,
                "outcome": outcome.value,
                "reason": None,
                "holder_hash": pseudonym("bench", "holder", rng.choice(holders))
                if verified
                else None,
                "at": start + timedelta(minutes=3),
            }
        )
        if len(rows) > 20_000:
            with tracker.begin() as conn:
                conn.execute(insert(events), rows)
            rows = []
    if rows:
        with tracker.begin() as conn:
            conn.execute(insert(events), rows)
    with app.begin() as conn:
        conn.execute(insert(task_outcomes), outcome_rows)


def _count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(events)).scalar_one())


def _timed(fn: Callable[[], Any], runs: int) -> dict[str, float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return latency_summary(samples)


def _measure_backend(
    tracker_url: str, app_url: str, conversations: int, runs: int
) -> dict[str, Any]:
    from rasa.core.tracker_store import SQLTrackerStore

    # Let Rasa create its own table (and index) exactly as a Rasa server would.
    if tracker_url.startswith("sqlite"):
        store = SQLTrackerStore(dialect="sqlite", db=tracker_url.split("///", 1)[1])
    else:
        store = SQLTrackerStore(host=tracker_url)  # Rasa takes a whole URL as the host
    store.engine.dispose()
    tracker, app = make_engine(tracker_url), make_engine(app_url)
    upgrade(app)
    started = time.perf_counter()
    populate(tracker, app, conversations)
    populate_s = time.perf_counter() - started
    archive = ConversationArchive(tracker, app)
    week = ConversationFilter(since=END - timedelta(days=7))
    some_id = archive.page(ConversationFilter(), per_page=1).items[0].conversation_id
    results: dict[str, Any] = {
        "conversations": conversations,
        "events": _count(tracker),
        "populate_s": round(populate_s, 1),
        "list_all": _timed(lambda: archive.page(ConversationFilter()), runs),
        "list_last_7_days": _timed(lambda: archive.page(week), runs),
        "list_intent": _timed(
            lambda: archive.page(ConversationFilter(intent="claim_status")), runs
        ),
        "list_verified": _timed(lambda: archive.page(ConversationFilter(verified=True)), runs),
        "list_handoffs": _timed(
            lambda: archive.page(ConversationFilter(outcome=Outcome.HANDOFF)), runs
        ),
        "list_search_word": _timed(
            lambda: archive.page(ConversationFilter(search="declarations")), runs
        ),
        "transcript": _timed(lambda: archive.transcript(some_id), runs),
        "containment_30_days": _timed(
            lambda: containment_report(
                app, (END - timedelta(days=DAYS)).date(), END.date(), Bucketing.DAY, now=END
            ),
            runs,
        ),
    }
    started = time.perf_counter()
    count = sum(1 for _ in csv_lines(CONVERSATION_COLUMNS, conversation_rows(archive, week))) - 1
    elapsed = time.perf_counter() - started
    results["export_7_days"] = {
        "rows": count,
        "seconds": round(elapsed, 2),
        "rows_per_s": round(count / elapsed),
    }
    report = containment_report(
        app, (END - timedelta(days=DAYS)).date(), END.date(), Bucketing.WEEK, now=END
    )
    results["containment_overall"] = round(report.overall.rate or 0, 3)
    results["repeat_contacts"] = report.overall.repeat_contacts
    tracker.dispose()
    app.dispose()
    return results


def measure(
    conversations: int = 20_000, runs: int = 5, postgres_url: str | None = None
) -> dict[str, Any]:
    """Figures on SQLite (a temporary folder) and, when given, on PostgreSQL."""
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        out["sqlite"] = _measure_backend(
            f"sqlite:///{tmp}/tracker.sqlite", f"sqlite:///{tmp}/app.sqlite", conversations, runs
        )
    if postgres_url:
        out["postgresql"] = _measure_backend(postgres_url, postgres_url, conversations, runs)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--conversations", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--postgres-url", default=None, help="an empty PostgreSQL database")
    args = parser.parse_args(argv)
    results = measure(args.conversations, args.runs, args.postgres_url)
    text = json.dumps(results, indent=2)
    print(text)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
