"""Who talks to the assistant in a benchmark, and what about.

The PAS sandbox seeds its book deterministically, so generating the same book in-process gives
the credentials (phone on file, date of birth, ZIP, policy number) of every policyholder the
sandbox serves, without asking it. Each conversation gets its own policyholder (an SMS
conversation id is the sender's number, so two benchmark conversations must never share one).

The intent mix is the reference deployment's contact breakdown (docs/architecture.md, "Reference
figures"): 34% documents, 28% payments, 21% claims, 17% coverage.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from pas_sandbox.book import Book
from pas_sandbox.dataset import generate
from pas_sandbox.personas import PERSONA_PHONES

SANDBOX_SEED = 20261125

# Case study: "34% were policy document requests ..., 28% were payment-related ..., 21% were
# claims status checks, and 17% were coverage queries and endorsement requests".
INTENT_MIX: dict[str, float] = {
    "documents": 0.34,
    "payments": 0.28,
    "claims": 0.21,
    "coverage": 0.17,
}

OPENERS: dict[str, tuple[str, ...]] = {
    "documents": ("I need my ID card", "can you send my declarations page", "need my id card pls"),
    "payments": ("what's my balance", "how much do I owe", "show my payment history"),
    "claims": ("what's the status of my claim", "any update on my claim"),
    "coverage": ("does my policy cover a rental car", "am I covered if a tree falls on my car"),
}


@dataclass(frozen=True)
class Persona:
    """One policyholder's credentials as a benchmark conversation uses them."""

    holder_id: str
    phone: str
    date_of_birth: date
    zip_code: str
    policy_number: str

    @property
    def dob_text(self) -> str:
        """Typed the way people text it: 4/12/1985."""
        d = self.date_of_birth
        return f"{d.month}/{d.day}/{d.year}"

    @property
    def dob_keys(self) -> str:
        """Keyed on a phone: MMDDYYYY."""
        return self.date_of_birth.strftime("%m%d%Y")


@dataclass(frozen=True)
class Script:
    """One conversation to drive: who, which intent category, and the opening message.

    ``follow_ups``: when given, the user's later turns, sent whatever the assistant says (simple
    turns: greet, thanks, small talk); otherwise the user answers what the assistant asks.
    """

    persona: Persona
    category: str
    opener: str
    follow_ups: tuple[str, ...] = ()


def personas(policyholders: int, as_of: date, book: Book | None = None) -> list[Persona]:
    """Generated holders of exactly one active policy in the sandbox book (same seed and size;
    ``book``: that book, already generated).

    The documented fixture personas are left out: their details are what the PII scan looks for.
    """
    book = book or generate(SANDBOX_SEED, policyholders, as_of)
    found = []
    for holder in book.holders.values():
        if len(holder.policy_numbers) != 1 or holder.phone in PERSONA_PHONES:
            continue
        policy = book.policies[holder.policy_numbers[0]]
        if policy.status != "active":
            continue
        found.append(
            Persona(
                holder.holder_id,
                holder.phone,
                holder.date_of_birth,
                holder.address.zip,
                policy.policy_number,
            )
        )
    return found


def scripts(pool: list[Persona], seed: int = 8) -> Iterator[Script]:
    """Conversations in the intent mix, each with a policyholder not used before in ``pool``."""
    rng = random.Random(seed)
    categories = list(INTENT_MIX)
    weights = [INTENT_MIX[c] for c in categories]
    for persona in pool:
        category = rng.choices(categories, weights)[0]
        yield Script(persona, category, rng.choice(OPENERS[category]))
