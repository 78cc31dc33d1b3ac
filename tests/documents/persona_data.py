"""Persona and book data taken from the PAS sandbox's own generator, in-process.

The documents are checked against exactly what the sandbox serves: each record goes through its
``to_json`` (the API payload) and back through ``pas_connector.models``' ``from_json``.
"""

from __future__ import annotations

from datetime import date

from pas_connector.models import Policy, Policyholder
from pas_sandbox.book import Book
from pas_sandbox.dataset import generate
from pas_sandbox.personas import add_personas
from tests.support.personas import PERSONAS

# Maria (TX, two vehicles, lienholder), James (NC, mortgagee), Priya (OH, renters), Robert (WA,
# cancelled), José (NY auto and home).
PERSONA_POLICIES = tuple(number for p in PERSONAS for number in p.policy_numbers)


def _pairs(book: Book) -> dict[str, tuple[Policyholder, Policy]]:
    out = {}
    for number, record in book.policies.items():
        policy = Policy.from_json(record.to_json())
        holder = Policyholder.from_json(book.holders[record.holder_id].to_json())
        out[number] = (holder, policy)
    return out


def personas(as_of: date) -> dict[str, tuple[Policyholder, Policy]]:
    """Policy number → (policyholder, policy) for the fixture personas, dated from ``as_of``."""
    book = Book(seed=0, as_of=as_of)
    add_personas(book)
    return _pairs(book)


def generated_book(
    as_of: date, policyholders: int, seed: int = 20261125
) -> dict[str, tuple[Policyholder, Policy]]:
    """Every policy of a generated book (personas first), as the sandbox would serve them."""
    return _pairs(generate(seed, policyholders, as_of))
