"""The handoff summary: what a person picking up a conversation needs, instead of a transcript.

Built on every handoff (any reason) by one pure function, ``build_summary``, from the conversation
record the action sees (``ConversationRecord``): who (assurance level and the policy, masked),
what they asked in their own words (redacted), what the assistant already did (the conversation's
task outcomes), what is left (the routed reason and the pending task), urgency and frustration
flags, and the channel. The same input always gives the same summary.

Rules, one place each:

- *asked*: the person's messages that ask for something, newest ``ASKED_MESSAGES`` of them:
  button payloads, greetings, thanks, yes/no and identity answers (``inform``: a policy number,
  date of birth, ZIP or code) are left out, and so is a message with no words left after
  ``redaction.redact`` (a date of birth alone). Each is redacted, then trimmed.
- *urgent*: the routed task is urgent (a new claim), or a message names an injury or emergency
  (``URGENT_WORDS``) that is not negated just before ("nobody was hurt" is not urgent).
- *frustrated*: a message uses a word of ``FRUSTRATION_WORDS``, not negated just before.
- Only lexicon words are kept as the reason for a flag, never the person's text around them.

``whisper_text`` is the summary as an agent hears it before a transferred caller is connected
(a voice warm transfer's whisper): placeholders and the masked policy read as words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.conversation.formatting import mask_policy_number
from bot.conversation.redaction import redact
from bot.conversation.tasks.registry import task_for

ASKED_MESSAGES = 3
ASKED_CHARS = 200

# Messages that answer or greet rather than ask (the contract's conversation intents).
NOT_A_REQUEST = frozenset(
    {"greet", "goodbye", "thank", "affirm", "deny", "inform", "bot_challenge", "start_over"}
)

# Injury or emergency: the person may need help now (small on purpose: each word is tested).
URGENT_WORDS = (
    "911",
    "ambulance",
    "bleeding",
    "emergency",
    "hospital",
    "hurt",
    "injured",
    "injuries",
    "injury",
    "on fire",
    "trapped",
    "unconscious",
)
# Clear frustration with the assistant or the carrier.
FRUSTRATION_WORDS = (
    "angry",
    "annoyed",
    "fed up",
    "frustrated",
    "frustrating",
    "furious",
    "ridiculous",
    "sick of",
    "unacceptable",
    "useless",
    "waste of time",
    "worst",
)
# A word of a lexicon right after one of these (within ``NEGATION_WINDOW`` words) does not count.
NEGATIONS = frozenset({"no", "not", "nobody", "none", "never", "noone", "without"})
NEGATION_WINDOW = 3

# What is left for the person, by handoff reason (staff read these in the queue).
LEFT_BY_REASON = {
    "coverage_question": "Answer a question about what's covered.",
    "first_notice_of_loss": "Take the report of a new claim.",
    "change_policy": "Make a change to the policy or details.",
    "sales_quote": "Give a quote for new insurance.",
    "requested_person": "They asked for a person.",
    "repeated_misunderstanding": "The assistant did not understand them twice in a row.",
    "verification_locked": "They are locked out of checking who they are.",
}
LEFT_OTHERWISE = "Find out what they need."

# How a task outcome reads in "already done".
DONE_BY_OUTCOME = {
    "contained": "done",
    "failed": "could not finish",
    "handoff": "sent to a person",
    "abandoned": "left before the end",
}

_WORD = re.compile(r"[a-z0-9']+")
_PLACEHOLDER = re.compile(r"\[[A-Z]+\]")

# How a redaction placeholder is read aloud in a whisper.
SPOKEN_PLACEHOLDERS = {
    "[CARD]": "a card number",
    "[DATE]": "a date",
    "[POLICY]": "a policy number",
    "[CLAIM]": "a claim number",
    "[PHONE]": "a phone number",
    "[CODE]": "a code",
    "[NUMBER]": "a number",
}


@dataclass(frozen=True)
class Said:
    """One user message: its text and the intent the NLU read (None when unknown)."""

    text: str
    intent: str | None = None


@dataclass(frozen=True)
class TaskDone:
    """A task of this conversation the assistant already handled, and how it ended."""

    task: str
    outcome: str
    reason: str | None = None

    @property
    def text(self) -> str:
        """``your balance: done``, ``ID cards: could not finish``."""
        task = task_for(self.task)
        name = task.choice_title if task is not None else self.task.replace("_", " ")
        return f"{name}: {DONE_BY_OUTCOME.get(self.outcome, self.outcome)}"


@dataclass(frozen=True)
class ConversationRecord:
    """What the handoff action knows of the conversation when it hands off."""

    reason: str
    task: str | None
    assurance: str
    policy_number: str | None
    said: Sequence[Said]
    done: Sequence[TaskDone]
    channel: str
    # The routed task is urgent in itself (a new claim).
    urgent: bool = False


@dataclass(frozen=True)
class HandoffSummary:
    """The summary stored with a handoff and shown in the staff queue."""

    assurance: str  # anonymous | verified | mfa
    policy: str | None  # masked: AUT-****001
    asked: tuple[str, ...]  # their words, redacted, oldest first
    done: tuple[TaskDone, ...]
    reason: str
    task: str | None
    left: str
    urgent: bool
    urgent_words: tuple[str, ...]
    frustrated: bool
    frustration_words: tuple[str, ...]
    channel: str

    def as_json(self) -> dict[str, Any]:
        """The summary as a JSON object (stored in ``handoffs.structured_summary``, printed by
        ``policyline handoffs --json``)."""
        return {
            "who": {"assurance": self.assurance, "policy": self.policy},
            "asked": list(self.asked),
            "done": [
                {"task": d.task, "outcome": d.outcome, "reason": d.reason, "text": d.text}
                for d in self.done
            ],
            "left": {"reason": self.reason, "task": self.task, "text": self.left},
            "flags": {
                "urgent": self.urgent,
                "urgent_words": list(self.urgent_words),
                "frustrated": self.frustrated,
                "frustration_words": list(self.frustration_words),
            },
            "channel": self.channel,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> HandoffSummary:
        """The summary ``as_json`` wrote."""
        who, left, flags = data["who"], data["left"], data["flags"]
        return cls(
            assurance=str(who["assurance"]),
            policy=who.get("policy"),
            asked=tuple(str(line) for line in data["asked"]),
            done=tuple(
                TaskDone(task=str(d["task"]), outcome=str(d["outcome"]), reason=d.get("reason"))
                for d in data["done"]
            ),
            reason=str(left["reason"]),
            task=left.get("task"),
            left=str(left["text"]),
            urgent=bool(flags["urgent"]),
            urgent_words=tuple(flags["urgent_words"]),
            frustrated=bool(flags["frustrated"]),
            frustration_words=tuple(flags["frustration_words"]),
            channel=str(data["channel"]),
        )


def build_summary(record: ConversationRecord) -> HandoffSummary:
    """The handoff summary of ``record`` (pure: no clock, no I/O)."""
    typed = [s.text for s in record.said if s.text and not s.text.startswith("/")]
    urgent_words = lexicon_words(typed, URGENT_WORDS)
    frustration_words = lexicon_words(typed, FRUSTRATION_WORDS)
    return HandoffSummary(
        assurance=record.assurance,
        policy=mask_policy_number(record.policy_number) if record.policy_number else None,
        asked=asked_in_their_words(record.said),
        done=tuple(record.done),
        reason=record.reason,
        task=record.task,
        left=left_for(record.reason, record.task),
        urgent=record.urgent or bool(urgent_words),
        urgent_words=urgent_words,
        frustrated=bool(frustration_words),
        frustration_words=frustration_words,
        channel=record.channel,
    )


def asked_in_their_words(said: Sequence[Said]) -> tuple[str, ...]:
    """The newest messages that ask for something, redacted and trimmed, oldest first."""
    asked: list[str] = []
    for message in said:
        text = message.text.strip()
        if not text or text.startswith("/") or message.intent in NOT_A_REQUEST:
            continue
        redacted = redact(" ".join(text.split()))
        if not _WORD.search(_PLACEHOLDER.sub(" ", redacted).lower()):
            continue
        asked.append(_trim(redacted))
    return tuple(asked[-ASKED_MESSAGES:])


def left_for(reason: str, task: str | None) -> str:
    """What the person still has to do: the routed reason, and the task it interrupted."""
    left = LEFT_BY_REASON.get(reason, LEFT_OTHERWISE)
    routed = task_for(task)
    if routed is not None and routed.self_service:
        # "agent" in the middle of a balance: the balance is still to do.
        left = f"{left} Not finished: {routed.choice_title}."
    return left


def lexicon_words(texts: Iterable[str], lexicon: Sequence[str]) -> tuple[str, ...]:
    """The entries of ``lexicon`` said in ``texts`` (whole words, not just after a negation),
    each once, in lexicon order."""
    found: set[str] = set()
    for text in texts:
        words = _WORD.findall(text.lower().replace("\u2019", "'"))
        for entry in lexicon:
            if entry not in found and _said(words, entry.split()):
                found.add(entry)
    return tuple(entry for entry in lexicon if entry in found)


def _said(words: Sequence[str], phrase: Sequence[str]) -> bool:
    size = len(phrase)
    for start in range(len(words) - size + 1):
        if list(words[start : start + size]) == list(phrase) and not _negated(words, start):
            return True
    return False


def _negated(words: Sequence[str], start: int) -> bool:
    before = words[max(0, start - NEGATION_WINDOW) : start]
    return any(w in NEGATIONS or w.endswith("n't") for w in before)


def _trim(text: str) -> str:
    if len(text) <= ASKED_CHARS:
        return text
    return text[: ASKED_CHARS - 1].rstrip() + "…"


def whisper_text(summary: HandoffSummary) -> str:
    """What the agent hears before the caller is connected: flags, who, what is left, the last
    thing they asked, what is done. Short: the caller waits while it plays."""
    parts = ["Policyline handoff."]
    if summary.urgent:
        parts.append("Urgent.")
    if summary.frustrated:
        parts.append("The caller sounds upset.")
    if summary.policy is not None:
        ending = " ".join(summary.policy[-3:])
        parts.append(f"They proved who they are. Policy ends in {ending}.")
    else:
        parts.append("They did not prove who they are.")
    parts.append(summary.left)
    if summary.asked:
        parts.append(f"They said: {_spoken(summary.asked[-1]).rstrip('.?!')}.")
    if summary.done:
        parts.append("Already: " + "; ".join(d.text.replace(":", ",") for d in summary.done) + ".")
    return " ".join(parts)


def _spoken(text: str) -> str:
    return _PLACEHOLDER.sub(lambda found: SPOKEN_PLACEHOLDERS.get(found.group(0), ""), text)
