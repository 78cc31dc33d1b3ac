"""Which of a policyholder's policies a free-text reply names.

When a policyholder with several policies is asked "Which one is this for?", web chat shows
buttons, but SMS and voice users answer in words: "the home one", "my car", "002", "2",
"second". ``pick_policy`` maps such a reply to exactly one of the offered policies, or to none
when the reply is ambiguous or names none of them (the assistant then asks again).

It also reads a line word inside the request itself ("I need my home declarations"), so the
question is skipped when the policyholder already said which policy.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol, TypeVar

# Words policyholders use for each line of business.
LINE_WORDS: dict[str, frozenset[str]] = {
    "auto": frozenset(
        {"auto", "car", "cars", "vehicle", "vehicles", "truck", "suv", "van", "motor", "automobile"}
    ),
    "home": frozenset({"home", "house", "homeowner", "homeowners", "condo", "dwelling"}),
    "renters": frozenset({"renter", "renters", "rental", "apartment", "apt", "tenant"}),
}
ORDINALS: dict[str, int] = {
    "1": 0, "first": 0, "1st": 0, "top": 0,  # not "one": "the second one"
    "2": 1, "second": 1, "2nd": 1, "two": 1,
    "3": 2, "third": 2, "3rd": 2, "three": 2,
    "4": 3, "fourth": 3, "4th": 3, "four": 3,
}  # fmt: skip
# An ordinal alone only counts in a short reply ("2", "the second one"), never inside a sentence.
ORDINAL_MAX_WORDS = 4
# Digits that may name a policy: the masked tail shown to the user (3-4) or the full number (7).
POLICY_DIGIT_LENGTHS = (3, 4, 7)

_WORD = re.compile(r"[a-z0-9]+")


class OfferedPolicy(Protocol):
    @property
    def policy_number(self) -> str: ...

    @property
    def line(self) -> str: ...


P = TypeVar("P", bound=OfferedPolicy)


def pick_policy(text: str, offered: Sequence[P]) -> P | None:
    """The one policy in ``offered`` (in the order shown) that ``text`` names, else None."""
    words = _WORD.findall(text.lower())
    if not words or len(offered) < 2:
        return None
    by_digits = _by_digits(words, offered)
    if by_digits is not None:
        return by_digits
    by_line = [p for p in offered if LINE_WORDS.get(p.line, frozenset()) & set(words)]
    if len(by_line) == 1:
        return by_line[0]
    if by_line:
        return None  # "my car" with two auto policies: ask again
    if len(words) <= ORDINAL_MAX_WORDS:
        positions = {ORDINALS[w] for w in words if w in ORDINALS}
        if len(positions) == 1:
            position = positions.pop()
            if position < len(offered):
                return offered[position]
    return None


def _by_digits(words: list[str], offered: Sequence[P]) -> P | None:
    for word in words:
        if not word.isdigit() or len(word) not in POLICY_DIGIT_LENGTHS:
            continue
        matches = [p for p in offered if _digits(p.policy_number).endswith(word)]
        if len(matches) == 1:
            return matches[0]
    return None


def _digits(policy_number: str) -> str:
    return "".join(ch for ch in policy_number if ch.isdigit())
