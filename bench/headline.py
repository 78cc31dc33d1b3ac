"""The one table of ``make bench``: every figure of issue 21, measured in one run on one stack.

Starts the real stack once (``bench.processes.BenchStack``: PAS sandbox, action server, Rasa
server, web app), sets the sandbox's latency explicitly to the carrier API's shape (lognormal,
median 282 ms, sigma 0.438: ``bench.end_to_end.PAS_LATENCY``), then, in this order:

1. simple turns (greet, thanks, "are you a bot?", bye: no PAS) through Rasa's REST channel at 1,
   10 and 50 concurrent conversations;
2. the PAS-backed intent mix (34% documents, 28% payments, 21% claims, 17% coverage hand-offs;
   every policyholder verifies) through the same channel at the same levels;
3. the realistic load model: 50 concurrent conversations of the mix, each person thinking 3-8 s
   before each turn;
4. one policyholder at a time, per task (balance, payment history, claim status, ID card, dec
   page, certificate, autopay status): the turns until the verified answer (cold cache: a
   policyholder not seen before), then the same task again in the same conversation (warm); the
   sandbox's own request counter (``GET /_sandbox/stats``) read before and after every turn gives
   the PAS API calls each phase made, as the carrier's API would count them;
5. the sandbox's own round trip: signed GETs straight to it, no connector;
6. SMS (signed Twilio webhook until the reply is in the outbox) and voice (signed webhook until
   the TwiML answer, holds followed) turns of the mix;
7. after the stack is stopped: PDF render only, per document type, in this process.

Server start time and memory come from the same start; training time only with
``--with-training`` (``bench.training_time``). ``keys`` flattens the figures into the names
``bench/results/latest.json`` carries; ``table`` is the printed table.
"""

from __future__ import annotations

import asyncio
import functools
import sqlite3
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import httpx

from bench.channel_clients import (
    ChannelClient,
    OutboxWatcher,
    RestClient,
    SmsClient,
    TurnFailed,
    VoiceClient,
)
from bench.end_to_end import PAS_LATENCY, POLICYHOLDERS, TURN_TIMEOUT_S
from bench.load_driver import asks_for_code, classify, drive, next_user_turn
from bench.population import SANDBOX_SEED, Persona, Script, personas, scripts
from bench.processes import BenchStack
from bench.report import Table
from bench.stats import latency_summary
from bot.db import make_engine
from bot.settings import LOCAL_SECRETS
from pas_sandbox.book import Book
from pas_sandbox.dataset import generate
from pas_sandbox.signing import sign_headers

LEVELS = (1, 10, 50)
SIMPLE_OPENER = "hi"
SIMPLE_FOLLOW_UPS = ("thanks", "are you a bot?", "thank you", "bye")
THINK_S = (3.0, 8.0)
THINK_CONCURRENCY = 50
TASK_POOL = 400  # policyholders set aside for the per-task runs (enough with a claim)
# One opener per task the issue counts PAS calls for; verification is every task's first phase.
TASKS: dict[str, str] = {
    "balance": "what's my balance",
    "payment history": "show my payment history",
    "claim status": "what's the status of my claim",
    "ID card": "I need my ID card",
    "dec page": "can you send my declarations page",
    "certificate": "I need a certificate of insurance",
    "autopay status": "am i on autopay",
}
DOCUMENT_TASKS = {"ID card": "id_card", "dec page": "declarations", "certificate": "certificate"}
# What the certificate form asks after verification, and what the policyholder answers.
CERTIFICATE_ANSWERS = (
    ("made out to", "Riverside Property Management LLC"),
    ("mailing address? (street", "12 Main St, Austin, TX 78701"),
)


@dataclass(frozen=True)
class Plan:
    """How many of each sample one run takes (``QUICK`` fits ``make bench-quick``)."""

    simple: dict[int, int]  # concurrency -> conversations (5 turns each)
    mix: dict[int, int]  # concurrency -> conversations
    think_conversations: int
    task_samples: int  # per non-document task
    document_samples: int  # per document task
    channel_conversations: int  # each of SMS and voice
    channel_concurrency: int
    round_trips: int
    pdf_runs: int  # renders per document case
    pdf_all_cases: bool  # every case of docs/benchmarks (else the first case of each type)
    time_limit_s: float  # per load level: no new conversation after this


