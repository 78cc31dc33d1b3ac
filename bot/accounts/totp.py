"""TOTP (RFC 6238) enrolment and verification with ``pyotp``; QR codes with ``segno``.

- Secrets: 160 bits from ``pyotp.random_base32()`` (drawn from ``secrets``), encrypted at rest.
- Enrolment: a pending secret is stored until the user proves they copied it by entering a code.
- Verification: the code may be one step (30 s) early or late (``valid_window=1``); each accepted
  time-step is stored, and a code for the same or an earlier step is refused (single use). The
  store is a conditional UPDATE (``... WHERE last_step IS NULL OR last_step < :step``), so two
  requests racing with the same code cannot both succeed.
"""

from __future__ import annotations

from datetime import datetime

import pyotp
import segno
from pyotp.exceptions import OTPVerificationError
from sqlalchemy import or_, update
from sqlalchemy.engine import Engine

from bot.accounts.secret_box import SecretBox
from bot.accounts.tables import web_accounts

DRIFT_STEPS = 1
CODE_DIGITS = 6


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, account_name: str, issuer: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=account_name, issuer_name=issuer)


def qr_svg_data_uri(uri: str) -> str:
    """The enrolment QR code as an SVG ``data:`` URI (served inline: no secret in any URL)."""
    return str(segno.make(uri, error="m").svg_data_uri(scale=5, border=2))


def matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The time-step ``code`` belongs to (within one step of ``now``), or ``None``."""
    cleaned = "".join(code.split())
    if len(cleaned) != CODE_DIGITS or not cleaned.isdigit():
        return None
    try:
        return pyotp.TOTP(secret).verify_and_get_timecode(
            cleaned, for_time=now, valid_window=DRIFT_STEPS
        )
    except OTPVerificationError:
        return None


class TotpVerifier:
    """Checks codes against an account's confirmed secret, once per time-step."""

    def __init__(self, engine: Engine, box: SecretBox) -> None:
        self._engine = engine
        self._box = box

    def accept(self, account_id: int, sealed_secret: str, code: str, now: datetime) -> bool:
        step = matching_step(self._box.open(sealed_secret), code, now)
        if step is None:
            return False
        return self._claim_step(account_id, step)

    def _claim_step(self, account_id: int, step: int) -> bool:
        with self._engine.begin() as conn:
            result = conn.execute(
                update(web_accounts)
                .where(web_accounts.c.id == account_id)
                .where(
                    or_(
                        web_accounts.c.totp_last_step.is_(None),
                        web_accounts.c.totp_last_step < step,
                    )
                )
                .values(totp_last_step=step)
            )
        return int(result.rowcount) == 1
