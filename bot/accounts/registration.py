"""Registration: identity proofing against PAS records, then a password.

1. ``start``: policy number, date of birth and ZIP must match the PAS records of the policy's
   policyholder (all three, one generic refusal so nothing is revealed about which was wrong).
   After ``max_failures`` refusals for one policy number within ``lockout_s``, that policy number
   is refused without a PAS lookup until the window passes (whatever the client address).
2. A one-time code goes to the phone on file (SMS) or the e-mail on file; ``confirm`` checks it.
   Possession of a contact point the PAS already had is the proof; there is no approval queue.
3. ``complete``: a password that passes the NIST rule; the account's sign-in name is the e-mail
   on file. MFA enrolment follows before the first full sign-in.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import date
from typing import Literal

from bot.accounts.accounts import Account, AccountExists, AccountStore
from bot.accounts.audit import AccountAudit
from bot.accounts.contact import ContactDelivery, mask_email
from bot.accounts.pas_records import HolderRecord, PolicyholderRecords
from bot.accounts.passwords import PasswordHashing, PasswordPolicy
from bot.conversation.send_budget import SendBudget, SendSource
from bot.keyed_digest import keyed_digest
from bot.lockouts import LockoutPolicy
from bot.one_time_codes import CodePolicy, CodeStatus, OneTimeCodes
from bot.phone_numbers import phone_hint, to_e164

Channel = Literal["sms", "email"]


class RegistrationRefused(Exception):
    """The details do not match a policy we can register (one message for every mismatch)."""


class RegistrationThrottled(Exception):
    """Too many refused attempts for this policy number recently."""


class AlreadyRegistered(Exception):
    """This policyholder already has a web account."""


class PasswordRejected(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class PendingRegistration:
    """What the visitor's session keeps between the steps (no PII besides masked hints)."""

    flow_id: str
    holder_id: str
    channel: Channel
    destination_hint: str


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


class RegistrationService:
    def __init__(
        self,
        records: PolicyholderRecords,
        accounts: AccountStore,
        codes: OneTimeCodes,
        code_policy: CodePolicy,
        budget: SendBudget,
        delivery: ContactDelivery,
        hashing: PasswordHashing,
        policy: PasswordPolicy,
        audit: AccountAudit,
        *,
        carrier_name: str,
        key: str,
        lockout: LockoutPolicy,
    ) -> None:
        self._key = key
        self._lock = lockout
        self._records = records
        self._accounts = accounts
        self._codes = codes
        self._code_policy = code_policy
        self._budget = budget
        self._delivery = delivery
        self._hashing = hashing
        self._policy = policy
        self._audit = audit
        self._carrier = carrier_name

    def start(
        self,
        policy_number: str,
        date_of_birth: date,
        zip_code: str,
        channel: Channel,
        *,
        source: SendSource,
    ) -> PendingRegistration:
        """Match the PAS records and send a code (``source``: the client address); raises
        ``RegistrationRefused``, ``RegistrationThrottled``, ``AlreadyRegistered``,
        ``SendLimitReached`` or ``RecordsUnavailable``."""
        # Guessing a date of birth for a known policy number from many addresses is slowed per
        # policy number (the per-address rate limit alone would not stop it).
        policy_key = (
            "policy="
            + keyed_digest(self._key, "registration-policy", policy_number.strip().upper())[:24]
        )
        window = self._lock.lock_period
        if self._audit.count("registration_refused", policy_key, window) >= self._lock.max_failures:
            self._audit.record("registration_throttled", None, policy_key)
            raise RegistrationThrottled
        record = self._records.by_policy_number(policy_number)
        zip5 = zip_code.strip()[:5]
        if (
            record is None
            or record.date_of_birth != date_of_birth
            or not _same(record.zip[:5], zip5)
        ):
            self._audit.record("registration_refused", None, policy_key)
            raise RegistrationRefused
        if self._accounts.by_holder(record.holder_id) is not None:
            raise AlreadyRegistered
        flow_id = secrets.token_urlsafe(24)
        hint = self._send_code(record, flow_id, channel, source)
        self._audit.record("registration_code_sent", None, f"channel={channel}")
        return PendingRegistration(flow_id, record.holder_id, channel, hint)

    def resend(self, pending: PendingRegistration, *, source: SendSource) -> None:
        record = self._records.by_holder_id(pending.holder_id)
        if record is None:
            raise RegistrationRefused
        self._send_code(record, pending.flow_id, pending.channel, source)

    def _send_code(
        self, record: HolderRecord, flow_id: str, channel: Channel, source: SendSource
    ) -> str:
        # An e-mailed code counts for the policyholder and the source, not for a number.
        destination = to_e164(record.phone) if channel == "sms" else None
        self._budget.spend(holder_id=record.holder_id, destination=destination, source=source)
        code = self._codes.issue("registration", flow_id, self._code_policy)
        text = (
            f"{self._carrier}: your registration code is {code}. It expires in "
            f"{self._code_policy.minutes} minutes. We will never ask you for it."
        )
        if channel == "email":
            self._delivery.email(record.email, f"{self._carrier} registration code", text)
            return mask_email(record.email)
        self._delivery.sms(record.phone, text)
        e164 = to_e164(record.phone)
        return phone_hint(e164) if e164 else "***"

    def confirm(self, pending: PendingRegistration, code: str) -> CodeStatus:
        return self._codes.check("registration", pending.flow_id, code).status

    def sign_in_email(self, pending: PendingRegistration) -> str:
        record = self._records.by_holder_id(pending.holder_id)
        if record is None:
            raise RegistrationRefused
        return record.email

    def complete(self, pending: PendingRegistration, password: str) -> Account:
        """Create the account (after ``confirm`` said ``ok``)."""
        email = self.sign_in_email(pending)
        problems = self._policy.problems(password, email=email)
        if problems:
            raise PasswordRejected(problems)
        try:
            account = self._accounts.create(
                kind="policyholder",
                email=email,
                holder_id=pending.holder_id,
                password_hash=self._hashing.hash(password),
            )
        except AccountExists as exc:
            raise AlreadyRegistered from exc
        self._audit.record("registered", account.id)
        return account