FULL = Plan(
    simple={1: 20, 10: 60, 50: 150},
    mix={1: 12, 10: 40, 50: 100},
    think_conversations=150,
    task_samples=4,
    document_samples=8,
    channel_conversations=16,
    channel_concurrency=4,
    round_trips=300,
    pdf_runs=40,
    pdf_all_cases=True,
    time_limit_s=180,
)
QUICK = Plan(
    simple={1: 2, 10: 10, 50: 50},
    mix={1: 3, 10: 10, 50: 50},
    think_conversations=50,
    task_samples=1,
    document_samples=1,
    channel_conversations=4,
    channel_concurrency=4,
    round_trips=40,
    pdf_runs=6,
    pdf_all_cases=False,
    time_limit_s=45,
)


# --- the PAS calls the sandbox saw --------------------------------------------------------------


def request_counts(stats: dict[str, Any]) -> Counter[str]:
    """``GET /_sandbox/stats`` as a counter of requests per route (every status)."""
    return Counter(
        {route: sum(by_status.values()) for route, by_status in stats["requests"].items()}
    )


class SandboxCounter:
    """Reads the sandbox's request counter; ``since`` gives the calls after a snapshot."""

    def __init__(self, http: httpx.AsyncClient, base_url: str, admin_token: str) -> None:
        self._http, self._url = http, base_url + "/_sandbox/stats"
        self._headers = {"X-Sandbox-Admin": admin_token}

    async def snapshot(self) -> Counter[str]:
        response = await self._http.get(self._url, headers=self._headers, timeout=10)
        response.raise_for_status()
        return request_counts(response.json())

    async def since(self, before: Counter[str]) -> Counter[str]:
        return await self.snapshot() - before


# --- one policyholder, one task at a time -------------------------------------------------------


@dataclass
class TaskSample:
    """One conversation: the first ask (verification turns, then the verified answer) and the
    same task asked again."""

    task: str
    verification_calls: Counter[str] = field(default_factory=Counter)
    answer_calls: Counter[str] = field(default_factory=Counter)
    answer_s: float | None = None
    answer_outcome: str = ""
    second_calls: Counter[str] = field(default_factory=Counter)
    second_s: float | None = None
    turns: int = 0

    @property
    def first_calls(self) -> int:
        return sum(self.verification_calls.values()) + sum(self.answer_calls.values())


def certificate_answer(texts: Sequence[str]) -> str | None:
    last = " ".join(texts).lower()
    for question, answer in CERTIFICATE_ANSWERS:
        if question in last:
            return answer
    return None


async def _ask(
    client: ChannelClient,
    counter: SandboxCounter,
    conversation: Any,
    opener: str,
    max_turns: int = 8,
) -> list[tuple[float, str, Counter[str]]]:
    """Send ``opener`` and answer what is asked until nothing is: (seconds, outcome, calls)."""
    turns: list[tuple[float, str, Counter[str]]] = []
    text: str | None = opener
    persona = conversation.script.persona
    while text is not None and len(turns) < max_turns:
        before = await counter.snapshot()
        reply = await client.turn(conversation, text)
        turns.append((reply.latency_s, classify(reply.texts), await counter.since(before)))
        text = certificate_answer(reply.texts) or next_user_turn(reply.texts, persona, client.keyed)
        if text is None and asks_for_code(reply.texts):
            text = await client.one_time_code(conversation)
    return turns


async def task_sample(
    client: ChannelClient, counter: SandboxCounter, task: str, persona: Persona
) -> TaskSample:
    sample = TaskSample(task)
    conversation = await client.start(Script(persona, task, TASKS[task]))
    first = await _ask(client, counter, conversation, TASKS[task])
    for _, _, calls in first[:-1]:
        sample.verification_calls += calls
    sample.answer_s, sample.answer_outcome, sample.answer_calls = first[-1]
    second = await _ask(client, counter, conversation, TASKS[task])
    sample.second_s = second[-1][0]
    for _, _, calls in second:
        sample.second_calls += calls
    sample.turns = len(first) + len(second)
    await client.finish(conversation)
    return sample


