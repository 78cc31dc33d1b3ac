"""Markdown tables from the suite's structured results, and the goals each figure is held to.

Each benchmark's results become one or more ``Table``s; ``goals`` compares figures with the
reference deployment (docs/architecture.md, "Reference figures": 310 ms average and 780 ms p99
API response; documents "within seconds") and with our own bars (no lost messages), and says met /
missed for each.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    note: str = ""

    def markdown(self) -> str:
        lines = [f"### {self.title}", ""]
        if self.note:
            lines += [self.note, ""]
        lines.append("| " + " | ".join(self.headers) + " |")
        lines.append("|" + "|".join("---" for _ in self.headers) + "|")
        for row in self.rows:
            lines.append("| " + " | ".join("" if v is None else str(v) for v in row) + " |")
        return "\n".join(lines) + "\n"


def end_to_end_tables(r: dict[str, Any]) -> list[Table]:
    pas = r["pas_latency_injected"]
    turns = Table(
        "End-to-end turn latency and throughput",
        [
            "channel",
            "concurrent",
            "conversations",
            "turns",
            "answered",
            "apologies",
            "lost",
            "mean ms",
            "p50 ms",
            "p95 ms",
            "p99 ms",
            "turns/s",
        ],
        note=(
            f"PAS sandbox latency: lognormal median {pas['median_ms']} ms, sigma "
            f"{pas['sigma']}. A turn is timed from the request until the policyholder has the "
            "answer (SMS: the reply in the outbox)."
        ),
    )
    for level in r["levels"]:
        if "error" in level:
            turns.rows.append([level["channel"], level["concurrency"], "failed: " + level["error"]])
            continue
        lat = level["latency"]
        turns.rows.append(
            [
                level["channel"],
                level["concurrency"],
                level["conversations"],
                level["turns"],
                level["answered"],
                level["apologies"],
                level["lost"],
                lat.get("mean_ms"),
                lat.get("p50_ms"),
                lat.get("p95_ms"),
                lat.get("p99_ms"),
                level["throughput_turns_per_s"],
            ]
        )
    reads = r["pas_calls"]["pas_read_latency"]
    case = r["case_study"]
    turns.rows.append(
        [
            "PAS reads seen by the connector (this run)",
            "",
            "",
            reads.get("n"),
            "",
            "",
            "",
            reads.get("mean_ms"),
            reads.get("p50_ms"),
            reads.get("p95_ms"),
            reads.get("p99_ms"),
            "",
        ]
    )
    turns.rows.append(
        [
            "case study: API response",
            "",
            "",
            "",
            "",
            "",
            "",
            case["mean_ms"],
            "",
            "",
            case["p99_ms"],
            "",
        ]
    )
    cache = Table(
        "PAS connector cache under the intent mix (34% documents, 28% payments, 21% claims, "
        "17% coverage)",
        ["operation", "hits", "misses", "stale", "uncached (writes, replica)", "hit ratio"],
    )
    for op, c in r["pas_calls"]["by_operation"].items():
        cache.rows.append([op, c["hit"], c["miss"], c["stale"], c["none"], c["hit_ratio"]])
    cache.rows.append(["all cacheable reads", "", "", "", "", r["pas_calls"]["cache_hit_ratio"]])
    servers = r["servers"]
    procs = Table(
        "Server start time and memory", ["process", "start s", "RSS MB idle", "RSS MB after load"]
    )
    for name, seconds in servers["start_s"].items():
        procs.rows.append(
            [
                name,
                seconds,
                servers["rss_mb_idle"].get(name),
                servers["rss_mb_after_load"].get(name),
            ]
        )
    return [turns, cache, procs]


def connector_tables(r: dict[str, Any]) -> list[Table]:
    table = Table(
        "PAS connector overhead",
        ["case", "p50 ms", "p99 ms", "max ms"],
        note=f"Sandbox latency fixed at {r['injected_latency_ms']} ms, subtracted from misses.",
    )
    for key, label in (
        ("hit", "cache hit (incl. audit row)"),
        ("miss_minus_latency", "cache miss minus PAS latency"),
        ("raw_minus_latency", "bare signed GET minus PAS latency"),
    ):
        s = r[key]
        table.rows.append([label, s["p50_ms"], s["p99_ms"], s["max_ms"]])
    table.rows.append(
        ["connector's own overhead (miss - bare), p50", r["connector_overhead_p50_ms"], "", ""]
    )
    return [table]


def document_tables(r: dict[str, Any]) -> list[Table]:
    table = Table(
        "Document generation",
        ["document", "case", "p50 ms", "p95 ms", "p99 ms", "cpu p50 ms", "bytes", "pages"],
    )
    for d in r["documents"]:
        table.rows.append(
            [
                d["document"],
                d["case"],
                d["p50_ms"],
                d["p95_ms"],
                d["p99_ms"],
                d["cpu_p50_ms"],
                d["bytes"],
                d["pages"],
            ]
        )
    for link in r["links"]:
        table.rows.append(
            [
                link["operation"],
                "",
                link["p50_ms"],
                link["p95_ms"],
                link["p99_ms"],
                link["cpu_p50_ms"],
                "",
                "",
            ]
        )
    return [table]


def channel_tables(r: dict[str, Any]) -> list[Table]:
    table = Table(
        "Channel overhead (in-process, stand-in bot)", ["figure", "p50 ms", "p95 ms", "max ms"]
    )
    table.rows.append(
        [
            f"SMS webhook acknowledgement while turns take {r['bot_s']} s",
            r["sms_ack"]["p50_ms"],
            r["sms_ack"]["p95_ms"],
            r["sms_ack"]["max_ms"],
        ]
    )
    table.rows.append(
        [
            "voice turn overhead (instant bot)",
            r["voice_turn"]["p50_ms"],
            r["voice_turn"]["p95_ms"],
            r["voice_turn"]["max_ms"],
        ]
    )
    table.rows.append(["signature check", round(r["signature_check_us"] / 1000, 3), "", ""])
    return [table]


def training_tables(r: dict[str, Any]) -> list[Table]:
    table = Table("Training time (cold cache)", ["command", "wall s", "model MB"])
    for run in r["runs"]:
        table.rows.append([run["command"], run["wall_s"], run["model_mb"]])
    return [table]


def nlu_tables(r: dict[str, Any]) -> list[Table]:
    keys = (
        "examples",
        "intent_accuracy",
        "intent_macro_f1",
        "fallback_rate",
        "entity_f1",
        "train_seconds",
        "parse_ms_p50",
        "parse_ms_p95",
    )
    return [Table("NLU held-out evaluation", ["figure", "value"], [[k, r.get(k)] for k in keys])]


def seed_tables(r: dict[str, Any]) -> list[Table]:
    table = Table("PAS sandbox seeding", ["metric", "value", "cpu s"])
    for record in r["metrics"]:
        table.rows.append([record["metric"], record["value"], record.get("cpu_s", "")])
    return [table]


def metric_records_tables(title: str) -> Callable[[dict[str, Any]], list[Table]]:
    """A table for benchmarks that return ``{"metrics": [{"metric", "value", ...}, ...]}``."""

    def tables(r: dict[str, Any]) -> list[Table]:
        extras = sorted({k for rec in r["metrics"] for k in rec} - {"bench", "metric", "value"})
        table = Table(title, ["metric", "value", *extras])
        for rec in r["metrics"]:
            table.rows.append([rec["metric"], rec["value"], *(rec.get(k, "") for k in extras)])
        return [table]

    return tables


TABLES: dict[str, Callable[[dict[str, Any]], list[Table]]] = {
    "end_to_end": end_to_end_tables,
    "connector": connector_tables,
    "documents": document_tables,
    "channels": channel_tables,
    "training": training_tables,
    "nlu": nlu_tables,
    "sandbox_seed": seed_tables,
    "claim_alerts": metric_records_tables("Claim alert throughput"),
}


def _verdict(ok: bool) -> str:
    return "met" if ok else "missed"


def goals(results: dict[str, dict[str, Any]]) -> Table:
    """Each goal, the figure measured against it, and whether it is met."""
    table = Table("Goals", ["goal", "measured", "verdict"])
    e2e = results.get("end_to_end")
    if e2e and "error" not in e2e:
        case = e2e["case_study"]
        for level in e2e["levels"]:
            if "error" in level:
                continue
            lat = level["latency"]
            label = f"{level['channel']} x{level['concurrency']}"
            if lat.get("n"):
                table.rows.append(
                    [
                        f"{label}: turn mean <= {case['mean_ms']:.0f} ms (case study API average)",
                        f"{lat['mean_ms']} ms",
                        _verdict(lat["mean_ms"] <= case["mean_ms"]),
                    ]
                )
                table.rows.append(
                    [
                        f"{label}: turn p99 <= {case['p99_ms']:.0f} ms (case study API p99)",
                        f"{lat['p99_ms']} ms",
                        _verdict(lat["p99_ms"] <= case["p99_ms"]),
                    ]
                )
            table.rows.append(
                [f"{label}: no message lost", f"{level['lost']} lost", _verdict(level["lost"] == 0)]
            )
    if e2e and "error" not in e2e:
        reads = e2e["pas_calls"]["pas_read_latency"]
        if reads.get("n"):
            case = e2e["case_study"]
            table.rows.append(
                [
                    "PAS read through the connector (cache miss): mean <= "
                    f"{case['mean_ms']:.0f} ms (case study API average)",
                    f"{reads['mean_ms']} ms",
                    _verdict(reads["mean_ms"] <= case["mean_ms"]),
                ]
            )
            table.rows.append(
                [
                    f"PAS read through the connector (cache miss): p99 <= "
                    f"{case['p99_ms']:.0f} ms (case study API p99)",
                    f"{reads['p99_ms']} ms",
                    _verdict(reads["p99_ms"] <= case["p99_ms"]),
                ]
            )
    docs = results.get("documents")
    if docs and "error" not in docs:
        worst = max(d["p99_ms"] for d in docs["documents"])
        table.rows.append(
            [
                "documents: PDF 'within seconds' (p99 <= 2000 ms, slowest type)",
                f"{worst} ms",
                _verdict(worst <= 2000),
            ]
        )
    channels = results.get("channels")
    if channels and "error" not in channels:
        ack = channels["sms_ack"]["p95_ms"]
        table.rows.append(
            [
                "SMS: Twilio gets its acknowledgement fast (p95 <= 1000 ms) while turns are slow",
                f"{ack} ms",
                _verdict(ack <= 1000),
            ]
        )
    return table
