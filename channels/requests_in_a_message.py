"""Two requests in one message, and long messages: what Rasa is given to read, turn by turn.

Rasa reads one intent per message. People write "what's my balance and also send my ID card", or a
paragraph about an accident that ends in a question. ``RequestsInAMessage`` wraps a channel's
``TurnRunner`` and, for such messages only, decides what Rasa reads:

- The message is cut into clauses (sentence ends, ``;``, "and also", "also", "plus", "and then",
  "then", or "and" or a comma before a request word such as "send", "what's", "I need"). A
  message of one short clause with no "and" goes through unchanged: no parse, no tracker read
  (the common case costs a regex).
- One verb shared by two things ("send id card and dec page", "i need my balance and my id
  card"): a clause is also read in its parts around a bare "and" / "&" / "n". When two parts each
  read, on their own, as a *clear* request (``STRONG``) of different tasks, and the clause as a
  whole reads as one of them, the parts count as two requests. "the balance on my car and my home
  policy" stays one: "my home policy" names no task clearly.
- Each clause and the whole message are parsed with the server's own NLU (``parse``).
- Two or more distinct *requests* (a self-service or routed-to-people intent read with at least
  ``threshold`` confidence) → the first clause is the user's text now; the others follow, in
  order: at once when that turn leaves the conversation idle (no active form, no pending task),
  otherwise queued in the ephemeral store and run after the first later turn that leaves it idle,
  with a one-line notice ("I'll help with your balance right after this."). A handoff, start over,
  goodbye or locked identity drops the queue. A queued request is an ordinary Rasa turn, so the
  actions' identity checks apply to it as to anything typed.
- A long message (``LONG_WORDS`` words or ``LONG_SENTENCES`` sentences): what is *asked* wins
  over what is told. The requests are the clauses that ask (a question, "I need", "can you",
  "would my policy ..."), each read by its asking part when a story is joined to it with "and"
  ("i need X and the landlord wants Y" asks X). Nothing asked that the NLU reads as a request:
  the whole message, when it reads as a request (it sees the story and the question together:
  "the card in my glovebox is expired ... can you send me the current one"). Only when neither
  the asked clauses nor the whole message name a request is a request for people told anywhere
  taken (an accident told as a story is a claim report); a story about a claim already filed is
  not a new loss, so it never becomes a claim report that way. A story about a loss is a
  ``report_claim`` only when that is what the person asks or all the message says. No confident
  request → the whole text, as before.
- While a form is asking for something (date of birth, ZIP, policy number, code, amount,
  certificate holder) nothing is split: the answer goes through unchanged.

A clause run instead of the message keeps what the rest of the message says that its task needs
(policy and claim numbers, an amount for a payment, date of birth and ZIP, the certificate
holder): those fragments are appended to it. The original message stays with the turn, redacted
as the tracker store would redact it, as ``original_text`` in the message metadata (the staff
transcript shows it); a request run later carries ``queued_request: true``.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sanic import Blueprint

from bot.conversation import policy_choice
from bot.conversation.answers.queued_requests import queued_request_notice
from bot.conversation.intents import ROUTED_TO_PEOPLE, SELF_SERVICE_INTENTS
from bot.conversation.policy_choice import LINE_WORDS
from bot.conversation.redaction import redact
from bot.conversation.user_input import (
    amount_request_text,
    parse_amount,
    parse_claim_number,
    parse_policy_number,
)
from bot.conversation.volunteered import VolunteeredIdentity, read_volunteered_identity
from channels.ephemeral_store import EphemeralStore
from channels.rasa_turns import (
    BotMessages,
    ConversationFacts,
    ConversationReader,
    TurnRequest,
    TurnRunner,
    tracker_reader,
)

log = logging.getLogger("channels.requests_in_a_message")

Parse = Callable[[str], Awaitable[dict[str, Any]]]

REQUEST_INTENTS = frozenset(SELF_SERVICE_INTENTS) | frozenset(ROUTED_TO_PEOPLE)
# Intents after which a queued request is forgotten: the person left the bot's tasks behind.
DROPS_QUEUE = frozenset({"human_handoff", "start_over", "goodbye"})
DEFAULT_THRESHOLD = 0.65
# A part of a clause around a bare "and" counts as a request of its own only this clear: "my
# home policy" after "the balance on my car and" must not become a second request.
STRONG = 0.9
LONG_WORDS = 25
LONG_SENTENCES = 3
# At most this many clauses are parsed (each parse takes ~10-20 ms of the server's loop).
MAX_CLAUSES = 12
# At most this many requests are taken from one message (the first runs, the rest wait).
MAX_REQUESTS = 3
QUEUE_TTL_S = 15 * 60  # the Rasa session's idle expiry: a new session forgets the queue
QUEUE_KEY = "requests:queue:"

# Which entities a clause may borrow from the rest of the message, by the clause's intent
# (None: any request). An amount belongs to a payment only; a claim number to claim tasks.
_ENTITY_TASKS: dict[str, frozenset[str] | None] = {
    "policy_number": None,
    "date_of_birth": None,
    "zip_code": None,
    "claim_number": frozenset({"claim_status", "report_claim", "coverage_question"}),
    "amount": frozenset({"make_payment"}),
    "org_name": frozenset({"request_certificate"}),
    "org_address": frozenset({"request_certificate"}),
}

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|[;\n]+|(?<=[.!?])(?=[A-Z])")
# Words that open a request: a comma before one of them ends a clause.
_REQUEST_WORDS = (
    r"(?:what(?:'s|s| is| are)?|how|when|where|can|could|would|will|is|are|do|does|please"
    r"|i(?:'d| would| need| want| wanna| have to| also)|send|give|get|tell|show|text|email|pay"
    r"|make|check|set|cancel|stop|update|change|switch|add|remove|report|file|talk|speak"
    r"|connect|need|want|let)"
)
# "and also", "plus", "then" end a clause; a bare "and" only before a request word, so "the
# balance on my car and my home policy" stays one clause.
_CONNECTOR = re.compile(
    r"\s*,?\s+(?:and\s+also|and\s+then|as\s+well\s+as|also|plus|then)\s+"
    rf"|\s*,?\s+(?:and|n|&|\+)\s+(?={_REQUEST_WORDS}\b)"
    rf"|\s*,\s+(?={_REQUEST_WORDS}\b)",
    re.IGNORECASE,
)
# In a long message, a request is something asked of us: a question, or words that ask ("I need",
# "can you", "please", "send me"); the rest tells a story ("now they want me to pay for it").
_ASKING = re.compile(
    r"\?|\b(?:i(?:'d| would)? like|i(?:'m| am)? (?:need|want|wanna|trying to|wondering)"
    r"|i have to|i need|i want|need to|want to|can (?:you|i|we)|could (?:you|i|we)"
    r"|would you|will you|how (?:do|can|would) (?:i|we)|what (?:do|should) (?:i|we)|please|pls"
    r"|plz|help me|let me|tell me|send me|show me|give me|email me|text me)\b"
    r"|^(?:send|give|tell|show|check|cancel|stop|update|change|add|remove|report|file|pay"
    r"|email|text|connect|switch|set up|sign me up)\b"
    # a question without its question mark: "would my policy cover ...", "is my autopay on"
    r"|^(?:would|will|does|do|did|is|are|am|can|could|should|has|have)\s+(?:my|i|it|the|you"
    r"|we|this|that|our|there|they|he|she)\b"
    # after a condition: "if somebody took my stuff, would my renters policy cover it"
    r"|\b(?:would|does|will|could)\s+(?:my|our|the|this|that|it)\s+(?:\w+\s+){0,3}"
    r"(?:cover|pay|include|protect)",
    re.IGNORECASE,
)
_AND = re.compile(r"\s*,?\s+and\s+", re.IGNORECASE)
# One verb shared by two things: "send id card and dec page", "my balance & my id card".
_SHARED_AND = re.compile(r"\s*,?\s+(?:and|n|&)\s+", re.IGNORECASE)
# Words that name no task beside a line of business ("my home insurance").
_POLICY_WORDS = frozenset({"insurance", "coverage", "plan", "account", "too", "also"})
# A story about a claim already filed: its loss is not a new one to report.
_FILED_ALREADY = re.compile(
    r"\b(?:filed|opened|reported|submitted|made|put in|started)\s+(?:a|the|my|our|an)\s+claim"
    r"|\bclaim\s+(?:is\s+|was\s+)?(?:already\s+)?(?:filed|open|opened|in|submitted)\b"
    r"|\balready\s+(?:filed|reported|opened)\b|\bmy\s+adjuster\b|\bclaim\s+number\b",
    re.IGNORECASE,
)
_LEADING_CONNECTOR = re.compile(r"^(?:(?:and|also|plus|then|oh|so|but|ok|okay)\b[\s,]*)+", re.I)
_LETTER = re.compile(r"[A-Za-z]")
_WORD = re.compile(r"\S+")
_CLAIM_PREFIXED = re.compile(r"\bclm[\s-]*\d{8}\b", re.IGNORECASE)
_POLICY_PREFIXED = re.compile(r"\b(?:aut|hom|ren)[\s-]*\d{7}\b", re.IGNORECASE)


@dataclass(frozen=True)
class Clause:
    """A span of the message: ``text`` is ``message[start:end]`` without a leading connector."""

    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Reading:
    """What the NLU made of a clause."""

    clause: Clause
    intent: str | None
    confidence: float
    entities: tuple[dict[str, Any], ...]
    # The most likely task even below the fallback threshold: a clause asking for two things
    # splits the model's confidence between them ("send id card and dec page").
    best_guess: str | None = None

    def is_request(self, threshold: float) -> bool:
        return self.intent in REQUEST_INTENTS and self.confidence >= threshold

    @property
    def asks(self) -> bool:
        return _ASKING.search(self.clause.text) is not None


@dataclass(frozen=True)
class Plan:
    """What Rasa reads: ``now`` instead of the message, then ``later`` in order."""

    now: str
    later: tuple[tuple[str, str], ...]  # (text, intent)
    reason: str  # "several" | "long"


def sentences(text: str) -> list[Clause]:
    """The sentences of ``text`` (ends: ``.!?`` then a space, ``;``, new lines)."""
    spans: list[Clause] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        spans.extend(_span(text, start, match.start()))
        start = match.end()
    spans.extend(_span(text, start, len(text)))
    return spans


def clauses(text: str) -> list[Clause]:
    """The clauses of ``text``: its sentences, cut again at connectors ("and also", ", send")."""
    found: list[Clause] = []
    for sentence in sentences(text):
        start = sentence.start
        for match in _CONNECTOR.finditer(text, sentence.start, sentence.end):
            found.extend(_span(text, start, match.start()))
            start = match.end()
        found.extend(_span(text, start, sentence.end))
    return found


def _parts(text: str, clause: Clause, joiner: re.Pattern[str] = _AND) -> list[Clause]:
    """``clause`` cut at every "and" (``joiner``); ``[]`` when it has none."""
    found: list[Clause] = []
    start = clause.start
    for match in joiner.finditer(text, clause.start, clause.end):
        found.extend(_span(text, start, match.start()))
        start = match.end()
    if start == clause.start:
        return []
    found.extend(_span(text, start, clause.end))
    return found


def _span(text: str, start: int, end: int) -> list[Clause]:
    piece = text[start:end]
    stripped = piece.strip(" \t,.;:-")
    if not stripped:
        return []
    start += piece.index(stripped)
    lead = _LEADING_CONNECTOR.match(stripped)
    if lead:
        start += lead.end()
        stripped = stripped[lead.end() :]
    if not _LETTER.search(stripped):
        return []
    return [Clause(stripped, start, start + len(stripped))]


def is_long(text: str) -> bool:
    """A message to search for its main request rather than read whole."""
    return len(_WORD.findall(text)) > LONG_WORDS or len(sentences(text)) >= LONG_SENTENCES


def worth_reading(text: str) -> list[Clause] | None:
    """The clauses to parse, or ``None`` when the message goes through as it is."""
    if text.startswith("/"):
        return None  # a menu's payload, never words
    found = clauses(text)
    if len(found) < 2 and not is_long(text) and not _SHARED_AND.search(text):
        return None
    if len(found) > MAX_CLAUSES:
        found = sentences(text)[:MAX_CLAUSES]
    return found


async def read(clause: Clause, parse: Parse) -> Reading:
    data = await parse(clause.text)
    intent = data.get("intent") or {}
    ranked = [
        str(r.get("name"))
        for r in data.get("intent_ranking") or ()
        if isinstance(r, dict) and r.get("name") != "nlu_fallback"
    ]
    return Reading(
        clause=clause,
        intent=intent.get("name"),
        confidence=float(intent.get("confidence") or 0.0),
        entities=tuple(e for e in data.get("entities") or () if isinstance(e, dict)),
        best_guess=ranked[0] if ranked else intent.get("name"),
    )


async def plan_message(
    text: str, found: Sequence[Clause], parse: Parse, threshold: float = DEFAULT_THRESHOLD
) -> Plan | None:
    """What Rasa should read for ``text`` (``None``: the message as it is)."""
    whole = await read(Clause(text, 0, len(text)), parse)
    readings = [await read(clause, parse) for clause in found]
    if is_long(text):
        readings = await _long_message_requests(text, whole, readings, parse, threshold)
    else:
        readings = await _shared_verb_requests(text, whole, readings, parse, threshold)
    requests = _distinct_requests(readings, threshold)
    if len(requests) >= 2:
        ordered = _people_last(requests)[:MAX_REQUESTS]
        spans = [r.clause for r in ordered]
        texts = [_with_context(text, r, whole, spans) for r in ordered]
        return Plan(
            now=texts[0],
            later=tuple((t, str(r.intent)) for t, r in zip(texts[1:], ordered[1:], strict=True)),
            reason="several",
        )
    if requests and is_long(text):
        best = requests[0]
        if whole.intent == best.intent and whole.confidence >= threshold:
            return None
        return Plan(now=_with_context(text, best, whole, [best.clause]), later=(), reason="long")
    return None


async def _shared_verb_requests(
    text: str, whole: Reading, readings: Sequence[Reading], parse: Parse, threshold: float
) -> list[Reading]:
    """``readings``, with a clause that joins two things to one verb read as its two requests.

    "send id card and dec page" reads as one of the two only (or as neither, its confidence
    split between them), though both are asked. Its parts around a bare "and" each name a task;
    both must read clearly (``STRONG``) as different requests, none may only name a policy, and
    the clause's likeliest task must be one of them, so "the balance on my car and my home
    policy" (one request, two policies) stays whole.
    """
    found: list[Reading] = []
    for reading in readings:
        parts = _parts(text, reading.clause, _SHARED_AND)[:MAX_REQUESTS]
        clause_intents = {reading.best_guess, whole.best_guess}
        if len(parts) < 2 or not clause_intents & REQUEST_INTENTS:
            found.append(reading)
            continue
        pieces = [await read(part, parse) for part in parts]
        intents = {p.intent for p in pieces}
        if (
            all(p.is_request(STRONG) and not _names_only_a_policy(p.clause.text) for p in pieces)
            and len(intents) == len(pieces)
            and intents & clause_intents
        ):
            found.extend(pieces)
        else:
            found.append(reading)
    return found


def _names_only_a_policy(text: str) -> bool:
    """ "my home policy", "the truck one": a choice of policy for the verb before it, no task."""
    words = [w for w in policy_choice.read(text).content_words if w not in _POLICY_WORDS]
    return all(any(w in line for line in LINE_WORDS.values()) for w in words)


async def _long_message_requests(
    text: str, whole: Reading, readings: Sequence[Reading], parse: Parse, threshold: float
) -> list[Reading]:
    """The readings of a long message that may count as its requests.

    What is asked wins over what is told: a story's clauses read as requests by accident ("now
    they want me to pay for it", "the insurance card in my glovebox is expired"), so the clauses
    that ask (a question, "I need", "can you") count first, each by its asking part when a story
    is joined to it by "and". Nothing asked that reads as a request: the whole message when it
    reads as one (the question may only make sense with the story: "send me the current one").
    Neither: a request for people told anywhere, down to the parts of a sentence joined by "and"
    ("... and a van backed into my car"), but no claim report out of a story about a claim
    already filed. Still nothing: any confident request.
    """
    asked: list[Reading] = []
    for reading in readings:
        if reading.asks and reading.is_request(threshold):
            asked.extend(await _asking_parts(text, reading, parse, threshold))
    if asked:
        return asked
    if whole.is_request(threshold):
        return [whole]
    parts = [p for r in readings for p in _parts(text, r.clause)][:MAX_CLAUSES]
    fragments = [await read(part, parse) for part in parts]
    new_loss = _FILED_ALREADY.search(text) is None
    told = [
        r
        for r in (*readings, *fragments)
        if r.is_request(threshold) and (new_loss or r.intent != "report_claim")
    ]
    people = [r for r in told if r.intent in ROUTED_TO_PEOPLE]
    return people or [r for r in told if r in readings]


async def _asking_parts(
    text: str, reading: Reading, parse: Parse, threshold: float
) -> list[Reading]:
    """An asking clause read by the parts of it that ask, when it joins a story with "and".

    "i need my renters insurance to move with me and the new landlord wants to see proof" asks
    for the first; the landlord's wish is told. Parts that ask but read as no request leave the
    clause as it was read.
    """
    parts = _parts(text, reading.clause)
    asking = [part for part in parts if _ASKING.search(part.text)]
    if not asking or len(asking) == len(parts):
        return [reading]
    pieces = [await read(part, parse) for part in asking]
    requests = [p for p in pieces if p.is_request(threshold)]
    return requests or [reading]


def _distinct_requests(readings: Sequence[Reading], threshold: float) -> list[Reading]:
    """The confident requests, one per intent (its most confident clause), in message order."""
    best: dict[str, Reading] = {}
    for reading in readings:
        if reading.is_request(threshold) and reading.intent is not None:
            kept = best.get(reading.intent)
            if kept is None or reading.confidence > kept.confidence:
                best[reading.intent] = reading
    return sorted(best.values(), key=lambda r: r.clause.start)


def _people_last(requests: Sequence[Reading]) -> list[Reading]:
    """Self-service first, requests a person handles after: a handoff ends what the bot does."""
    return sorted(requests, key=lambda r: r.intent in ROUTED_TO_PEOPLE)


def _with_context(text: str, reading: Reading, whole: Reading, requests: Sequence[Clause]) -> str:
    """``reading``'s clause, plus what the rest of the message says that its task needs.

    Fragments inside another request's clause belong to that request and are not borrowed.
    """
    intent = reading.intent or ""
    others = [c for c in requests if c != reading.clause]
    context = _outside(text, [reading.clause, *others])
    have = {str(e.get("entity")) for e in reading.entities}
    have |= _parsed_kinds(reading.clause.text)
    extra: list[str] = []

    def wanted(kind: str) -> bool:
        tasks = _ENTITY_TASKS.get(kind, frozenset())
        return kind not in have and (tasks is None or intent in tasks)

    # The writer's date of birth, ZIP and policy number are read by verification's own reader
    # (the NLU may tag a ZIP as an address), written with labels so they read back the same.
    given = read_volunteered_identity(context, date.today())
    carried = VolunteeredIdentity(
        date_of_birth=given.date_of_birth if wanted("date_of_birth") else None,
        zip_code=given.zip_code if wanted("zip_code") else None,
        policy_number=given.policy_number if wanted("policy_number") else None,
    )
    if carried:
        extra.append(carried.as_text())
        have |= set(carried.slot_values())
    for entity in whole.entities:
        kind = str(entity.get("entity"))
        start, end = entity.get("start"), entity.get("end")
        if not isinstance(start, int) or not isinstance(end, int) or not wanted(kind):
            continue
        if any(c.start <= start and end <= c.end for c in [reading.clause, *others]):
            continue
        extra.append(text[start:end])
        have.add(kind)
    found = _parsed(context)
    for kind, value in found.items():
        if wanted(kind) and value not in " ".join(extra):
            extra.append(value)
            have.add(kind)
    return " ".join([reading.clause.text, *extra])


def _outside(text: str, spans: Sequence[Clause]) -> str:
    """``text`` with ``spans`` blanked out."""
    chars = list(text)
    for span in spans:
        chars[span.start : span.end] = " " * (span.end - span.start)
    return "".join(chars)


def _parsed(text: str) -> dict[str, str]:
    """Policy and claim numbers (written with their prefix) and an amount, as the parsers read
    them (``bot.conversation.user_input``)."""
    found: dict[str, str] = {}
    if _POLICY_PREFIXED.search(text):
        policies = parse_policy_number(text)
        if len(policies) == 1:
            found["policy_number"] = policies[0]
    if _CLAIM_PREFIXED.search(text):
        claim = parse_claim_number(_CLAIM_PREFIXED.search(text).group(0))  # type: ignore[union-attr]
        if claim:
            found["claim_number"] = claim
    amount = parse_amount(text)
    if amount is not None:
        found["amount"] = amount_request_text(amount)
    return found


def _parsed_kinds(text: str) -> set[str]:
    return set(_parsed(text))


# -- the queue ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Queued:
    text: str
    intent: str


def _encode(queue: Sequence[Queued]) -> str:
    return json.dumps([[q.text, q.intent] for q in queue])


def _decode(raw: str | None) -> list[Queued]:
    if not raw:
        return []
    try:
        return [Queued(str(text), str(intent)) for text, intent in json.loads(raw)]
    except (ValueError, TypeError):
        return []


def idle(facts: ConversationFacts) -> bool:
    """Nothing is being asked or waiting: a queued request may run."""
    return facts.active_loop is None and facts.pending_task is None


def ends_queue(facts: ConversationFacts, messages: BotMessages) -> bool:
    """After a handoff, start over, goodbye or a lockout, queued requests are forgotten."""
    if facts.latest_intent in DROPS_QUEUE or facts.identity_locked:
        return True
    return any(isinstance(m.get("custom"), dict) and "handoff" in m["custom"] for m in messages)


def with_notice(messages: BotMessages, notice: str) -> BotMessages:
    """``notice`` just before the turn's last message (which usually asks something)."""
    line = {"text": notice}
    if not messages:
        return [line]
    return [*messages[:-1], line, messages[-1]]