@functools.lru_cache(maxsize=1)
def _book(as_of: date) -> Book:
    """The sandbox's book (same seed and size), generated once per run for both uses."""
    return generate(SANDBOX_SEED, POLICYHOLDERS, as_of)


def task_personas(pool: Sequence[Persona], as_of: date) -> dict[str, Iterator[Persona]]:
    """Per task, policyholders it makes sense for: an auto policy for an ID card, a policy with
    a claim for claim status; every other task takes the next policyholder."""
    book = _book(as_of)
    with_claims = {c.policy_number for c in book.claims.values()}
    ordered = list(pool)
    used: set[str] = set()

    def matching(test: Any) -> Iterator[Persona]:
        for persona in ordered:
            if persona.holder_id not in used and test(persona):
                used.add(persona.holder_id)
                yield persona

    return {
        "ID card": matching(lambda p: p.policy_number.startswith("AUT-")),
        "claim status": matching(lambda p: p.policy_number in with_claims),
        **{t: matching(lambda p: True) for t in TASKS if t not in ("ID card", "claim status")},
    }


def task_figures(samples: Sequence[TaskSample]) -> dict[str, Any]:
    """Per task: PAS API calls in each phase (means), latencies; and over all tasks."""
    by_task: dict[str, Any] = {}
    for task in TASKS:
        mine = [s for s in samples if s.task == task and s.answer_s is not None]
        if not mine:
            continue
        routes: Counter[str] = Counter()
        for s in mine:
            routes += s.verification_calls + s.answer_calls
        by_task[task] = {
            "samples": len(mine),
            "verification_calls": _mean(sum(s.verification_calls.values()) for s in mine),
            "answer_calls": _mean(sum(s.answer_calls.values()) for s in mine),
            "first_task_calls": _mean(s.first_calls for s in mine),
            "second_task_calls": _mean(sum(s.second_calls.values()) for s in mine),
            "first_task_routes": {r: round(n / len(mine), 2) for r, n in sorted(routes.items())},
            "answer": latency_summary([s.answer_s for s in mine if s.answer_s is not None]),
            "second": latency_summary([s.second_s for s in mine if s.second_s is not None]),
            "outcomes": dict(Counter(s.answer_outcome for s in mine)),
        }
    answered = [s for s in samples if s.answer_s is not None]
    return {
        "by_task": by_task,
        "verified_answer_cold": latency_summary(
            [s.answer_s for s in answered if s.answer_s is not None]
        ),
        "verified_answer_warm": latency_summary(
            [s.second_s for s in answered if s.second_s is not None]
        ),
        "pas_calls_per_verified_answer": _mean(s.first_calls for s in answered),
        "pas_calls_per_second_task": _mean(sum(s.second_calls.values()) for s in answered),
        "verification_calls": _mean(sum(s.verification_calls.values()) for s in answered),
    }


def _mean(values: Any) -> float | None:
    values = list(values)
    return round(statistics.fmean(values), 2) if values else None


# --- the sandbox's own round trip ---------------------------------------------------------------


async def round_trips(
    http: httpx.AsyncClient, base_url: str, policy_number: str, count: int, concurrency: int = 10
) -> dict[str, float]:
    """Signed GETs of one policy straight to the sandbox: its latency plus loopback HTTP."""
    path = f"/api/v1/policies/{policy_number}"
    secret = LOCAL_SECRETS["PAS_HMAC_SECRET"]
    samples: list[float] = []

    async def one() -> None:
        headers = sign_headers("policyline", secret, "GET", path)
        started = time.perf_counter()
        response = await http.get(base_url + path, headers=headers, timeout=30)
        samples.append(time.perf_counter() - started)
        response.raise_for_status()

    for start in range(0, count, concurrency):
        await asyncio.gather(*(one() for _ in range(min(concurrency, count - start))))
    return latency_summary(samples)


# --- the run ------------------------------------------------------------------------------------


