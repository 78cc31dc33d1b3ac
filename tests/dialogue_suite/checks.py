"""Checks of one reply: facts that must be there, facts that must not, never exact wording.

A check is called with the reply to one line and the replies so far, and returns the problems it
found (an empty list when it holds). Checks combine with ``&``. Text facts match case-insensitively
(``$412.50``, ``Dana Brooks``); a compiled pattern matches as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from tests.dialogue_suite.phones import Reply

Fact = str | re.Pattern[str]
Problems = list[str]


def _found(fact: Fact, text: str) -> bool:
    if isinstance(fact, re.Pattern):
        return fact.search(text) is not None
    return fact.lower() in text.lower()


def _name(fact: Fact) -> str:
    return f"/{fact.pattern}/" if isinstance(fact, re.Pattern) else repr(fact)


@dataclass(frozen=True)
class Check:
    """One rule about a reply; ``earlier`` holds the replies to the previous lines."""

    run: Callable[[Reply, Sequence[Reply]], Problems]
    describe: str

    def __call__(self, reply: Reply, earlier: Sequence[Reply] = ()) -> Problems:
        return self.run(reply, earlier)

    def __and__(self, other: Check) -> Check:
        return Check(
            lambda reply, earlier: self(reply, earlier) + other(reply, earlier),
            f"{self.describe} and {other.describe}",
        )


def has(*facts: Fact) -> Check:
    """Every one of ``facts`` is in the reply."""

    def run(reply: Reply, _: Sequence[Reply]) -> Problems:
        return [f"missing {_name(f)}" for f in facts if not _found(f, reply.everything)]

    return Check(run, "has " + ", ".join(_name(f) for f in facts))


def lacks(*facts: Fact) -> Check:
    """None of ``facts`` is in the reply."""

    def run(reply: Reply, _: Sequence[Reply]) -> Problems:
        return [f"must not say {_name(f)}" for f in facts if _found(f, reply.everything)]

    return Check(run, "lacks " + ", ".join(_name(f) for f in facts))


def any_of(*facts: Fact, what: str = "") -> Check:
    """At least one of ``facts`` is in the reply (``what`` names the idea in failures)."""
    label = what or " or ".join(_name(f) for f in facts)

    def run(reply: Reply, _: Sequence[Reply]) -> Problems:
        return [] if any(_found(f, reply.everything) for f in facts) else [f"missing {label}"]

    return Check(run, label)


def in_order(first: Fact, then: Fact) -> Check:
    """Both facts are in the reply, ``first`` before ``then``."""

    def run(reply: Reply, _: Sequence[Reply]) -> Problems:
        text = reply.everything
        lowered = text.lower()

        def where(fact: Fact) -> int:
            if isinstance(fact, re.Pattern):
                match = fact.search(text)
                return match.start() if match else -1
            return lowered.find(fact.lower())

        a, b = where(first), where(then)
        if a < 0 or b < 0:
            return [f"missing {_name(first) if a < 0 else _name(then)}"]
        return [] if a < b else [f"{_name(then)} came before {_name(first)}"]

    return Check(run, f"{_name(first)} then {_name(then)}")


def same_answer_as(step: int, *, apart_from: Sequence[str]) -> Check:
    """The reply says the same as the reply to line ``step`` (1-based), once the strings in
    ``apart_from`` (the numbers the two lines named) and reference numbers are blanked out: an
    answer that differs would disclose which of the two exists."""

    def blank(text: str) -> str:
        for value in apart_from:
            text = re.sub(re.escape(value), "<number>", text, flags=re.IGNORECASE)
        text = TICKET.sub("<ticket>", text)
        return " ".join(text.split())

    def run(reply: Reply, earlier: Sequence[Reply]) -> Problems:
        if len(earlier) < step:
            return [f"no reply to line {step} to compare with"]
        before, now = blank(earlier[step - 1].text), blank(reply.text)
        if before == now:
            return []
        return [f"answers differently than to line {step}: {before!r} vs {now!r}"]

    return Check(run, f"same answer as line {step}")


def anything() -> Check:
    return Check(lambda reply, earlier: [], "anything")


# --- facts the suite uses over and over ------------------------------------------------------

TICKET = re.compile(r"\bHO-[A-Z0-9]{8}\b")
DOCUMENT_LINK = re.compile(r"https?://\S+/d/\S+")
PAY_LINK = re.compile(r"https?://\S+/pay/\S+")
MISUNDERSTOOD = (
    "didn't understand",
    "didn't quite get",
    "did not understand",
    "not getting it",
    "couldn't read",
    "could you say it another way",
    "can't help with that",
    # "did you mean ...?": the message was not routed, however good the guesses
    "did you mean",
)

ASKS_DOB = any_of("date of birth", what="the date-of-birth question")
ASKS_ZIP = any_of("ZIP", what="the ZIP question")
ASKS_POLICY_NUMBER = any_of("policy number", what="the policy-number question")
ASKS_CODE = any_of("6-digit code", "six-digit code", what="the one-time-code question")
ASKS_WHICH = any_of("which one", "which policy", "which claim", what="a which-one question")
ASKS_AMOUNT = any_of("how much", what="the amount question")
ASKS_HOLDER_NAME = any_of("made out to", what="the certificate-holder question")
ASKS_HOLDER_ADDRESS = any_of("mailing address", "their address", what="the address question")

# A person is on the way: a handoff reference (queue, SMS/web), a transfer (voice TwiML), or a
# callback offer (outside staffed hours).
PERSON = any_of(
    TICKET,
    "transferred",
    "call you back",
    "callback",
    what="a person offered (handoff reference, transfer or callback)",
)
CLAIMS_LINE = has("(800) 555-0199")
DOCUMENT = has(DOCUMENT_LINK)
MMS = Check(lambda reply, _: [] if reply.media else ["no PDF attached (MMS)"], "a PDF attached")
# A clear answer that a number is not one of the verified holder's, saying nothing about it.
NOT_YOURS = any_of(
    "not one of your",
    "isn't one of your",
    "not on your",
    "isn't on your",
    "not linked",
    "isn't linked",
    "not associated",
    "can't find",
    "couldn't find",
    "could not find",
    "don't see",
    "do not see",
    "only help with your own",
    "only look up your own",
    "can only",
    "don't have access",
    what="a clear 'that is not one of yours' answer",
)
UNDERSTOOD = lacks(*MISUNDERSTOOD)
