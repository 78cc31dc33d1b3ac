"""A bounded asyncio load driver: N concurrent conversations through one channel client.

Each worker takes the next script, opens the conversation, sends the opener and then answers
what the assistant asks (date of birth, ZIP, policy number) the way the policyholder would,
until the assistant stops asking or ``max_turns`` is reached. Bounded in count (the scripts
given) and in time (no new conversation starts after ``time_limit_s``). Loopback only: the
clients are built with 127.0.0.1 URLs by the caller.

Every user turn is recorded: how long the answer took and whether it was an answer, an apology
(an error surfaced to the policyholder, with a way forward) or nothing at all (lost).
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bench.channel_clients import ChannelClient, Conversation, TurnFailed
from bench.population import Persona, Script
from bench.stats import latency_summary

# An error surfaced to the policyholder: a message that opens with an apology, or says the
# system is failing. ("Sorry, I didn't catch that" re-asks count too: they are not answers.)
APOLOGY_MARKERS = ("something went wrong", "can't reach", "is unavailable", "having trouble")


@dataclass(frozen=True)
class TurnRecord:
    category: str
    latency_s: float
    outcome: str  # "answered" | "apology" | "lost"
    started_at: float


@dataclass
class LevelResult:
    channel: str
    concurrency: int
    wall_s: float = 0.0
    conversations: int = 0
    turns: list[TurnRecord] = field(default_factory=list)
    failures: Counter[str] = field(default_factory=Counter)

    def summary(self) -> dict[str, Any]:
        answered = [t.latency_s for t in self.turns if t.outcome != "lost"]
        outcomes = Counter(t.outcome for t in self.turns)
        return {
            "channel": self.channel,
            "concurrency": self.concurrency,
            "conversations": self.conversations,
            "turns": len(self.turns),
            "answered": outcomes["answered"],
            "apologies": outcomes["apology"],
            "lost": outcomes["lost"],
            "wall_s": round(self.wall_s, 2),
            "throughput_turns_per_s": round(len(answered) / self.wall_s, 2) if self.wall_s else 0,
            "latency": latency_summary(answered),
            "failures": dict(self.failures),
        }


def next_user_turn(texts: Sequence[str], persona: Persona, keyed: bool) -> str | None:
    """What the policyholder answers to the assistant's last message (None: nothing asked)."""
    last = " ".join(texts).lower()
    if "birth" in last:
        return persona.dob_keys if keyed else persona.dob_text
    if "zip" in last:
        return persona.zip_code
    if "policy number" in last and not keyed:
        return persona.policy_number
    return None


def asks_for_code(texts: Sequence[str]) -> bool:
    return "code" in " ".join(texts).lower()


def classify(texts: Sequence[str]) -> str:
    """``lost`` (nothing said), ``apology`` (an error surfaced) or ``answered``."""
    messages = [t.strip().lower() for t in texts if t.strip()]
    if not messages:
        return "lost"
    for message in messages:
        if message.startswith("sorry") or any(m in message for m in APOLOGY_MARKERS):
            return "apology"
    return "answered"


async def converse(
    client: ChannelClient,
    script: Script,
    result: LevelResult,
    max_turns: int,
    think: Callable[[], Awaitable[None]] | None = None,
) -> None:
    """One conversation: opener, then answers to what is asked (or the script's follow-ups),
    each turn recorded; ``think`` is awaited before every turn (a person reading and typing)."""
    try:
        conversation: Conversation = await client.start(script)
    except TurnFailed as exc:
        result.failures[f"start: {exc}"] += 1
        return
    text: str | None = script.opener
    follow_ups = iter(script.follow_ups)
    for _ in range(max_turns):
        if text is None or conversation.ended:
            break
        if think is not None:
            await think()
        started = time.monotonic()
        try:
            reply = await client.turn(conversation, text)
        except TurnFailed as exc:
            result.failures[str(exc)] += 1
            result.turns.append(
                TurnRecord(script.category, time.monotonic() - started, "lost", started)
            )
            await client.finish(conversation)
            break
        outcome = classify(reply.texts)
        result.turns.append(TurnRecord(script.category, reply.latency_s, outcome, started))
        if outcome == "apology":
            result.failures["apology: " + " / ".join(reply.texts)[:200]] += 1
        if script.follow_ups:
            text = next(follow_ups, None)
            continue
        text = next_user_turn(reply.texts, script.persona, client.keyed)
        if text is None and asks_for_code(reply.texts):
            text = await client.one_time_code(conversation)
    await client.finish(conversation)
    result.conversations += 1


async def drive(
    client: ChannelClient,
    scripts: Sequence[Script],
    concurrency: int,
    *,
    time_limit_s: float,
    max_turns: int = 5,
    think_s: tuple[float, float] | None = None,
    seed: int = 21,
) -> LevelResult:
    """Run ``scripts`` with ``concurrency`` conversations in flight at once.

    ``think_s``: (min, max) seconds a person takes before each of their turns, drawn uniformly
    (the realistic load model); the wall time then counts the thinking too.
    """
    result = LevelResult(client.name, concurrency)
    rng = random.Random(seed)

    async def think() -> None:
        assert think_s is not None
        await asyncio.sleep(rng.uniform(*think_s))

    queue: asyncio.Queue[Script] = asyncio.Queue()
    for script in scripts:
        queue.put_nowait(script)
    started = time.monotonic()

    async def worker() -> None:
        while not queue.empty() and time.monotonic() - started < time_limit_s:
            await converse(
                client,
                queue.get_nowait(),
                result,
                max_turns,
                think if think_s is not None else None,
            )

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    result.wall_s = time.monotonic() - started
    return result