def _level(summary: dict[str, Any]) -> dict[str, Any]:
    keep = ("concurrency", "conversations", "turns", "answered", "apologies", "lost", "wall_s")
    return {
        **{k: summary[k] for k in keep},
        "turns_per_s": summary["throughput_turns_per_s"],
        "latency": summary["latency"],
        "failures": dict(list(summary["failures"].items())[:5]),
    }


async def _measure(stack: BenchStack, plan: Plan, pool: Iterator[Persona]) -> dict[str, Any]:
    engine = make_engine(stack.database_url)
    outbox = OutboxWatcher(engine)
    outbox.start()
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=100)
    results: dict[str, Any] = {}
    try:
        async with httpx.AsyncClient(trust_env=False, limits=limits) as http:
            rest = RestClient(http, stack.rasa_url, outbox, TURN_TIMEOUT_S)
            token = LOCAL_SECRETS["TWILIO_AUTH_TOKEN"]
            mix = scripts(list(pool))

            def progress(label: str, summary: dict[str, Any]) -> None:
                lat = summary["latency"]
                print(
                    f"  {label:<22} {summary['turns']:>4} turns {summary['turns_per_s']} turns/s "
                    f"p50 {lat.get('p50_ms')} p99 {lat.get('p99_ms')} ms lost {summary['lost']}",
                    flush=True,
                )

            for name in ("simple", "mix"):
                results[name] = {}
                for level, count in getattr(plan, name).items():
                    if name == "simple":
                        persona = next(mix).persona  # never verifies: one will do
                        batch = [
                            Script(persona, "simple", SIMPLE_OPENER, SIMPLE_FOLLOW_UPS)
                        ] * count
                    else:
                        batch = [next(mix) for _ in range(count)]
                    done = await drive(rest, batch, level, time_limit_s=plan.time_limit_s)
                    results[name][str(level)] = _level(done.summary())
                    progress(f"{name} x{level}", results[name][str(level)])

            batch = [next(mix) for _ in range(plan.think_conversations)]
            done = await drive(
                rest,
                batch,
                THINK_CONCURRENCY,
                time_limit_s=plan.time_limit_s,
                think_s=THINK_S,
            )
            results["think_time"] = _level(done.summary()) | {"think_s": list(THINK_S)}
            progress("think 3-8 s x50", results["think_time"])

            counter = SandboxCounter(http, stack.sandbox.base_url, stack.sandbox.admin_token)
            by_task = task_personas([next(mix).persona for _ in range(TASK_POOL)], date.today())
            samples = []
            for task in TASKS:
                count = plan.document_samples if task in DOCUMENT_TASKS else plan.task_samples
                for _ in range(count):
                    try:
                        samples.append(await task_sample(rest, counter, task, next(by_task[task])))
                    except (TurnFailed, StopIteration) as exc:
                        print(f"  task {task}: {type(exc).__name__} {exc}", flush=True)
            results["tasks"] = task_figures(samples)
            results["task_samples"] = [
                {
                    **{k: v for k, v in asdict(s).items() if not k.endswith("_calls")},
                    "verification_calls": dict(s.verification_calls),
                    "answer_calls": dict(s.answer_calls),
                    "second_calls": dict(s.second_calls),
                }
                for s in samples
            ]
            print(
                "  tasks: verified answer cold p50 "
                f"{results['tasks']['verified_answer_cold'].get('p50_ms')} ms, warm "
                f"{results['tasks']['verified_answer_warm'].get('p50_ms')} ms, PAS calls "
                f"{results['tasks']['pas_calls_per_verified_answer']} per first task",
                flush=True,
            )

            some_policy = next(mix).persona.policy_number
            results["pas_round_trip"] = await round_trips(
                http, stack.sandbox.base_url, some_policy, plan.round_trips
            )

            channels: list[tuple[str, ChannelClient]] = [
                ("sms", SmsClient(http, stack.rasa_url, token, outbox, TURN_TIMEOUT_S)),
                ("voice", VoiceClient(http, stack.rasa_url, token, TURN_TIMEOUT_S)),
            ]
            for name, client in channels:
                batch = [next(mix) for _ in range(plan.channel_conversations)]
                done = await drive(
                    client, batch, plan.channel_concurrency, time_limit_s=plan.time_limit_s
                )
                results[name] = _level(done.summary())
                progress(f"{name} x{plan.channel_concurrency}", results[name])
                await client.aclose()
    finally:
        await outbox.stop()
        engine.dispose()
    return results


