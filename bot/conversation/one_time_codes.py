"""One-time codes: the possession factor of anonymous web chat (docs/architecture.md "Identity").

On SMS the sender's number on file is the possession factor; a web chat has no such number, so
once the date of birth and ZIP match, a 6-digit code is texted to the number on file and the
person types it into the chat. The code itself is the one code store's (``bot.one_time_codes``),
under the chat's own limits (``CHAT_CODES``: 10 minutes, 3 tries; web sign-in allows 5). Every
send spends the one send budget of codes (``send_budget``: per holder, per number, per source),
shared with web sign-in; over budget, no code is made and nothing is texted.

A code belongs to the conversation (its pseudonym is the subject), so a new code replaces the
old one and any action server can check it. Codes are never logged.
"""

from __future__ import annotations

import asyncio
import enum
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from bot.conversation.send_budget import SendBudget, SendLimitReached, SendSource
from bot.keyed_digest import pseudonym
from bot.notifications.sms import SmsSender
from bot.one_time_codes import CodePolicy, OneTimeCodes, read_code
from bot.phone_numbers import phone_hint, to_e164
from pas_connector.models import Fresh, Policyholder

__all__ = [
    "CHAT_CODES",
    "CheckStatus",
    "CodeCheck",
    "CodeSent",
    "OneTimeCodeService",
    "SendStatus",
    "read_code",
]

logger = logging.getLogger(__name__)

PURPOSE = "chat"
CHAT_CODES = CodePolicy(lifetime=timedelta(minutes=10), max_attempts=3)


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
    """Texts chat codes to the number on file and checks them."""

    def __init__(
        self,
        codes: OneTimeCodes,
        sender: SmsSender,
        holders: HolderLookup,
        budget: SendBudget,
        *,
        hash_key: str,
        carrier_name: str,
        policy: CodePolicy = CHAT_CODES,
    ) -> None:
        self._codes = codes
        self._sender = sender
        self._holders = holders
        self._budget = budget
        self._hash_key = hash_key
        self._carrier_name = carrier_name
        self.policy = policy

    def _subject(self, conversation_id: str) -> str:
        return f"conversation:{pseudonym(self._hash_key, 'conversation', conversation_id)}"

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
        subject = self._subject(conversation_id)
        code = await asyncio.to_thread(
            self._codes.issue, PURPOSE, subject, self.policy, holder_id=holder_id
        )
        body = (
            f"{self._carrier_name}: your verification code is {code}. It expires in "
            f"{self.policy.minutes} minutes. Never share it; we will never ask for it by phone."
        )
        result = await asyncio.to_thread(self._sender.send_sms, e164, body)
        if not result.accepted:
            await asyncio.to_thread(self._codes.withdraw, PURPOSE, subject)
            logger.info("one-time code to %s not sent: %s", phone_hint(e164), result.status)
            return CodeSent(SendStatus.NOT_SENT)
        logger.info("one-time code sent to %s", phone_hint(e164))
        return CodeSent(SendStatus.SENT, phone_hint=phone_hint(e164))

    async def check(self, conversation_id: str, code: str) -> CodeCheck:
        """Check ``code`` for this conversation; a valid code is used up."""
        check = await asyncio.to_thread(
            self._codes.check, PURPOSE, self._subject(conversation_id), code
        )
        if check.status == "ok":
            return CodeCheck(CheckStatus.VALID, holder_id=check.holder_id)
        if check.status in ("wrong", "too_many_attempts"):
            return CodeCheck(CheckStatus.WRONG, check.holder_id, check.attempts_left)
        return CodeCheck(CheckStatus.EXPIRED)
