"""Document generation speed and size: p50/p99 per document type, plus issuing and opening links.

Renders the fixture personas' documents (data from the PAS sandbox generator, in-process) many
times each and reports wall-clock and CPU milliseconds per document (p50, p95, p99, max), PDF
size and page count. Then issues and opens links through ``DocumentService`` on a SQLite file
(render + two inserts; the atomic claim + read). Wall time on a shared machine varies; CPU time
is the steadier figure. With N runs, p99 is the ceil(0.99 N)-th fastest run.

Prints a table and the JSON, and writes the JSON to ``bench/results/documents.json``.

    .venv/bin/python -m bench.documents [--runs 60]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timezone
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bot.db import make_engine
from bot.documents import CertificateHolder, DocumentKind, DocumentRenderer, DocumentService
from bot.migrations import upgrade
from pas_connector.models import Policy, Policyholder
from pas_sandbox.book import Book
from pas_sandbox.personas import add_personas

RESULTS = Path(__file__).resolve().parent / "results" / "documents.json"
HOLDER = CertificateHolder.parse("Riverside Property Management LLC, 12 Main St, Austin, TX")
CASES = [
    ("id_card", "TX auto, 2 vehicles", DocumentKind.ID_CARD, "AUT-1000001"),
    ("id_card", "NY auto, 2 cards", DocumentKind.ID_CARD, "AUT-1000003"),
    ("declarations", "TX auto, 2 vehicles", DocumentKind.DECLARATIONS, "AUT-1000001"),
    ("declarations", "NC home", DocumentKind.DECLARATIONS, "HOM-2000001"),
    ("declarations", "OH renters", DocumentKind.DECLARATIONS, "REN-3000001"),
    ("certificate", "TX auto", DocumentKind.CERTIFICATE, "AUT-1000001"),
    ("certificate", "NY home", DocumentKind.CERTIFICATE, "HOM-2000002"),
]


def percentile(sorted_values: list[float], pct: float) -> float:
    """Nearest-rank percentile of already sorted values."""
    rank = max(1, math.ceil(pct / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def summarise(wall_ms: list[float], cpu_ms: list[float]) -> dict[str, float]:
    wall, cpu = sorted(wall_ms), sorted(cpu_ms)
    return {
        "p50_ms": round(percentile(wall, 50), 1),
        "p95_ms": round(percentile(wall, 95), 1),
        "p99_ms": round(percentile(wall, 99), 1),
        "max_ms": round(wall[-1], 1),
        "cpu_p50_ms": round(percentile(cpu, 50), 1),
        "cpu_p99_ms": round(percentile(cpu, 99), 1),
    }


def timed(runs: int, work: Callable[[], Any]) -> tuple[list[float], list[float], Any]:
    wall: list[float] = []
    cpu: list[float] = []
    result = None
    for _ in range(runs):
        w0, c0 = time.perf_counter(), time.process_time()
        result = work()
        wall.append((time.perf_counter() - w0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    return wall, cpu, result


def persona_data(now: datetime) -> dict[str, tuple[Policyholder, Policy]]:
    book = Book(seed=0, as_of=now.date())
    add_personas(book)
    return {
        number: (
            Policyholder.from_json(book.holders[record.holder_id].to_json()),
            Policy.from_json(record.to_json()),
        )
        for number, record in book.policies.items()
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=60, help="renders per case (default 60)")
    args = parser.parse_args(argv)
    report = measure(args.runs)
    _print_table(report)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2))
    return 0


def render_cases(
    runs: int,
    now: datetime,
    data: dict[str, tuple[Policyholder, Policy]],
    cases: list[tuple[str, str, DocumentKind, str]] = CASES,
) -> tuple[float, list[dict[str, Any]]]:
    """The first render's milliseconds, then each case rendered ``runs`` times (render only)."""
    renderer = DocumentRenderer(clock=lambda: now)
    # One untimed render loads the template registry and warms imports.
    holder, policy = data["AUT-1000001"]
    cold_start = time.perf_counter()
    renderer.render(DocumentKind.ID_CARD, policy, holder)
    cold_ms = (time.perf_counter() - cold_start) * 1000

    rows: list[dict[str, Any]] = []
    for doc_type, case, kind, number in cases:
        holder, policy = data[number]
        wall, cpu, doc = timed(runs, partial(renderer.render, kind, policy, holder,
                                             certificate_holder=HOLDER))  # fmt: skip
        rows.append({
            "document": doc_type, "case": case, "policy": number, "runs": runs,
            **summarise(wall, cpu), "bytes": doc.size_bytes, "pages": doc.page_count,
        })  # fmt: skip
    return cold_ms, rows


def render_only(runs: int, one_case_per_type: bool = False) -> dict[str, Any]:
    """Render-only figures per case (no links, no database): what ``bench.headline`` reports."""
    now = datetime.now(timezone.utc)
    cases = CASES
    if one_case_per_type:
        firsts: dict[str, tuple[str, str, DocumentKind, str]] = {}
        for case in CASES:
            firsts.setdefault(case[0], case)
        cases = list(firsts.values())
    cold_ms, rows = render_cases(runs, now, persona_data(now), cases)
    return {"first_render_ms": round(cold_ms, 1), "documents": rows}


def measure(runs: int = 60) -> dict[str, Any]:
    """Render every case ``runs`` times, then issue and open links; the figures."""
    now = datetime.now(timezone.utc)
    data = persona_data(now)
    cold_ms, rows = render_cases(runs, now, data)

    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.sqlite'}")
        upgrade(engine)
        service = DocumentService(
            engine, "bench-secret", "https://bench.invalid", clock=lambda: now
        )
        holder, policy = data["AUT-1000001"]
        wall, cpu, _ = timed(
            runs,
            lambda: service.issue_link(
                DocumentKind.ID_CARD, policy, holder, conversation_id="bench", channel="sms"
            ),
        )
        issue = {"operation": "issue_link (render + store)", **summarise(wall, cpu)}
        tokens = [
            urlsplit(
                service.issue_link(
                    DocumentKind.ID_CARD, policy, holder, conversation_id="bench", channel="sms"
                ).url
            ).path.removeprefix("/d/")
            for _ in range(runs)
        ]
        pending = iter(tokens)
        wall, cpu, _ = timed(runs, lambda: service.open_link(next(pending)))
        opened = {"operation": "open_link (verify + atomic claim + read)", **summarise(wall, cpu)}
        engine.dispose()

    report = {
        "measured_at": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "first_render_ms": round(cold_ms, 1),
        "documents": rows,
        "links": [issue, opened],
    }
    return report


def _print_table(report: dict[str, Any]) -> None:
    print(f"first render in this process: {report['first_render_ms']} ms")
    head = (f"{'document':<13}{'case':<22}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}{'max ms':>8}"
            f"{'cpu p50':>9}{'bytes':>9}{'pages':>6}")  # fmt: skip
    print(head)
    print("-" * len(head))
    for r in report["documents"]:
        print(f"{r['document']:<13}{r['case']:<22}{r['p50_ms']:>8}{r['p95_ms']:>8}"
              f"{r['p99_ms']:>8}{r['max_ms']:>8}{r['cpu_p50_ms']:>9}{r['bytes']:>9,}"
              f"{r['pages']:>6}")  # fmt: skip
    for link in report["links"]:
        print(f"{link['operation']:<44} p50 {link['p50_ms']} ms, p99 {link['p99_ms']} ms")
    print()


if __name__ == "__main__":
    sys.exit(main())
