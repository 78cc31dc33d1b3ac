"""What the fuzz tests share: hostile inputs, the web app's routes, budgets and the findings checks.

``HOSTILE_STRINGS`` is the one list of hand-picked nasty values (the hypothesis strategies in
test_endpoint_fuzz.py sample it, the seeded fuzzers below draw from it). ``FuzzBudget`` bounds a
seeded fuzz loop in inputs *and* seconds, whichever comes first; the seed comes from
``POLICYLINE_FUZZ_SEED`` (default fixed) so a failure reproduces with the same seed.
"""

from __future__ import annotations

import os
import random
import re
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from flask import Flask

DEFAULT_SEED = 20240917

HOSTILE_STRINGS = [
    "",
    " ",
    "../../etc/passwd",
    "..%2f..%2f..%2fetc%2fpasswd",
    "....//....//etc/passwd",
    "%00",
    "\x00",
    "' OR 1=1 --",
    "'; DROP TABLE accounts; --",
    '" OR ""="',
    "<script>",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "{{7*7}}",
    "${7*7}",
    "%s%s%s%n",
    "x\r\nSet-Cookie: injected=1",
    "//evil.example/",
    "https://evil.example/",
    "9" * 40,
    "-1",
    "0",
    "NaN",
    "1e308",
    "true",
    "AUT-1000001",
    "CLM-0000001",
    "H0000001",
    "é" * 300,
    "\u202egnp.exe",
    "🙂" * 50,
    "{}",
    "[]",
    "null",
    "/restart",
    "4111111111111111",
]


def hostile_text(rng: random.Random, *, extra: list[str] | None = None) -> str:
    """One hostile string: hand-picked, random unicode, or very long."""
    roll = rng.random()
    if roll < 0.55:
        return rng.choice(HOSTILE_STRINGS + (extra or []))
    if roll < 0.85:
        alphabet = "aZ09 -_/.%&=?#<>'\"\\\t\n;:{}[]éßü中文🙂\u0301\u200b"
        return "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 60)))
    return rng.choice(["A", "9", "é", "<"]) * rng.randint(1_000, 20_000)


def hostile_json(rng: random.Random, depth: int = 0) -> Any:
    """A JSON value of any type: scalars, nested lists and objects (up to 4 deep)."""
    kinds = ["none", "bool", "int", "float", "text"] + (["list", "dict"] if depth < 4 else [])
    kind = rng.choice(kinds)
    if kind == "none":
        return None
    if kind == "bool":
        return rng.random() < 0.5
    if kind == "int":
        return rng.choice([0, -1, 1, 2**31, 2**63, -(2**63), 10**30])
    if kind == "float":
        return rng.choice([0.5, -0.0, 1e308, 3.14])
    if kind == "text":
        return hostile_text(rng)
    if kind == "list":
        return [hostile_json(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return {hostile_text(rng)[:40]: hostile_json(rng, depth + 1) for _ in range(rng.randint(0, 4))}


def fill_path(path: str, value: str) -> str:
    """``path`` with every ``{name}`` parameter replaced by ``value`` (percent-encoded)."""
    return re.sub(r"\{[a-z_]+\}", lambda _: quote(value, safe="") or "x", path)


def web_routes(app: Flask) -> list[tuple[str, str]]:
    """Every (method, path template) in the web app's URL map: new routes are fuzzed unasked."""
    routes = []
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            routes.append((method, re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)))
    return routes


def record(counts: dict[str, Counter[str]], server: str, status: int | str) -> None:
    counts.setdefault(server, Counter())[str(status)] += 1


def fuzz_seed() -> int:
    return int(os.environ.get("POLICYLINE_FUZZ_SEED", DEFAULT_SEED))


@dataclass
class FuzzBudget:
    """At most ``max_inputs`` inputs or ``max_seconds``, whichever comes first, from one seed.

    Iterating yields one ``random.Random`` per input, seeded from (seed, input number): input
    *n* is the same whatever ran before it, so a failure names the seed and the input to replay.
    """

    name: str
    max_inputs: int
    max_seconds: float
    seed: int = field(default_factory=fuzz_seed)
    sent: int = 0
    started: float | None = None
    finished: float | None = None

    def __iter__(self) -> Iterator[random.Random]:
        self.started = time.monotonic()
        while self.sent < self.max_inputs and self.elapsed <= self.max_seconds:
            rng = random.Random(f"{self.seed}:{self.sent}")
            self.sent += 1
            yield rng
        self.finished = time.monotonic()

    @property
    def elapsed(self) -> float:
        """Seconds from the first input to the end (or to now, while it runs or if it failed)."""
        if self.started is None:
            return 0.0
        return (self.finished or time.monotonic()) - self.started

    @property
    def where(self) -> str:
        """For assertion messages: how to replay this input."""
        return f"{self.name} input #{self.sent - 1}, POLICYLINE_FUZZ_SEED={self.seed}"

    def summary(self) -> str:
        return (
            f"{self.name}: {self.sent} inputs in {self.elapsed:.1f} s "
            f"(limits {self.max_inputs} / {self.max_seconds:.0f} s, seed {self.seed})"
        )


# A stack trace or an exception's own text in a response or a server log.
TRACEBACK = re.compile(
    r"Traceback \(most recent call last\)"
    r"|File \"[^\"]+\.py\", line \d+"
    r"|\b(?:[A-Z][A-Za-z]*(?:Error|Exception)|StopIteration|KeyboardInterrupt)(?::\s|\()"
    r"|\b(?:werkzeug\.exceptions|sqlalchemy\.exc|jinja2\.exceptions|psycopg2?\.errors)\."
)


def _squash(text: str) -> str:
    return re.sub(r"\W+", "", text).casefold()


def foreign_data_in(text: str, foreign: dict[str, str], sent: str) -> list[str]:
    """Which of ``foreign`` (value → whose) ``text`` shows that the request did not itself send.

    Compared without case and punctuation, so "hom2000001" sent and "HOM-2000001" shown back is
    an echo of the input, not a leak.
    """
    shown, asked = _squash(text), _squash(sent)
    return sorted(
        f"{owner}'s {value!r}"
        for value, owner in foreign.items()
        if _squash(value) in shown and _squash(value) not in asked
    )
