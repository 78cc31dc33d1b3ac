"""Identity verification (ARCHITECTURE.md "Identity"): find the policyholder, then verify them.

*Finding* uses the channel's phone number (SMS sender, voice caller ID) through the PAS phone
index, or else the policy number the person gives. Finding never verifies anyone. *Verifying*
compares the date of birth and ZIP code they give with the PAS record, both always compared (in
constant time) so a failure does not say which one was wrong. Three failures lock the
policyholder and the conversation for 15 minutes (``lockout``). Values are never logged.

Assurance: ``anonymous`` → ``verified`` here; ``mfa`` only arrives from the web hand-over token
(``web_handover``).
"""

from __future__ import annotations

import asyncio
import enum
import hmac
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import phonenumbers

from bot.conversation.clock import Clock, utc_now
from bot.conversation.lockout import MAX_FAILURES, LockoutStore
from bot.conversation.pseudonyms import pseudonym
from bot.conversation.user_input import parse_date_of_birth, parse_policy_number, parse_zip
from bot.conversation.web_handover import (
    InvalidHandover,
    WebHandover,
    WebHandoverSigner,
    mint_web_handover,
    verify_web_handover,
)
from pas_connector.errors import PasNotFound
from pas_connector.models import Fresh, PhoneMatch, Policy, Policyholder

__all__ = [
    "IdentityService",
    "InvalidHandover",
    "Verification",
    "VerificationStatus",
    "WebHandover",
    "mint_web_handover",
    "normalize_phone",
    "verify_web_handover",
]

logger = logging.getLogger(__name__)


class IdentityLookups(Protocol):
    """The PAS reads identity needs (a subset of ``PasConnector``)."""

    async def find_by_phone(self, phone: str) -> PhoneMatch | None: ...

    async def get_policy(self, policy_number: str) -> Fresh[Policy]: ...

    async def get_policyholder(self, holder_id: str) -> Fresh[Policyholder]: ...


class VerificationStatus(enum.Enum):
    VERIFIED = "verified"
    # The answers did not match the record (or no policyholder was found by what was given).
    FAILED = "failed"
    LOCKED = "locked"
    # Nothing to find the policyholder by: ask for the policy number first (not a failure).
    NEED_POLICY_NUMBER = "need_policy_number"
    # The date of birth or ZIP could not be read at all: ask again (not a failure).
    UNREADABLE = "unreadable"


@dataclass(frozen=True)
class Verification:
    """The result of one verification attempt."""

    status: VerificationStatus
    holder_id: str | None = None
    attempts_left: int = MAX_FAILURES
    locked_until: datetime | None = None