def run(quick: bool = False) -> dict[str, Any]:
    """Start the stack, take every figure but training, stop the stack."""
    from bench import documents

    plan = QUICK if quick else FULL
    pool = iter(personas(POLICYHOLDERS, date.today(), _book(date.today())))
    with tempfile.TemporaryDirectory(prefix="bench-headline-") as tmp:
        stack = BenchStack.start(
            Path(tmp), policyholders=POLICYHOLDERS, seed=SANDBOX_SEED, web=False
        )
        try:
            idle = stack.memory_mb()
            stack.sandbox.set_faults(latency=PAS_LATENCY)  # explicit: not the launcher default
            results = asyncio.run(_measure(stack, plan, pool))
            loaded = stack.memory_mb()
        finally:
            stack.stop()
        tracker = tracker_figures(Path(stack.env["TRACKER_DB"]))
    render = documents.render_only(plan.pdf_runs, one_case_per_type=not plan.pdf_all_cases)
    return {
        "quick": quick,
        "plan": asdict(plan),
        "pas_latency_injected": PAS_LATENCY,
        **results,
        "pdf_render": render_by_type(render["documents"]),
        "tracker": tracker,
        "servers": {"start_s": stack.start_s, "rss_mb_idle": idle, "rss_mb_after_load": loaded},
    }


def tracker_figures(path: Path) -> dict[str, Any]:
    """What Rasa's SQL tracker store holds after the run: events and event bytes per user turn
    (every event row is written once; the size is what each turn adds to the store)."""
    if not path.exists():
        return {}
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        events, size, users = db.execute(
            "SELECT COUNT(*), COALESCE(SUM(LENGTH(data)), 0), "
            "COALESCE(SUM(type_name = 'user'), 0) FROM events"
        ).fetchone()
    return {
        "events": events,
        "event_bytes": size,
        "user_turns": users,
        "events_per_turn": round(events / users, 1) if users else None,
        "bytes_per_turn": round(size / users) if users else None,
        "file_mb": round(path.stat().st_size / 1e6, 1),
    }


