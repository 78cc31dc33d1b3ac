"""Recovery codes: ten single-use codes shown once, stored as keyed hashes.

Each code carries 50 bits from ``secrets`` (10 characters of Crockford-like base32 without
look-alikes), which is why a fast keyed hash is enough here (unlike passwords).
"""

from __future__ import annotations

import secrets

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Engine

from bot.accounts.tables import recovery_codes
from bot.clock import Clock, utc_now
from bot.keyed_digest import keyed_digest

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L
CODE_COUNT = 10
CODE_LENGTH = 10


def _format(raw: str) -> str:
    return f"{raw[:5]}-{raw[5:]}"


def _canonical(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


class RecoveryCodes:
    def __init__(self, engine: Engine, key: str, *, clock: Clock = utc_now) -> None:
        self._engine = engine
        self._key = key
        self._clock = clock

    def _digest(self, code: str) -> str:
        return keyed_digest(self._key, "recovery-code", _canonical(code))

    def replace(self, account_id: int) -> list[str]:
        """A fresh set of codes (the old set stops working); returns them for showing once."""
        codes = [
            _format("".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH)))
            for _ in range(CODE_COUNT)
        ]
        now = self._clock()
        with self._engine.begin() as conn:
            conn.execute(delete(recovery_codes).where(recovery_codes.c.account_id == account_id))
            conn.execute(
                insert(recovery_codes),
                [
                    {"account_id": account_id, "code_hash": self._digest(c), "created_at": now}
                    for c in codes
                ],
            )
        return codes

    def use(self, account_id: int, code: str) -> bool:
        """True (and the code is spent) when ``code`` is one of the account's unused codes."""
        if len(_canonical(code)) != CODE_LENGTH:
            return False
        with self._engine.begin() as conn:
            result = conn.execute(
                update(recovery_codes)
                .where(recovery_codes.c.account_id == account_id)
                .where(recovery_codes.c.code_hash == self._digest(code))
                .where(recovery_codes.c.used_at.is_(None))
                .values(used_at=self._clock())
            )
        return int(result.rowcount) == 1

    def remaining(self, account_id: int) -> int:
        with self._engine.connect() as conn:
            rows = conn.execute(
                select(recovery_codes.c.id)
                .where(recovery_codes.c.account_id == account_id)
                .where(recovery_codes.c.used_at.is_(None))
            ).all()
        return len(rows)