def normalize_phone(raw: str | None) -> str | None:
    """E.164 for a phone number as a channel gives it (US default), or ``None`` if not a number."""
    if not raw:
        return None
    try:
        number = phonenumbers.parse(raw, "US")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class IdentityService:
    """Finds and verifies policyholders, counting failures and enforcing the lockout."""

    def __init__(
        self,
        lookups: IdentityLookups,
        lockouts: LockoutStore,
        *,
        hash_key: str,
        handover: WebHandoverSigner,
        clock: Clock = utc_now,
    ) -> None:
        self._pas = lookups
        self._lockouts = lockouts
        self._hash_key = hash_key
        self._clock = clock
        self.handover = handover

    def holder_subject(self, holder_id: str) -> str:
        return f"holder:{pseudonym(self._hash_key, 'holder', holder_id)}"

    def conversation_subject(self, conversation_id: str) -> str:
        return f"conversation:{pseudonym(self._hash_key, 'conversation', conversation_id)}"

    async def find_by_phone(self, phone: str | None) -> PhoneMatch | None:
        """The policyholder whose number on file is ``phone``, if any (finds, never verifies)."""
        e164 = normalize_phone(phone)
        if e164 is None:
            return None
        return await self._pas.find_by_phone(e164)

    async def locked_until(self, conversation_id: str) -> datetime | None:
        """When this conversation's lock ends, or ``None`` when it is not locked."""
        subjects = [self.conversation_subject(conversation_id)]
        return (await asyncio.to_thread(self._lockouts.state, subjects)).locked_until

    async def verify(
        self,
        *,
        conversation_id: str,
        phone: str | None,
        policy_number: str | None,
        date_of_birth: str | None,
        zip_code: str | None,
        second_factor_follows: bool = False,
    ) -> Verification:
        """Find the policyholder (phone first, else policy number) and verify DOB + ZIP.

        With ``second_factor_follows`` (anonymous web chat: a one-time code comes next) a match
        keeps the failures counted so far: they are cleared only when the code is accepted, so
        restarting verification cannot reset the count of wrong codes.
        ``PasUnavailable`` propagates: an outage is not the person's failure and is not counted.
        """
        conversation = self.conversation_subject(conversation_id)
        state = await asyncio.to_thread(self._lockouts.state, [conversation])
        if state.locked:
            return Verification(VerificationStatus.LOCKED, locked_until=state.locked_until)

        dob = parse_date_of_birth(date_of_birth or "", self._clock().date())
        zip5 = parse_zip(zip_code or "")
        if dob is None or zip5 is None:
            return Verification(
                VerificationStatus.UNREADABLE, attempts_left=MAX_FAILURES - state.failures
            )

        match = await self.find_by_phone(phone)
        if match is not None:
            holder_id: str | None = match.holder_id
        elif policy_number:
            holder_id = await self._holder_by_policy(policy_number)
        else:
            return Verification(VerificationStatus.NEED_POLICY_NUMBER)
        subjects = [conversation]
        if holder_id is not None:
            subjects.append(self.holder_subject(holder_id))
            holder_state = await asyncio.to_thread(self._lockouts.state, subjects)
            if holder_state.locked:
                return Verification(
                    VerificationStatus.LOCKED, locked_until=holder_state.locked_until
                )

        matched = False
        if holder_id is not None:
            holder = (await self._pas.get_policyholder(holder_id)).value
            # Both compared every time, in constant time, so a failure reveals nothing.
            dob_ok = hmac.compare_digest(holder.date_of_birth.isoformat(), dob.isoformat())
            zip_ok = hmac.compare_digest(holder.address.zip[:5], zip5)
            matched = dob_ok & zip_ok

        if matched and holder_id is not None:
            if second_factor_follows:
                logger.info("identity answers matched", extra={"subject": subjects[-1]})
            else:
                await asyncio.to_thread(self._lockouts.clear, subjects)
                logger.info("identity verified", extra={"subject": subjects[-1]})
            return Verification(VerificationStatus.VERIFIED, holder_id=holder_id)

        after = await asyncio.to_thread(self._lockouts.record_failure, subjects)
        logger.info(
            "identity verification failed",
            extra={"subject": subjects[-1], "failures": after.failures, "locked": after.locked},
        )
        if after.locked:
            return Verification(VerificationStatus.LOCKED, locked_until=after.locked_until)
        return Verification(
            VerificationStatus.FAILED, attempts_left=max(MAX_FAILURES - after.failures, 0)
        )

    async def second_factor_passed(self, *, conversation_id: str, holder_id: str) -> None:
        """The one-time code was right: the person is verified, their failures forgotten."""
        subjects = [self.conversation_subject(conversation_id), self.holder_subject(holder_id)]
        await asyncio.to_thread(self._lockouts.clear, subjects)
        logger.info("identity verified with a one-time code", extra={"subject": subjects[-1]})

    async def second_factor_failed(self, *, conversation_id: str, holder_id: str) -> Verification:
        """A wrong one-time code counts as a failed verification (3 → locked for 15 minutes)."""
        subjects = [self.conversation_subject(conversation_id), self.holder_subject(holder_id)]
        after = await asyncio.to_thread(self._lockouts.record_failure, subjects)
        logger.info(
            "one-time code refused",
            extra={"subject": subjects[-1], "failures": after.failures, "locked": after.locked},
        )
        if after.locked:
            return Verification(VerificationStatus.LOCKED, locked_until=after.locked_until)
        return Verification(
            VerificationStatus.FAILED, attempts_left=max(MAX_FAILURES - after.failures, 0)
        )

    async def _holder_by_policy(self, policy_number: str) -> str | None:
        for candidate in parse_policy_number(policy_number):
            try:
                policy = await self._pas.get_policy(candidate)
            except PasNotFound:
                continue
            return policy.value.holder_id
        return None

    def accept_handover(self, token: str) -> WebHandover | None:
        """The identity a web hand-over token carries, or ``None`` when it is not valid."""
        try:
            return self.handover.verify(token)
        except InvalidHandover:
            logger.info("web hand-over token refused")
            return None
