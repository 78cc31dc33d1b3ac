"""Look for fixture personas' personal data where it must never be: logs and stored transcripts.

What is searched for (``fixture_pii``): each documented persona's date of birth in the forms
people type and software prints (1985-04-12, 04/12/1985, 4/12/1985, 04121985, April 12, 1985,
Apr 12 1985), each full policy number (AUT-1000001, AUT1000001, AUT 1000001) and the payment
card numbers the tests and Stripe's test mode use (plain, spaced, dashed).

Where (``scan``): every text file under the given folders (server logs under
test-artifacts/logs/), and every Rasa tracker store given (SQLite files or a PostgreSQL URL):
the ``data`` of each stored event, which is the conversation transcript. Findings name the
source, the line or event and the kind of data, never the value itself.

    python -m tests.security.pii_scan [--since-minutes N] [--tracker URL_OR_FILE ...] [DIR ...]

exits 1 when anything is found (for CI after a full test run).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import create_engine, inspect, text

from pas_sandbox.personas import personas_json

PROJECT_ROOT = Path(__file__).resolve().parents[2]
LOG_ROOT = PROJECT_ROOT / "test-artifacts" / "logs"
# Stripe test-mode cards and the numbers our tests type into chats and pay pages.
CARD_NUMBERS = (
    "4242424242424242",
    "4111111111111111",
    "4000000000000341",
    "5555555555554444",
    "4000056655665556",
    "5105105105105100",
    "378282246310005",
    "6011111111111117",
    "4000000000000002",
    "4000000000009995",
)
MAX_FILE_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class Pattern:
    kind: str  # "date of birth" | "policy number" | "card number"
    owner: str  # whose (persona name) or "test card"
    regex: re.Pattern[str]


@dataclass(frozen=True)
class Finding:
    source: str
    where: str
    kind: str
    owner: str

    def __str__(self) -> str:
        return f"{self.source} {self.where}: {self.kind} of {self.owner}"


def _dob_forms(d: date) -> list[str]:
    month, month_abbr = d.strftime("%B"), d.strftime("%b")
    return [
        d.isoformat(),
        d.strftime("%m/%d/%Y"),
        f"{d.month}/{d.day}/{d.year}",
        d.strftime("%m%d%Y"),
        f"{d.month}-{d.day}-{d.year}",
        d.strftime("%m-%d-%Y"),
        f"{month} {d.day}, {d.year}",
        f"{month} {d.day} {d.year}",
        f"{month_abbr} {d.day}, {d.year}",
        f"{month_abbr} {d.day} {d.year}",
        f"{d.day} {month} {d.year}",
    ]


def _bounded(alternatives: Iterable[str]) -> re.Pattern[str]:
    body = "|".join(re.escape(a) for a in sorted(set(alternatives), key=len, reverse=True))
    return re.compile(rf"(?<![0-9A-Za-z])(?:{body})(?![0-9])", re.IGNORECASE)


def fixture_pii() -> list[Pattern]:
    patterns = []
    for persona in personas_json():
        name = str(persona["name"])
        dob = date.fromisoformat(str(persona["date_of_birth"]))
        patterns.append(Pattern("date of birth", name, _bounded(_dob_forms(dob))))
        prefix, digits = str(persona["policy_number"]).split("-")
        patterns.append(
            Pattern(
                "policy number",
                name,
                _bounded([f"{prefix}-{digits}", f"{prefix}{digits}", f"{prefix} {digits}"]),
            )
        )
    cards = []
    for number in CARD_NUMBERS:
        groups = [number[i : i + 4] for i in range(0, len(number), 4)]
        cards += [number, " ".join(groups), "-".join(groups)]
    patterns.append(Pattern("card number", "test card", _bounded(cards)))
    return patterns


def _match(patterns: list[Pattern], line: str) -> Iterator[Pattern]:
    for pattern in patterns:
        if pattern.regex.search(line):
            yield pattern


def scan_files(roots: Iterable[Path], patterns: list[Pattern], since: float = 0.0) -> list[Finding]:
    """Every text file under ``roots`` modified after ``since`` (Unix time)."""
    findings = []
    for root in roots:
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for path in files:
            stat = path.stat()
            if stat.st_mtime < since or stat.st_size > MAX_FILE_BYTES:
                continue
            if path.suffix in (".sqlite", ".db", ".pdf", ".gz"):
                continue
            content = path.read_text(errors="replace")
            for number, line in enumerate(content.splitlines(), start=1):
                for pattern in _match(patterns, line):
                    findings.append(
                        Finding(
                            str(
                                path.relative_to(PROJECT_ROOT)
                                if path.is_relative_to(PROJECT_ROOT)
                                else path
                            ),
                            f"line {number}",
                            pattern.kind,
                            pattern.owner,
                        )
                    )
    return findings


def scan_tracker(url: str, patterns: list[Pattern]) -> list[Finding]:
    """The stored events of a Rasa SQL tracker store (``sqlite:///...`` or ``postgresql://...``)."""
    engine = create_engine(url)
    findings = []
    try:
        if "events" not in inspect(engine).get_table_names():
            return []
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT id, type_name, data FROM events")).all()
        for event_id, type_name, data in rows:
            for pattern in _match(patterns, data or ""):
                findings.append(
                    Finding(
                        url.rsplit("/", 1)[-1],
                        f"event {event_id} ({type_name})",
                        pattern.kind,
                        pattern.owner,
                    )
                )
    finally:
        engine.dispose()
    return findings


def persona_verifications(url: str) -> int:
    """Conversations in which a fixture persona was verified (their ``holder_id`` slot set).

    Each of them means the persona's date of birth was typed into that conversation, so the
    tracker scan has something to find unless it was redacted before storage.
    """
    holder_ids = {str(p["holder_id"]) for p in personas_json()}
    engine = create_engine(url)
    try:
        if "events" not in inspect(engine).get_table_names():
            return 0
        with engine.connect() as conn:
            rows = conn.execute(
                text("SELECT sender_id, data FROM events WHERE type_name = 'slot'")
            ).all()
    finally:
        engine.dispose()
    found = set()
    for sender_id, data in rows:
        event = json.loads(data or "{}")
        if event.get("name") == "holder_id" and event.get("value") in holder_ids:
            found.add(sender_id)
    return len(found)


def tracker_stores(roots: Iterable[Path]) -> list[str]:
    """SQLite tracker stores (``rasa_tracker.sqlite``) under ``roots``."""
    return [f"sqlite:///{p}" for root in roots for p in sorted(root.rglob("rasa_tracker.sqlite"))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dirs", nargs="*", type=Path, default=[LOG_ROOT])
    parser.add_argument(
        "--tracker",
        action="append",
        default=[],
        help="a tracker store: SQLite file or database URL (repeatable)",
    )
    parser.add_argument(
        "--since-minutes", type=float, default=0.0, help="only files modified in the last N minutes"
    )
    args = parser.parse_args(argv)
    patterns = fixture_pii()
    since = time.time() - args.since_minutes * 60 if args.since_minutes else 0.0
    findings = scan_files([d for d in args.dirs if d.exists()], patterns, since)
    for tracker in args.tracker:
        url = tracker if "://" in tracker else f"sqlite:///{Path(tracker).resolve()}"
        findings += scan_tracker(url, patterns)
    for finding in findings:
        print(finding)
    print(f"{len(findings)} finding(s)")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
