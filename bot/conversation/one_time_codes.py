"""One-time codes: the possession factor of anonymous web chat (docs/architecture.md "Identity").

On SMS the sender's number on file is the possession factor; a web chat has no such number, so
once the date of birth and ZIP match, a 6-digit code is texted to the number on file and the
person types it into the chat. Rules (NIST 800-63B): generated with ``secrets``, only to the
number on file, valid 10 minutes, single use, at most ``MAX_CODE_ATTEMPTS`` tries per code. Every
send spends the one send budget of codes (``send_budget``: per holder, per number, per source),
shared with web sign-in; over budget, no code is made and nothing is texted.

Only a keyed digest of the code is stored (one row per conversation, keyed by the conversation's
pseudonym, so a new code replaces the old one). Codes are never logged. The row is in the
application database, so any action server can check a code another one issued.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from sqlalchemy import Column, Float, Integer, String, Table, delete, insert, select, update
from sqlalchemy.engine import Engine

from bot.clock import Clock, utc_now
from bot.conversation.send_budget import SendBudget, SendLimitReached, SendSource
from bot.db import metadata
from bot.keyed_digest import digests_equal, keyed_digest, pseudonym
from bot.notifications.sms import SmsSender
from bot.phone_numbers import phone_hint, to_e164
from pas_connector.models import Fresh, Policyholder

logger = logging.getLogger(__name__)

CODE_DIGITS = 6
CODE_LIFETIME = timedelta(minutes=10)
MAX_CODE_ATTEMPTS = 3

one_time_codes = Table(
    "one_time_codes",
    metadata,
    # "conversation:<pseudonym>": one live code per conversation
    Column("subject", String(64), primary_key=True),
    Column("holder_id", String(64), nullable=False),
    # hex HMAC-SHA256 of the code under the hash key and the subject
    Column("code_digest", String(64), nullable=False),
    # Unix seconds, UTC
    Column("expires_at", Float, nullable=False),
    Column("attempts", Integer, nullable=False),
)


def random_code() -> str:
    """A uniformly random 6-digit code (leading zeros kept)."""
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def read_code(text: str) -> str | None:
    """The 6-digit code in what the person typed (``"482 913"``, ``"code: 482-913"``), if any."""
    digits = "".join(ch for ch in text if ch.isdigit())
    return digits if len(digits) == CODE_DIGITS else None


class HolderLookup(Protocol):
    async def get_policyholder(self, holder_id: str) -> Fresh[Policyholder]: ...


class SendStatus(enum.Enum):
    SENT = "sent"
    # No textable number on file, the number opted out of texts, or the SMS provider failed.
    NOT_SENT = "not_sent"
    # The send budget is spent (too many codes for this holder, number or source lately).
    LIMITED = "limited"


@dataclass(frozen=True)
class CodeSent:
    status: SendStatus
    # "***01": the last two digits of the number the code went to (safe to show and log)
    phone_hint: str | None = None
    # LIMITED: how long until a code can be sent again
    retry_after: timedelta | None = None


class CheckStatus(enum.Enum):
    VALID = "valid"
    WRONG = "wrong"
    # No live code: never sent, expired, already used or out of attempts.
    EXPIRED = "expired"


@dataclass(frozen=True)
class CodeCheck:
    status: CheckStatus
    holder_id: str | None = None
    attempts_left: int = 0


class OneTimeCodeService:
    """Issues, texts and checks one-time codes."""

    def __init__(
        self,
        engine: Engine,
        sender: SmsSender,
        holders: HolderLookup,
        budget: SendBudget,
        *,
        hash_key: str,
        carrier_name: str,
        clock: Clock = utc_now,
        generate: Callable[[], str] = random_code,
    ) -> None:
        self._engine = engine
        self._sender = sender
        self._holders = holders
        self._budget = budget
        self._hash_key = hash_key
        self._carrier_name = carrier_name
        self._clock = clock
        self._generate = generate

    def _subject(self, conversation_id: str) -> str:
        return f"conversation:{pseudonym(self._hash_key, 'conversation', conversation_id)}"

    def _digest(self, subject: str, code: str) -> str:
        return keyed_digest(self._hash_key, f"one-time-code:{subject}", code)

    async def send(self, conversation_id: str, holder_id: str, *, source: SendSource) -> CodeSent:
        """Text a new code to ``holder_id``'s number on file; it replaces any earlier code.

        ``source`` is where the request came from (the chat session, or the number an SMS or
        call came from). ``PasUnavailable`` propagates (the number on file comes from the PAS).
        """
        holder = (await self._holders.get_policyholder(holder_id)).value
        e164 = to_e164(holder.phone)
        if e164 is None:
            logger.info("one-time code not sent: no textable number on file")
            return CodeSent(SendStatus.NOT_SENT)
        try:
            await asyncio.to_thread(
                self._budget.spend, holder_id=holder_id, destination=e164, source=source
            )
        except SendLimitReached as refused:
            return CodeSent(SendStatus.LIMITED, retry_after=refused.retry_after)
        code = self._generate()
        await asyncio.to_thread(self._store, self._subject(conversation_id), holder_id, code)
        body = (
            f"{self._carrier_name}: your verification code is {code}. It expires in "
            f"{int(CODE_LIFETIME.total_seconds() // 60)} minutes. Never share it; we will "
            "never ask for it by phone."
        )
        result = await asyncio.to_thread(self._sender.send_sms, e164, body)
        if not result.accepted:
            await asyncio.to_thread(self._forget, self._subject(conversation_id))
            logger.info("one-time code to %s not sent: %s", phone_hint(e164), result.status)
            return CodeSent(SendStatus.NOT_SENT)
        logger.info("one-time code sent to %s", phone_hint(e164))
        return CodeSent(SendStatus.SENT, phone_hint=phone_hint(e164))

    async def check(self, conversation_id: str, code: str) -> CodeCheck:
        """Check ``code`` for this conversation; a valid code is used up."""
        return await asyncio.to_thread(self._check, self._subject(conversation_id), code)

    def _store(self, subject: str, holder_id: str, code: str) -> None:
        expires_at = (self._clock() + CODE_LIFETIME).timestamp()
        with self._engine.begin() as conn:
            conn.execute(delete(one_time_codes).where(one_time_codes.c.subject == subject))
            conn.execute(
                insert(one_time_codes).values(
                    subject=subject,
                    holder_id=holder_id,
                    code_digest=self._digest(subject, code),
                    expires_at=expires_at,
                    attempts=0,
                )
            )

    def _forget(self, subject: str) -> None:
        with self._engine.begin() as conn:
            conn.execute(delete(one_time_codes).where(one_time_codes.c.subject == subject))

    def _check(self, subject: str, code: str) -> CodeCheck:
        now = self._clock().timestamp()
        given = self._digest(subject, code)
        with self._engine.begin() as conn:
            row = conn.execute(
                select(one_time_codes).where(one_time_codes.c.subject == subject).with_for_update()
            ).first()
            if row is None:
                return CodeCheck(CheckStatus.EXPIRED)
            if row.expires_at <= now or row.attempts >= MAX_CODE_ATTEMPTS:
                conn.execute(delete(one_time_codes).where(one_time_codes.c.subject == subject))
                return CodeCheck(CheckStatus.EXPIRED)
            if digests_equal(row.code_digest, given):
                # Single use: the code is gone the moment it is accepted.
                conn.execute(delete(one_time_codes).where(one_time_codes.c.subject == subject))
                return CodeCheck(CheckStatus.VALID, holder_id=row.holder_id)
            attempts = row.attempts + 1
            if attempts >= MAX_CODE_ATTEMPTS:
                conn.execute(delete(one_time_codes).where(one_time_codes.c.subject == subject))
            else:
                conn.execute(
                    update(one_time_codes)
                    .where(one_time_codes.c.subject == subject)
                    .values(attempts=attempts)
                )
            return CodeCheck(
                CheckStatus.WRONG,
                holder_id=row.holder_id,
                attempts_left=MAX_CODE_ATTEMPTS - attempts,
            )
