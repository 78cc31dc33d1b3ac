""" "Did you mean ...?": the tasks the NLU ranked best for a message it was not sure about.

When the NLU falls back (low confidence, or the top two intents too close), the two best-ranked
intents are often right: offered as choices they save a rephrase. Only tasks of the registry are
offered, named as the registry names them; conversation intents (greet, thank ...) never are.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from bot.conversation.tasks import Task, task_for

DID_YOU_MEAN = "Sorry, I'm not sure I understood. Did you mean one of these?"
NONE_OF_THESE = "none of these"
# The button that declines every offer: a "no" right after a miss (one more miss).
NONE_OF_THESE_PAYLOAD = "/deny"
# How many of the ranking's best intents are looked at, and the least confidence an offered
# one must have: a task far down the ranking is a guess, not a candidate.
LOOK_AT = 2
MIN_CONFIDENCE = 0.1
# The FallbackClassifier's own intent, ranked first when it falls back.
FALLBACK_INTENT = "nlu_fallback"


def candidates(ranking: Iterable[Mapping[str, Any]]) -> list[Task]:
    """The tasks among the ``LOOK_AT`` best intents of an NLU ranking, best first."""
    ranked = [r for r in ranking if r.get("name") != FALLBACK_INTENT][:LOOK_AT]
    tasks: list[Task] = []
    for entry in ranked:
        task = task_for(str(entry.get("name") or ""))
        if task is not None and float(entry.get("confidence") or 0.0) >= MIN_CONFIDENCE:
            tasks.append(task)
    return tasks


def choices(tasks: Iterable[Task]) -> list[tuple[str, str]]:
    """(title, payload) of one button per task (its intent as the payload), then "none of
    these"."""
    offered = [(task.choice_title, f"/{task.intent}") for task in tasks]
    return [*offered, (NONE_OF_THESE, NONE_OF_THESE_PAYLOAD)]


def offered_choices(events: Iterable[Mapping[str, Any]]) -> bool:
    """Whether the assistant's last words before the latest user message were this offer."""
    seen_latest = False
    for event in reversed(list(events)):
        kind = event.get("event")
        if kind == "user":
            if seen_latest:
                return False
            seen_latest = True
        elif kind == "bot" and seen_latest:
            return event.get("text") == DID_YOU_MEAN
    return False