class RequestsInAMessage:
    """A ``TurnRunner`` that serves every request of a message, one Rasa turn each."""

    def __init__(
        self,
        run_turn: TurnRunner,
        *,
        parse: Parse,
        read_facts: ConversationReader,
        store: EphemeralStore,
        threshold: float = DEFAULT_THRESHOLD,
        notice: Callable[[str], str] = queued_request_notice,
    ) -> None:
        self._run_turn = run_turn
        self._parse = parse
        self._read_facts = read_facts
        self._store = store
        self._threshold = threshold
        self._notice = notice

    async def __call__(self, turn: TurnRequest) -> BotMessages:
        plan = await self._plan(turn)
        if plan is None:
            messages = await self._run_turn(turn)
            return await self._follow_up(turn, messages, fresh=False)
        metadata = {**turn.metadata, "original_text": redact(turn.text)}
        messages = await self._run_turn(replace(turn, text=plan.now, metadata=metadata))
        log.info("a %s message: one request run, %d to follow", plan.reason, len(plan.later))
        if plan.later:
            queue = [Queued(text, intent) for text, intent in plan.later]
            await self._store.put(self._key(turn.sender_id), _encode(queue), QUEUE_TTL_S)
        return await self._follow_up(turn, messages, fresh=bool(plan.later))

    async def _plan(self, turn: TurnRequest) -> Plan | None:
        found = worth_reading(turn.text)
        if found is None:
            return None
        try:
            plan = await plan_message(turn.text, found, self._parse, self._threshold)
            if plan is None:
                return None
            if (await self._read_facts(turn.sender_id)).active_loop is not None:
                return None  # a form is asking: the answer goes through as it is
            return plan
        except Exception:  # reading is an improvement; the message itself must still be answered
            log.warning("could not read a message for its requests; passed through", exc_info=True)
            return None

    @staticmethod
    def _key(sender_id: str) -> str:
        return QUEUE_KEY + sender_id

    async def _follow_up(
        self, turn: TurnRequest, messages: BotMessages, *, fresh: bool
    ) -> BotMessages:
        """Run queued requests while the conversation is idle; say what still waits."""
        key = self._key(turn.sender_id)
        queue = _decode(await self._store.get(key))
        if not queue:
            return messages
        facts = await self._read_facts(turn.sender_id)
        # Asked again in the person's own words meanwhile: served already.
        served = [q for q in queue if q.intent == facts.latest_intent]
        if served:
            queue = [q for q in queue if q not in served]
            await self._save(key, queue)
        ran = False
        while queue:
            if ends_queue(facts, messages):
                await self._store.delete(key)
                return messages
            if not idle(facts):
                break
            head, queue = queue[0], queue[1:]
            await self._save(key, queue)
            metadata = {k: v for k, v in turn.metadata.items() if k != "original_text"}
            metadata["queued_request"] = True
            messages = [
                *messages,
                *await self._run_turn(
                    TurnRequest(
                        sender_id=turn.sender_id,
                        text=head.text,
                        input_channel=turn.input_channel,
                        metadata=metadata,
                    )
                ),
            ]
            ran = True
            facts = await self._read_facts(turn.sender_id)
        if queue and (fresh or ran):
            return with_notice(messages, self._notice(queue[0].intent))
        return messages

    async def _save(self, key: str, queue: Sequence[Queued]) -> None:
        if queue:
            await self._store.put(key, _encode(queue), QUEUE_TTL_S)
        else:
            await self._store.delete(key)


