"""Unique, valid, fictional-first US phone numbers for generated policyholders.

Scheme (documented in ``pas_sandbox/README.md``):

1. Every number is ``+1 NPA 555 XXXX`` where NPA is a real area code serving the holder's city, so
   ``phonenumbers`` accepts it as a valid US number and the area code matches the address.
2. Line numbers 0100-0199 (the range NANPA reserves for fiction) are used first: the holder's
   city's area codes, then any area code of the same state, then any area code in the table
   (people keep their mobile numbers when they move).
3. Only when all fictional numbers of every area code in the table are taken (about 20,000 of
   them) does the allocator continue with 555-0200, 555-0201, ... in the city's own area codes.
4. Numbers passed as ``reserved`` (the fixed personas') and 555-1212 are never handed out.

Allocation is sequential and deterministic: the n-th holder gets the same number for a given seed
regardless of how many holders come after it.
"""

from __future__ import annotations

import random
from collections.abc import Iterable

from pas_sandbox.reference_data import CITIES, City

FICTIONAL_FIRST, FICTIONAL_LAST = 100, 199
OVERFLOW_LAST = 9999
# 555-1212 is directory assistance in every area code: never a subscriber's number.
DIRECTORY_ASSISTANCE = 1212


class PhoneBook:
    """Hands out unique E.164 numbers following the module's scheme."""

    def __init__(self, reserved: Iterable[str] = ()) -> None:
        self._reserved = set(reserved)
        self._issued: set[str] = set()
        # Next line number to try in each area code, in table order (dict keeps first sight).
        self._next_line: dict[str, int] = {}
        self._state_codes: dict[str, list[str]] = {}
        for city in CITIES:
            for code in city.area_codes:
                self._next_line.setdefault(code, FICTIONAL_FIRST)
                codes = self._state_codes.setdefault(city.state, [])
                if code not in codes:
                    codes.append(code)
        self._all_codes = list(self._next_line)
        # Index into _all_codes below which every area code's fictional range is used up.
        self._global_cursor = 0

    def allocate(self, rng: random.Random, city: City) -> str:
        """A new number for a holder living in ``city``."""
        preferred = list(city.area_codes)
        rng.shuffle(preferred)
        for code in (*preferred, *self._state_codes[city.state]):
            number = self._take(code, FICTIONAL_LAST)
            if number:
                return number
        while self._global_cursor < len(self._all_codes):
            number = self._take(self._all_codes[self._global_cursor], FICTIONAL_LAST)
            if number:
                return number
            self._global_cursor += 1
        for code in preferred:
            number = self._take(code, OVERFLOW_LAST)
            if number:
                return number
        for code in self._all_codes:
            number = self._take(code, OVERFLOW_LAST)
            if number:
                return number
        raise RuntimeError("phone numbers exhausted")

    def _take(self, code: str, last_line: int) -> str | None:
        line = self._next_line[code]
        while line <= last_line:
            number = f"+1{code}555{line:04d}"
            line += 1
            if line - 1 == DIRECTORY_ASSISTANCE:
                continue
            if number not in self._reserved and number not in self._issued:
                self._next_line[code] = line
                self._issued.add(number)
                return number
        self._next_line[code] = line
        return None
