"""The sign-in flow the web blueprints drive: password, risk, second factor, enrolment.

Steps (the web layer keeps the state between them in the server-side session):

1. ``check_password``: a wrong password counts towards the lock (``login_max_failures`` in a row
   lock the e-mail address for ``lockout_s``: ``lockouts``). Before the password is proven
   nothing differs by what is behind the address: an unknown e-mail, a locked account (even with
   the right password) and a wrong password get the same answer after the same argon2 work, and
   unknown addresses are counted and locked too. The owner of a locked account is told by e-mail,
   once per lock (``lock_notices``). The device is assessed here (``DeviceRegistry``).
2. ``verify_factor``: TOTP, an SMS code, or a recovery code. Wrong codes count towards the same
   lock (the password is proven by then, so this step may say the account is locked). On a new
   device or an unusual pattern the sign-in steps up: when the account has TOTP, an SMS code
   alone is not accepted (TOTP or a recovery code is).
3. ``finish_sign_in``: the device is remembered; a new or unusual device triggers a notice to the
   phone on file; everything lands in the account audit.

Accounts without a second factor (new registrations, staff created by the CLI) must enrol TOTP
(or, for policyholders, SMS to the number on file) before the session becomes signed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.accounts.accounts import Account, AccountStore
from bot.accounts.audit import AccountAudit
from bot.accounts.contact import ContactDelivery, DeliveryFailed
from bot.accounts.devices import DeviceAssessment, DeviceRegistry, DeviceTraits
from bot.accounts.lock_notices import LockNotices
from bot.accounts.lockouts import SignInLockouts
from bot.accounts.pas_records import PolicyholderRecords
from bot.accounts.passwords import PasswordHashing, PasswordPolicy
from bot.accounts.recovery_codes import RecoveryCodes
from bot.accounts.secret_box import SecretBox
from bot.accounts.totp import (
    TotpVerifier,
    matching_step,
    new_secret,
    provisioning_uri,
    qr_svg_data_uri,
)
from bot.clock import Clock, utc_now
from bot.conversation.send_budget import SendBudget, SendSource
from bot.one_time_codes import CodePolicy, CodeStatus, OneTimeCodes
from bot.phone_numbers import display_phone, phone_hint, to_e164

Factor = Literal["totp", "sms", "recovery"]
PasswordResult = Literal["ok", "invalid"]
# What an account code proves (the one code store takes any purpose: bot.one_time_codes).
CodePurpose = Literal["registration", "sign_in", "step_up", "enrol"]
FactorResult = Literal["ok", "wrong", "expired", "locked", "stronger_needed", "unavailable"]


@dataclass(frozen=True)
class PasswordOutcome:
    result: PasswordResult
    account: Account | None = None
    device: DeviceAssessment | None = None


@dataclass(frozen=True)
class TotpEnrolment:
    secret: str  # shown once, for typing into an app that cannot scan
    uri: str
    qr_data_uri: str


class SignInService:
    def __init__(
        self,
        *,
        accounts: AccountStore,
        hashing: PasswordHashing,
        password_policy: PasswordPolicy,
        box: SecretBox,
        totp: TotpVerifier,
        codes: OneTimeCodes,
        code_policy: CodePolicy,
        budget: SendBudget,
        recovery: RecoveryCodes,
        devices: DeviceRegistry,
        records: PolicyholderRecords,
        delivery: ContactDelivery,
        audit: AccountAudit,
        lockouts: SignInLockouts,
        notices: LockNotices,
        carrier_name: str,
        contact_phone: str,
        clock: Clock = utc_now,
    ) -> None:
        self.accounts = accounts
        self.hashing = hashing
        self.password_policy = password_policy
        self.box = box
        self.totp = totp
        self.codes = codes
        self.code_policy = code_policy
        self.budget = budget
        self.recovery = recovery
        self.devices = devices
        self.records = records
        self.delivery = delivery
        self.audit = audit
        self.lockouts = lockouts
        self.notices = notices
        self.carrier = carrier_name
        self.contact_phone = contact_phone
        self.clock = clock

    # --- step 1: password ----------------------------------------------------------------------

    def check_password(
        self, email: str, password: str, device_id: str | None, traits: DeviceTraits
    ) -> PasswordOutcome:
        subject = self.lockouts.subject(email)
        found = self.accounts.by_email(email)
        account = found if found is not None and not found.disabled else None
        # One argon2 verification on every path, so the time says nothing either.
        if account is None:
            self.hashing.dummy_verify(password)
            matches = False
        else:
            matches = self.hashing.verify(account.password_hash, password)
        locked = self.lockouts.locked(subject)
        if account is None or locked or not matches:
            reason = "locked" if locked else "wrong_password" if account else "unknown_account"
            self._failure(subject, account, reason)
            return PasswordOutcome("invalid")
        if self.hashing.needs_rehash(account.password_hash):
            self.accounts.set_password_hash(account.id, self.hashing.hash(password))
        device = self.devices.assess(account.id, device_id, traits)
        self.audit.record("password_accepted", account.id, f"device={device.risk}")
        return PasswordOutcome("ok", account, device)

    def _failure(self, subject: str, account: Account | None, reason: str) -> bool:
        """Count a failure against ``subject`` (not while it is locked: the same work is done,
        nothing is counted); True when this failure locked it, and then the owner is told."""
        locked_now = self.lockouts.record_failure(subject)
        account_id = account.id if account is not None else None
        event = "sign_in_refused" if reason == "locked" else "sign_in_failed"
        self.audit.record(event, account_id, reason)
        if locked_now:
            self.audit.record("account_locked", account_id, reason)
            if account is not None:
                self.notices.account_locked(account)
        return locked_now

    # --- step 2: second factor -----------------------------------------------------------------

    def send_code(self, account: Account, purpose: CodePurpose, *, source: SendSource) -> str:
        """Send an SMS code to the phone on file; returns a masked hint of the number.

        Spends the send budget of codes (``source``: the client address). Raises
        ``SendLimitReached``, ``RecordsUnavailable`` or ``DeliveryFailed``.
        """
        if account.holder_id is None:
            raise DeliveryFailed("staff accounts have no phone on file")
        record = self.records.by_holder_id(account.holder_id)
        if record is None:
            raise DeliveryFailed("no record on file")
        self.budget.spend(
            holder_id=account.holder_id, destination=to_e164(record.phone), source=source
        )
        code = self.codes.issue(purpose, f"account:{account.id}", self.code_policy)
        self.delivery.sms(
            record.phone,
            f"{self.carrier}: your sign-in code is {code}. It expires in "
            f"{self.code_policy.minutes} minutes. "
            "We will never ask you for it.",
        )
        self.audit.record("sms_code_sent", account.id, purpose)
        e164 = to_e164(record.phone)
        return phone_hint(e164) if e164 else "***"

    def verify_factor(
        self,
        account: Account,
        factor: Factor,
        code: str,
        *,
        risky: bool,
        purpose: CodePurpose = "sign_in",
    ) -> FactorResult:
        current = self.accounts.get(account.id) or account
        now = self.clock()
        subject = self.lockouts.subject(current.email)
        if self.lockouts.locked(subject):
            return "locked"
        if factor == "sms" and risky and current.has_totp:
            return "stronger_needed"
        if factor == "totp":
            if current.totp_secret is None:
                return "unavailable"
            ok = self.totp.accept(current.id, current.totp_secret, code, now)
            check: CodeStatus = "ok" if ok else "wrong"
        elif factor == "sms":
            if not current.sms_mfa_enabled and purpose != "enrol":
                return "unavailable"
            check = self.codes.check(purpose, f"account:{current.id}", code).status
        else:
            check = "ok" if self.recovery.use(current.id, code) else "wrong"
            if check == "ok":
                self.audit.record(
                    "recovery_code_used", current.id, f"{self.recovery.remaining(current.id)} left"
                )
        if check == "ok":
            self.lockouts.clear(subject)
            self.audit.record("second_factor_accepted", current.id, f"{factor} for {purpose}")
            return "ok"
        if self._failure(subject, current, f"wrong_{factor}_code"):
            return "locked"
        return "expired" if check == "expired" else "wrong"

    def check_step_up(
        self, account: Account, password: str, factor: Factor, code: str
    ) -> FactorResult:
        """Re-authentication before a sensitive change: the password and a second factor."""
        current = self.accounts.get(account.id) or account
        subject = self.lockouts.subject(current.email)
        if self.lockouts.locked(subject):
            return "locked"
        if not self.hashing.verify(current.password_hash, password):
            return "locked" if self._failure(subject, current, "wrong_password") else "wrong"
        result = self.verify_factor(current, factor, code, risky=False, purpose="step_up")
        if result == "ok":
            self.audit.record("stepped_up", current.id, factor)
        return result

    # --- step 3: finish ------------------------------------------------------------------------

    def finish_sign_in(
        self, account: Account, device_id: str, traits: DeviceTraits, device: DeviceAssessment
    ) -> None:
        first_device = not self.devices.labels(account.id)
        self.devices.remember(account.id, device_id, traits)
        if first_device:
            # The first device of an account (right after registration or enrolment) is the
            # baseline, not an anomaly.
            self.audit.record("first_device", account.id, traits.label)
        elif device.risk != "known":
            self.audit.record(f"sign_in_{device.risk}", account.id, traits.label)
            self._notify_new_device(account, traits, device)
        self.audit.record("signed_in", account.id, f"device={device.risk}")

    def _notify_new_device(
        self, account: Account, traits: DeviceTraits, device: DeviceAssessment
    ) -> None:
        if account.holder_id is None:
            return  # staff: the audit trail is the notice (reviewed by supervisors)
        record = self.records.by_holder_id(account.holder_id)
        if record is None:
            return
        what = "a new device" if device.risk == "new_device" else "a device we didn't expect"
        try:
            self.delivery.sms(
                record.phone,
                f"{self.carrier}: someone signed in to your account from {what} "
                f"({traits.label}). If this wasn't you, call "
                f"{display_phone(self.contact_phone)} now.",
            )
            self.audit.record("new_device_notice_sent", account.id, traits.label)
        except DeliveryFailed:
            self.audit.record("new_device_notice_failed", account.id, traits.label)

    # --- enrolment -----------------------------------------------------------------------------

    def begin_totp(self, account: Account) -> TotpEnrolment:
        secret = new_secret()
        self.accounts.set_pending_totp(account.id, self.box.seal(secret))
        uri = provisioning_uri(secret, account.email, self.carrier)
        return TotpEnrolment(secret, uri, qr_svg_data_uri(uri))

    def pending_totp(self, account: Account) -> TotpEnrolment | None:
        current = self.accounts.get(account.id)
        if current is None or current.totp_pending_secret is None:
            return None
        secret = self.box.open(current.totp_pending_secret)
        uri = provisioning_uri(secret, account.email, self.carrier)
        return TotpEnrolment(secret, uri, qr_svg_data_uri(uri))

    def confirm_totp(self, account: Account, code: str) -> bool:
        current = self.accounts.get(account.id)
        if current is None or current.totp_pending_secret is None:
            return False
        step = matching_step(self.box.open(current.totp_pending_secret), code, self.clock())
        if step is None:
            self.audit.record("totp_enrolment_failed", account.id, "wrong_code")
            return False
        self.accounts.confirm_totp(account.id, current.totp_pending_secret, step)
        self.audit.record("totp_enrolled", account.id)
        return True

    def remove_totp(self, account: Account) -> None:
        self.accounts.remove_totp(account.id)
        self.audit.record("totp_removed", account.id)

    def set_sms(self, account: Account, enabled: bool) -> None:
        self.accounts.set_sms_mfa(account.id, enabled)
        self.audit.record("sms_mfa_enabled" if enabled else "sms_mfa_disabled", account.id)

    def new_recovery_codes(self, account: Account) -> list[str]:
        codes = self.recovery.replace(account.id)
        self.audit.record("recovery_codes_issued", account.id)
        return codes

    def change_password(self, account: Account, new_password: str) -> list[str]:
        problems = self.password_policy.problems(new_password, email=account.email)
        if not problems:
            self.accounts.set_password_hash(account.id, self.hashing.hash(new_password))
            self.audit.record("password_changed", account.id)
        return problems
