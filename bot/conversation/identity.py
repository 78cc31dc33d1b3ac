"""Identity verification (docs/architecture.md "Identity"): find the policyholder, then verify them.

*Finding* uses the channel's phone number (SMS sender, voice caller ID) through the PAS phone
index, or else the policy number the person gives. Finding never verifies anyone. *Verifying*
compares the date of birth and ZIP code they give with the PAS record, both always compared (in
constant time) so a failure does not say which one was wrong. Three failures lock the
conversation and the number it comes from for 15 minutes; more failures for one policyholder
across conversations lock the policy-number route for that holder, who is told and can still
verify from the number on file (``lockout``, ``IdentityService``). Values are never logged.

Verified is a server-side fact: a verification that succeeds is recorded with its conversation
(``verified_conversations``) and the actions read that record, never the tracker's slots.

Assurance: ``anonymous`` → ``verified`` here; ``mfa`` only arrives from the web hand-over token
(``web_handover``).
"""

from __future__ import annotations

import asyncio
import enum
import hmac
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from bot.clock import Clock, utc_now
from bot.conversation.read_ahead import ReadAhead
from bot.conversation.tasks import task_for
from bot.conversation.user_input import parse_date_of_birth, parse_policy_number, parse_zip
from bot.conversation.verified_conversations import VerifiedConversations, VerifiedIdentity
from bot.conversation.web_handover import (
    Assurance,
    InvalidHandover,
    WebHandover,
    WebHandoverSigner,
    mint_web_handover,
    verify_web_handover,
)
from bot.keyed_digest import pseudonym
from bot.lockouts import LockoutPolicy, LockoutStore
from bot.phone_numbers import to_e164
from pas_connector.errors import PasNotFound
from pas_connector.models import Fresh, PhoneMatch, Policy, Policyholder

if TYPE_CHECKING:
    from bot.conversation.tasks import Task

