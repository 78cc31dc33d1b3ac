"""Whether a reply to "Which one?" is something else: a person, start over, stop, another task.

While the assistant waits for a policy or claim choice, a reply that names exactly one of the
offered items ("homeowners", "my truck", "the 2nd", "ending 002") is the answer, whatever intent
the NLU guessed for it ("homeowners" reads like a quote request, "auto" like autopay). It is not
the answer when it clearly asks for something else:

- a person ("agent", "a real person"), to start over, or to stop ("cancel", "never mind");
- another task, named in the reply's own words: the NLU's intent is another task and the reply
  says a word of that task that the waiting task does not have ("a quote for homeowners" while
  a declarations page waits; "pay the house one" while an ID card waits).

The task words come from the registry (each task's ``words`` and intent name), so a new task
needs nothing here. Words that name a choice (lines of business, ordinals) never count as a
task word: "the car" is not "card".
"""

from __future__ import annotations

import re

from bot.conversation.policy_choice import (
    FILLER,
    LINE_WORDS,
    ORDINALS,
    POLICY_STATUS_WORDS,
    normalise,
)
from bot.conversation.tasks import task_for

# Asking for a person: the human-exit rule always wins over reading a choice.
PERSON_WORDS = frozenset(
    {
        "agent", "agents", "representative", "rep", "person", "human", "someone", "somebody",
        "operator", "advisor", "adviser", "people", "live",
    }
)  # fmt: skip
START_OVER = ("start over", "restart", "reset", "start again", "begin again", "from the top")
STOP_WORDS = frozenset(
    {"stop", "cancel", "quit", "exit", "nevermind", "unsubscribe", "bye", "goodbye"}
)
STOP_PHRASES = ("never mind", "forget it", "forget about it")
# Intents that are a different request whatever the words. Not ``human_handoff``: asking for a
# person is read from the words (PERSON_WORDS, "talk to"), because the NLU also reads polite
# replies as a handoff ("can you do 60 instead", "the second one if you could"); a reply that
# asks for a person in words still always wins.
OTHER_REQUEST_INTENTS = frozenset({"start_over", "goodbye"})
PERSON_PHRASES = ("talk to", "speak to", "speak with", "talk with", "transfer me", "call me")
# Words of task names that say nothing of which task ("make a payment", "autopay question").
_GENERIC_TASK_WORDS = frozenset(
    {
        "request", "make", "new", "question", "change", "call", "with", "set", "up", "check",
        "page", "get",
    }
)  # fmt: skip
# Words that name a request of their own when the NLU read another task ("update my address
# on the house", "file one for the truck"), unless the waiting task is named by them.
REQUEST_VERBS = frozenset(
    {
        "pay", "update", "add", "remove", "report", "file", "cancel", "enroll", "quote", "buy",
        "insure", "renew", "replace", "address", "phone", "email",
    }
)  # fmt: skip
_MIN_STEM = 3
_CHOICE_WORDS = frozenset(
    set().union(*LINE_WORDS.values()) | set(ORDINALS) | set(POLICY_STATUS_WORDS)
)


def asks_something_else(text: str, intent: str | None, pending_task: str) -> bool:
    """Whether ``text``, sent while ``pending_task`` waits for a choice, asks for something
    other than that choice (so it is not taken as the choice even when it names one)."""
    plain = " ".join(re.findall(r"[a-z0-9]+", normalise(text)))
    words = plain.split()
    if intent in OTHER_REQUEST_INTENTS:
        return True
    if any(w in PERSON_WORDS or w in STOP_WORDS for w in words):
        return True
    phrases = (*START_OVER, *STOP_PHRASES, *PERSON_PHRASES)
    if any(re.search(rf"\b{phrase}\b", plain) for phrase in phrases):
        return True
    other = task_for(intent)
    if other is None or other.intent == pending_task:
        return False
    own = task_words(pending_task)
    named = (task_words(other.intent) | REQUEST_VERBS) - own
    distinctive = {d for d in named if not any(_same_stem(d, w) for w in own)}
    said = [w for w in words if w not in FILLER and w not in _CHOICE_WORDS]
    return any(_same_stem(w, d) for w in said for d in distinctive)


def task_words(intent: str) -> frozenset[str]:
    """The words a task is named by in the registry ("make_payment", "payment" → pay…)."""
    task = task_for(intent)
    if task is None:
        return frozenset()
    named = re.findall(r"[a-z]+", f"{task.intent} {task.words}".lower().replace("_", " "))
    return frozenset(w for w in named if w not in _GENERIC_TASK_WORDS and w not in FILLER)


def _same_stem(word: str, task_word: str) -> bool:
    """ "pay" / "payment" / "payments": a word said is a task word or grows from it; it stands
    for a longer task word only from four letters on ("can" is not "cancel", "add" not
    "address")."""
    if len(word) < _MIN_STEM or len(task_word) < _MIN_STEM:
        return word == task_word
    if word.startswith(task_word):
        return True
    return len(word) > _MIN_STEM and task_word.startswith(word)
