"""The five fixture personas, as tests know them: read from the PAS sandbox's own records.

``pas_sandbox.personas`` is the source of truth (the README, the acceptance checks and the
simulators rely on it). Tests import ``MARIA`` … ``JOSE`` from here and never restate a name,
phone, date of birth, ZIP, policy number or holder id; the shapes other layers need
(``pas_connector.models.Policyholder``, ``bot.accounts.pas_records.HolderRecord``) are built from
these by the helpers below.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.accounts.pas_records import HolderRecord
from pas_connector.models import Policyholder
from pas_sandbox.book import Book
from pas_sandbox.personas import add_personas

# Persona facts do not move with the date; only policy and claim dates do.
_AS_OF = date(2026, 11, 25)


@dataclass(frozen=True)
class Persona:
    holder_id: str
    name: str  # full name, as the sandbox prints it
    first_name: str
    last_name: str
    policy_number: str  # the persona's first policy
    policy_numbers: tuple[str, ...]
    phone: str  # E.164
    date_of_birth: str  # ISO, 1985-04-12
    zip: str
    email: str
    holder_json: dict[str, object]  # the PAS API payload for the policyholder

    @property
    def born(self) -> date:
        return date.fromisoformat(self.date_of_birth)

    @property
    def date_of_birth_typed(self) -> str:
        """The date of birth as a caller types it: MM/DD/YYYY."""
        return self.born.strftime("%m/%d/%Y")


def _personas() -> dict[str, Persona]:
    book = Book(seed=0, as_of=_AS_OF)
    add_personas(book)
    found = {}
    for holder in book.holders.values():
        data = holder.to_json()
        found[holder.first_name] = Persona(
            holder_id=holder.holder_id,
            name=holder.full_name,
            first_name=holder.first_name,
            last_name=holder.last_name,
            policy_number=holder.policy_numbers[0],
            policy_numbers=tuple(holder.policy_numbers),
            phone=holder.phone,
            date_of_birth=holder.date_of_birth.isoformat(),
            zip=holder.address.zip,
            email=holder.email,
            holder_json=data,
        )
    return found


_BY_FIRST_NAME = _personas()
MARIA = _BY_FIRST_NAME["Maria"]
JAMES = _BY_FIRST_NAME["James"]
PRIYA = _BY_FIRST_NAME["Priya"]
ROBERT = _BY_FIRST_NAME["Robert"]
JOSE = _BY_FIRST_NAME["José"]
PERSONAS = (MARIA, JAMES, PRIYA, ROBERT, JOSE)


def policyholder(persona: Persona) -> Policyholder:
    """The persona as the connector returns it (through the sandbox's own API payload)."""
    return Policyholder.from_json(persona.holder_json)


def holder_record(persona: Persona) -> HolderRecord:
    """The persona as account registration reads it from the PAS."""
    return HolderRecord(
        holder_id=persona.holder_id,
        first_name=persona.first_name,
        date_of_birth=persona.born,
        zip=persona.zip,
        phone=persona.phone,
        email=persona.email,
    )
