"""Lines of insurance: the ones the carrier writes and the ones people ask for that it does not.

One table: a quote request names a line by one of its words ("pet", "dog", "dental"); a line the
carrier does not write gets a specific "we don't offer pet insurance" and what it does offer,
instead of a sales handoff nobody can serve.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Line:
    name: str  # as said in "we don't offer <name> insurance"
    words: tuple[str, ...]
    written: bool


LINES: tuple[Line, ...] = (
    Line("auto", ("auto", "car", "cars", "truck", "vehicle", "suv", "van"), written=True),
    Line("home", ("home", "house", "homeowners", "homeowner's", "condo"), written=True),
    Line("renters", ("renters", "renter's", "renter", "apartment", "tenant"), written=True),
    Line("health", ("health", "medical", "healthcare", "hospital"), written=False),
    Line("life", ("life",), written=False),
    Line("pet", ("pet", "pets", "dog", "cat", "puppy", "vet"), written=False),
    Line("travel", ("travel", "trip", "vacation"), written=False),
    Line("dental", ("dental", "teeth", "dentist"), written=False),
    Line("vision", ("vision", "eye", "glasses"), written=False),
    Line("disability", ("disability",), written=False),
    Line("motorcycle", ("motorcycle", "motorbike", "bike"), written=False),
    Line("boat", ("boat", "jetski"), written=False),
    Line("business", ("business", "commercial", "company"), written=False),
    Line("flood", ("flood",), written=False),
    Line("phone", ("phone", "gadget", "laptop"), written=False),
)
WE_OFFER = "We insure cars, homes and condos, and renters."
_WORD = re.compile(r"[a-z']+")


def line_asked_about(text: str) -> Line | None:
    """The line a message names (a line not written wins over one that is: "pet insurance for
    my home" asks about pets); None when it names none."""
    words = set(_WORD.findall(text.lower()))
    named = [line for line in LINES if words & set(line.words)]
    not_written = [line for line in named if not line.written]
    best = not_written or named
    return best[0] if best else None


def not_offered_text(line: Line) -> str:
    return (
        f"Sorry, we don't offer {line.name} insurance. {WE_OFFER} If you'd like a quote for "
        "one of those, just say which."
    )


def quote_lead(line: Line | None) -> str:
    """The first sentence of the sales handoff for a quote."""
    what = f"{line.name} insurance" if line is not None else "a new policy"
    return f"Thanks for your interest! Our sales team will get you a quote for {what}."