class RasaServer:
    """The Rasa server a channel's blueprint runs in: its NLU and its tracker store.

    Known once the server has started (``attach`` registers the listener); until then, and when
    no model is loaded, ``parse`` raises and messages go through unchanged.
    """

    def __init__(self) -> None:
        self.app: Any = None

    def attach(self, blueprint: Blueprint) -> None:
        @blueprint.listener("after_server_start")
        async def found(app: Any, *_: Any) -> None:
            self.app = app

    def _agent(self) -> Any:
        return getattr(getattr(self.app, "ctx", None), "agent", None)

    async def parse(self, text: str) -> dict[str, Any]:
        agent = self._agent()
        if agent is None or not agent.is_ready():
            raise RuntimeError("no model loaded")
        parsed: dict[str, Any] = await agent.parse_message(text)
        return parsed

    async def facts(self, sender_id: str) -> ConversationFacts:
        return await tracker_reader(self.app)(sender_id)

    def serving(
        self,
        run_turn: TurnRunner,
        store: EphemeralStore,
        *,
        read_facts: ConversationReader | None = None,
    ) -> RequestsInAMessage:
        """``run_turn`` serving every request of a message with this server's NLU."""
        return RequestsInAMessage(
            run_turn, parse=self.parse, read_facts=read_facts or self.facts, store=store
        )