__all__ = [
    "IdentityService",
    "InvalidHandover",
    "Verification",
    "VerificationStatus",
    "VerifiedIdentity",
    "WebHandover",
    "mint_web_handover",
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
    # Date of birth and ZIP matched, but the person has not shown possession of the number on
    # file (web chat; SMS or a call from another number): a one-time code to that number decides.
    CODE_REQUIRED = "code_required"
    # The answers did not match the record (or no policyholder was found by what was given).
    FAILED = "failed"
    LOCKED = "locked"
    # Nothing to find the policyholder by: ask for the policy number first (not a failure).
    NEED_POLICY_NUMBER = "need_policy_number"
    # The date of birth or ZIP could not be read at all: ask again (not a failure).
    UNREADABLE = "unreadable"


# 3 failed verifications lock the conversation and the number it came from for 15 minutes
# (docs/architecture.md "Identity"); a failure older than that no longer counts.
GUESSER_LOCKOUT = LockoutPolicy(
    max_failures=3, lock_period=timedelta(minutes=15), forget_after=timedelta(minutes=15)
)


def holder_lockout(max_failures: int) -> LockoutPolicy:
    """Guesses at one policyholder from any conversation (``IDENTITY_HOLDER_MAX_FAILURES``)."""
    return LockoutPolicy(max_failures, GUESSER_LOCKOUT.lock_period, GUESSER_LOCKOUT.forget_after)


@dataclass(frozen=True)
class Verification:
    """The result of one verification attempt."""

    status: VerificationStatus
    holder_id: str | None = None
    attempts_left: int = GUESSER_LOCKOUT.max_failures
    locked_until: datetime | None = None


class LockNotice(Protocol):
    """Tells a policyholder that chat verification for them is locked (never why or by whom)."""

    async def holder_locked(self, holder_id: str, until: datetime | None) -> None: ...


class IdentityService:
    """Finds and verifies policyholders, counting failures and enforcing the lockouts.

    Two lockouts, so that a stranger's guesses slow the stranger first:
    - ``lockouts`` counts per conversation and per source (the sending or calling number) and
      locks after 3 failures: whoever is guessing is stopped.
    - ``holder_lockouts`` counts per policyholder across every conversation, with a higher
      threshold (guessing from many conversations), and locks only the knowledge route (policy
      number + date of birth + ZIP). The holder's own phone on file still works: possession is
      the route a stranger cannot take. The holder is told when it locks (``notice``).

    A successful verification is recorded server-side (``verified``): the actions read who is
    verified from there, never from the tracker's slots.
    """

    def __init__(
        self,
        lookups: IdentityLookups,
        lockouts: LockoutStore,
        *,
        hash_key: str,
        handover: WebHandoverSigner,
        verified: VerifiedConversations,
        holder_lockouts: LockoutStore | None = None,
        notice: LockNotice | None = None,
        read_ahead: ReadAhead | None = None,
        clock: Clock = utc_now,
    ) -> None:
        self._pas = lookups
        self._lockouts = lockouts
        self._holder_lockouts = holder_lockouts or lockouts
        self._verified = verified
        self._notice = notice
        self._hash_key = hash_key
        self._clock = clock
        self._read_ahead = read_ahead
        self.handover = handover

    def holder_subject(self, holder_id: str) -> str:
        return f"holder:{pseudonym(self._hash_key, 'holder', holder_id)}"

    def conversation_subject(self, conversation_id: str) -> str:
        return f"conversation:{pseudonym(self._hash_key, 'conversation', conversation_id)}"

    def source_subject(self, phone: str) -> str:
        return f"source:{pseudonym(self._hash_key, 'phone', phone)}"

    def _guesser_subjects(self, conversation_id: str, phone: str | None) -> list[str]:
        """Who is answering: the conversation, and the sending or calling number if any."""
        subjects = [self.conversation_subject(conversation_id)]
        e164 = to_e164(phone)
        if e164 is not None:
            subjects.append(self.source_subject(e164))
        return subjects

    async def find_by_phone(self, phone: str | None) -> PhoneMatch | None:
        """The policyholder whose number on file is ``phone``, if any (finds, never verifies)."""
        e164 = to_e164(phone)
        if e164 is None:
            return None
        return await self._pas.find_by_phone(e164)

    async def locked_until(self, conversation_id: str, phone: str | None = None) -> datetime | None:
        """When this conversation's (or its number's) lock ends, or ``None`` when not locked."""
        subjects = self._guesser_subjects(conversation_id, phone)
        return (await asyncio.to_thread(self._lockouts.state, subjects)).locked_until

    async def verified_identity(self, conversation_id: str) -> VerifiedIdentity | None:
        """Who this conversation has proven to be, from the server-side record (or ``None``)."""
        subject = self.conversation_subject(conversation_id)
        return await asyncio.to_thread(self._verified.current, subject)

    async def end_verification(self, conversation_id: str) -> None:
        """The conversation starts over: its verification ends."""
        subject = self.conversation_subject(conversation_id)
        await asyncio.to_thread(self._verified.end, subject)

    async def _verified_as(
        self, conversation_id: str, holder_id: str, assurance: Assurance
    ) -> VerifiedIdentity:
        subject = self.conversation_subject(conversation_id)
        await asyncio.to_thread(self._verified.record, subject, holder_id, assurance)
        return VerifiedIdentity(holder_id=holder_id, assurance=assurance)

    def read_ahead(
        self,
        *,
        conversation_id: str,
        phone: str | None,
        policy_number: str | None,
        task: str | None,
    ) -> bool:
        """Start, in the background, the PAS reads that verifying this person and then answering
        ``task`` (an intent) will make, so the verified answer finds them in the cache.

        Returns at once and gives nothing back (whether it started says nothing about the
        person). Read only when the person could go on to verify: the conversation and its
        number are not locked; the holder is found by the channel's number on file, or by the
        policy number given (then the holder's knowledge route must not be locked either).
        docs/security.md, "What an unverified person can cause to be read".
        """
        if self._read_ahead is None or not (to_e164(phone) or (policy_number or "").strip()):
            return False
        wanted = task_for(task)
        chosen = wanted if wanted is not None and wanted.self_service else None
        what = f"{to_e164(phone) or ''}|{(policy_number or '').strip()}|{task or ''}"
        return self._read_ahead.start(
            conversation_id,
            what,
            lambda: self._read_ahead_for(conversation_id, phone, policy_number, chosen),
        )

    async def _read_ahead_for(
        self,
        conversation_id: str,
        phone: str | None,
        policy_number: str | None,
        task: Task | None,
    ) -> None:
        reader = self._read_ahead
        if reader is None:
            return
        guesser = self._guesser_subjects(conversation_id, phone)
        if (await asyncio.to_thread(self._lockouts.state, guesser)).locked:
            return
        match = await self.find_by_phone(phone)
        if match is not None:
            # One policy on the index: its task reads go in the first round too.
            known = match.policy_numbers if len(match.policy_numbers) == 1 else ()
            await reader.warm(match.holder_id, known, task)
            return
        if not policy_number:
            return
        policy = await self._policy_by_number(policy_number)
        if policy is None:
            return
        holder = [self.holder_subject(policy.holder_id)]
        if (await asyncio.to_thread(self._holder_lockouts.state, holder)).locked:
            return
        await reader.warm(policy.holder_id, (policy.policy_number,), task)

    async def settle_read_ahead(self) -> None:
        """Wait for the reads started ahead of verification (tests and benchmarks count them)."""
        if self._read_ahead is not None:
            await self._read_ahead.drain()

    async def aclose(self) -> None:
        """Stop the reads started ahead of verification (the process is shutting down)."""
        if self._read_ahead is not None:
            await self._read_ahead.aclose()

    async def verify(
        self,
        *,
        conversation_id: str,
        phone: str | None,
        policy_number: str | None,
        date_of_birth: str | None,
        zip_code: str | None,
    ) -> Verification:
        """Find the policyholder (phone first, else policy number) and check DOB + ZIP.

        ``phone`` is the channel's own number (SMS sender, voice caller ID; ``None`` in web
        chat). When it is the number on file, matching answers verify (possession + knowledge).
        Otherwise matching answers give ``CODE_REQUIRED``: the failures counted so far stay until
        the code comes back, so restarting verification cannot reset the count of wrong codes.
        ``PasUnavailable`` propagates: an outage is not the person's failure and is not counted.
        """
        guesser = self._guesser_subjects(conversation_id, phone)
        state = await asyncio.to_thread(self._lockouts.state, guesser)
        if state.locked:
            return Verification(VerificationStatus.LOCKED, locked_until=state.locked_until)

        dob = parse_date_of_birth(date_of_birth or "", self._clock().date())
        zip5 = parse_zip(zip_code or "")
        if dob is None or zip5 is None:
            return Verification(
                VerificationStatus.UNREADABLE,
                attempts_left=self._lockouts.policy.max_failures - state.failures,
            )

        match = await self.find_by_phone(phone)
        possession = match is not None
        if match is not None:
            holder_id: str | None = match.holder_id
        elif policy_number:
            holder_id = await self._holder_by_policy(policy_number)
        else:
            return Verification(VerificationStatus.NEED_POLICY_NUMBER)
        holder = [self.holder_subject(holder_id)] if holder_id is not None else []
        if holder and not possession:
            holder_state = await asyncio.to_thread(self._holder_lockouts.state, holder)
            if holder_state.locked:
                return Verification(
                    VerificationStatus.LOCKED, locked_until=holder_state.locked_until
                )

        matched = False
        if holder_id is not None:
            record = (await self._pas.get_policyholder(holder_id)).value
            # Both compared every time, in constant time, so a failure reveals nothing.
            dob_ok = hmac.compare_digest(record.date_of_birth.isoformat(), dob.isoformat())
            zip_ok = hmac.compare_digest(record.address.zip[:5], zip5)
            matched = dob_ok & zip_ok

        if matched and holder_id is not None:
            if not possession:
                logger.info("identity answers matched; code follows", extra={"subject": holder[0]})
                return Verification(VerificationStatus.CODE_REQUIRED, holder_id=holder_id)
            await asyncio.to_thread(self._clear, guesser, holder)
            await self._verified_as(conversation_id, holder_id, "verified")
            logger.info("identity verified", extra={"subject": holder[0]})
            return Verification(VerificationStatus.VERIFIED, holder_id=holder_id)
        return await self._failed(guesser, holder_id)

    async def second_factor_passed(self, *, conversation_id: str, holder_id: str) -> None:
        """The one-time code was right: the person is verified, their failures forgotten."""
        await asyncio.to_thread(
            self._clear,
            [self.conversation_subject(conversation_id)],
            [self.holder_subject(holder_id)],
        )
        await self._verified_as(conversation_id, holder_id, "verified")
        logger.info(
            "identity verified with a one-time code",
            extra={"subject": self.holder_subject(holder_id)},
        )

    async def second_factor_failed(self, *, conversation_id: str, holder_id: str) -> Verification:
        """A wrong one-time code counts as a failed verification (3 → locked for 15 minutes)."""
        return await self._failed([self.conversation_subject(conversation_id)], holder_id)

    async def adopt_handover(self, conversation_id: str, token: str) -> VerifiedIdentity | None:
        """Verify this conversation by a web hand-over token, or ``None`` when it is not valid."""
        handover = await asyncio.to_thread(self.accept_handover, token)
        if handover is None:
            return None
        return await self._verified_as(conversation_id, handover.holder_id, handover.assurance)

    def _clear(self, guesser: list[str], holder: list[str]) -> None:
        self._lockouts.clear(guesser)
        self._holder_lockouts.clear(holder)

    async def _failed(self, guesser: list[str], holder_id: str | None) -> Verification:
        """Count a failure against whoever answered and, when one was found, the policyholder."""
        after = await asyncio.to_thread(self._lockouts.record_failure, guesser)
        if holder_id is not None:
            holder = [self.holder_subject(holder_id)]
            held = await asyncio.to_thread(self._holder_lockouts.record_failure, holder)
            if held.newly_locked and self._notice is not None:
                await self._notice.holder_locked(holder_id, held.locked_until)
        logger.info(
            "identity verification failed",
            extra={"subject": guesser[0], "failures": after.failures, "locked": after.locked},
        )
        if after.locked:
            return Verification(VerificationStatus.LOCKED, locked_until=after.locked_until)
        return Verification(
            VerificationStatus.FAILED,
            attempts_left=max(self._lockouts.policy.max_failures - after.failures, 0),
        )

    async def _holder_by_policy(self, policy_number: str) -> str | None:
        policy = await self._policy_by_number(policy_number)
        return policy.holder_id if policy is not None else None

    async def _policy_by_number(self, policy_number: str) -> Policy | None:
        """The policy a number names (bare digits: tried on each line), or ``None``."""
        for candidate in parse_policy_number(policy_number):
            try:
                return (await self._pas.get_policy(candidate)).value
            except PasNotFound:
                continue
        return None

    def accept_handover(self, token: str) -> WebHandover | None:
        """The identity a web hand-over token carries, or ``None`` when it is not valid: each
        token is accepted once, and only while the web session that minted it lives."""
        try:
            return self.handover.accept(token)
        except InvalidHandover:
            logger.info("web hand-over token refused")
            return None