def render_by_type(rows: Sequence[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per document type, the slowest case's render figures (p50 and p99 each the worst)."""
    out: dict[str, dict[str, Any]] = {}
    for row in rows:
        seen = out.setdefault(row["document"], {"cases": 0, "runs": 0, "p50_ms": 0.0})
        seen["cases"] += 1
        seen["runs"] += row["runs"]
        for key in ("p50_ms", "p95_ms", "p99_ms", "cpu_p50_ms"):
            seen[key] = max(seen.get(key, 0.0), row[key])
    return out


# --- the keys and the table ---------------------------------------------------------------------


def _ratio(result: dict[str, Any], level: int) -> float | None:
    simple = result.get("simple", {}).get(str(level), {}).get("turns_per_s")
    mix = result.get("mix", {}).get(str(level), {}).get("turns_per_s")
    return round(mix / simple, 2) if simple and mix is not None else None


def _p(summary: dict[str, Any] | None, key: str) -> float | None:
    return (summary or {}).get(key)


def keys(result: dict[str, Any], training: dict[str, Any] | None = None) -> dict[str, Any]:
    """The flat figures ``bench/results/latest.json`` carries (None where not measured)."""
    tasks = result.get("tasks", {})
    pdf = result.get("pdf_render", {})
    servers = result.get("servers", {})
    by_doc = tasks.get("by_task", {})
    doc_answers = [by_doc[t]["answer"] for t in DOCUMENT_TASKS if t in by_doc]
    training_runs = (training or {}).get("runs") or []
    return {
        "mix_to_simple_ratio_c1": _ratio(result, 1),
        "mix_to_simple_ratio_c10": _ratio(result, 10),
        "mix_to_simple_ratio_c50": _ratio(result, 50),
        "simple_turns_per_s_c10": result.get("simple", {}).get("10", {}).get("turns_per_s"),
        "mix_turns_per_s_c10": result.get("mix", {}).get("10", {}).get("turns_per_s"),
        "think_time_p50_ms": _p(result.get("think_time", {}).get("latency"), "p50_ms"),
        "think_time_p99_ms": _p(result.get("think_time", {}).get("latency"), "p99_ms"),
        "verified_answer_cold_p50_ms": _p(tasks.get("verified_answer_cold"), "p50_ms"),
        "verified_answer_warm_p50_ms": _p(tasks.get("verified_answer_warm"), "p50_ms"),
        "pas_round_trip_p50_ms": _p(result.get("pas_round_trip"), "p50_ms"),
        "sms_reply_p50_ms": _p(result.get("sms", {}).get("latency"), "p50_ms"),
        "sms_reply_p95_ms": _p(result.get("sms", {}).get("latency"), "p95_ms"),
        "voice_turn_p50_ms": _p(result.get("voice", {}).get("latency"), "p50_ms"),
        "voice_turn_p95_ms": _p(result.get("voice", {}).get("latency"), "p95_ms"),
        "pdf_render_p50_ms": max((d["p50_ms"] for d in pdf.values()), default=None),
        "pdf_render_p99_ms": max((d["p99_ms"] for d in pdf.values()), default=None),
        "document_answer_p99_ms": max(
            (a["p99_ms"] for a in doc_answers if a.get("n")), default=None
        ),
        "pas_calls_per_verified_answer": tasks.get("pas_calls_per_verified_answer"),
        "pas_calls_per_second_task": tasks.get("pas_calls_per_second_task"),
        "pas_calls_per_verification": tasks.get("verification_calls"),
        "rasa_start_s": servers.get("start_s", {}).get("rasa"),
        "rasa_rss_mb": servers.get("rss_mb_after_load", {}).get("rasa"),
        "actions_rss_mb": servers.get("rss_mb_after_load", {}).get("actions"),
        "tracker_events_per_turn": result.get("tracker", {}).get("events_per_turn"),
        "tracker_bytes_per_turn": result.get("tracker", {}).get("bytes_per_turn"),
        "training_s": training_runs[0]["wall_s"] if training_runs else None,
    }


def _lost(level: dict[str, Any]) -> str:
    """``lost N``; when no turn failed, the lost turns were replies without text (a simple turn
    the assistant answers with silence), not errors."""
    if level["lost"] and not level.get("failures"):
        return f"lost {level['lost']} (empty replies, no error)"
    return f"lost {level['lost']}"


HEADERS = ["figure", "n", "turns/s", "p50 ms", "p95 ms", "p99 ms", "other", "goal (issue 21)"]


def _row(
    label: str, summary: dict[str, Any] | None, per_s: Any = "", other: Any = "", goal: str = ""
) -> list[Any]:
    s = summary or {}
    return [label, s.get("n"), per_s, s.get("p50_ms"), s.get("p95_ms"), s.get("p99_ms"), other,
            goal]  # fmt: skip


def table(
    result: dict[str, Any],
    training: dict[str, Any] | None = None,
    meta: dict[str, Any] | None = None,
) -> Table:
    """Every figure in one table; ``other`` holds ratios, seconds, megabytes and call counts."""
    pas = result.get("pas_latency_injected", PAS_LATENCY)
    note = (
        f"PAS sandbox latency lognormal median {pas['median_ms']} ms, sigma {pas['sigma']} "
        "(set by the bench). Turns through Rasa's REST channel unless named; a turn is timed "
        "from the request until the whole answer is back. n = turns (or samples)."
    )
    if meta:
        note = (
            f"{meta.get('cpus')} CPUs, load average {meta.get('loadavg_1m')} at start, "
            f"quick={meta.get('quick')}. " + note
        )
    t = Table("Policyline benchmark (one run, one machine)", HEADERS, note=note)
    k = keys(result, training)
    for level in LEVELS:
        s = result.get("simple", {}).get(str(level))
        if s:
            t.rows.append(_row(f"simple turns x{level}", s["latency"], s["turns_per_s"],
                               _lost(s)))  # fmt: skip
    for level in LEVELS:
        m = result.get("mix", {}).get(str(level))
        if m:
            ratio = k.get(f"mix_to_simple_ratio_c{level}")
            t.rows.append(_row(f"PAS mix x{level}", m["latency"], m["turns_per_s"],
                               f"mix ÷ simple {ratio}; {_lost(m)}",
                               ">= 0.8" if level > 1 else ""))  # fmt: skip
    think = result.get("think_time")
    if think:
        t.rows.append(_row("realistic: x50, think 3-8 s", think["latency"], think["turns_per_s"],
                           _lost(think), "p50 <= 150, p99 <= 800"))  # fmt: skip
    tasks = result.get("tasks", {})
    rt = result.get("pas_round_trip")
    rt_p50 = _p(rt, "p50_ms")
    cold_goal = f"p50 <= {round(rt_p50 + 50)} (1 round trip + 50)" if rt_p50 else ""
    t.rows.append(_row("verified answer, cold (1 user)", tasks.get("verified_answer_cold"),
                       goal=cold_goal))  # fmt: skip
    t.rows.append(_row("verified answer, warm (same task again)",
                       tasks.get("verified_answer_warm"), goal="p50 <= 60"))  # fmt: skip
    t.rows.append(_row("PAS sandbox round trip (signed GET)", rt))
    for name, label in (("sms", "SMS webhook → reply (signed)"), ("voice", "voice turn (signed)")):
        c = result.get(name)
        if c:
            t.rows.append(_row(f"{label} x{c['concurrency']}", c["latency"], c["turns_per_s"],
                               _lost(c)))  # fmt: skip
    pdf = result.get("pdf_render", {})
    by_task = tasks.get("by_task", {})
    for task, kind in DOCUMENT_TASKS.items():
        if kind in pdf:
            d = pdf[kind]
            t.rows.append([f"PDF render only: {kind}", d["runs"], "", d["p50_ms"],
                           d.get("p95_ms"), d["p99_ms"], f"cpu p50 {d.get('cpu_p50_ms')}",
                           "p50 <= 50, p99 <= 150"])  # fmt: skip
        if task in by_task:
            t.rows.append(_row(f"document end to end: {kind} (verified answer turn)",
                               by_task[task]["answer"]))  # fmt: skip
    servers = result.get("servers", {})
    if servers:
        start, rss = servers["start_s"], servers["rss_mb_after_load"]
        t.rows.append(["Rasa server", "", "", "", "", "",
                       f"start {start.get('rasa')} s, RSS {rss.get('rasa')} MB", ""])  # fmt: skip
        t.rows.append(["action server", "", "", "", "", "",
                       f"start {start.get('actions')} s, RSS {rss.get('actions')} MB",
                       ""])  # fmt: skip
    if k["training_s"] is not None:
        t.rows.append(["rasa train (cold cache)", "", "", "", "", "", f"{k['training_s']} s", ""])
    for task, f in by_task.items():
        t.rows.append([f"PAS calls: {task}", f["samples"], "", "", "", "",
                       f"first {f['first_task_calls']} ({f['verification_calls']} on the "
                       f"verification turns + {f['answer_calls']} on the answer turn), second "
                       f"{f['second_task_calls']}", "first <= 1, second 0"])  # fmt: skip
    tracker = result.get("tracker")
    if tracker and tracker.get("user_turns"):
        t.rows.append(["tracker store per user turn (all rows above)", tracker["user_turns"], "",
                       "", "", "", f"{tracker['events_per_turn']} events, "
                       f"{tracker['bytes_per_turn']} bytes of event data", ""])  # fmt: skip
    if tasks:
        t.rows.append(["PAS calls per verified answer (mean, all tasks)", "", "", "", "", "",
                       f"first {tasks.get('pas_calls_per_verified_answer')}, second "
                       f"{tasks.get('pas_calls_per_second_task')}", ""])  # fmt: skip
    return t
