"""Builds the account services from ``Settings`` (the web app's composition root calls this).

Every collaborator can be overridden (tests pass a clock, a fake PAS, a cheap argon2 profile).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from sqlalchemy.engine import Engine

from bot.accounts.accounts import AccountStore
from bot.accounts.audit import AccountAudit
from bot.accounts.contact import ContactDelivery
from bot.accounts.devices import DeviceRegistry
from bot.accounts.lock_notices import LockNotices
from bot.accounts.lockouts import SignInLockouts
from bot.accounts.pas_records import PolicyholderRecords
from bot.accounts.passwords import PasswordHashing, PasswordPolicy, service_words
from bot.accounts.recovery_codes import RecoveryCodes
from bot.accounts.registration import RegistrationService
from bot.accounts.secret_box import SecretBox
from bot.accounts.service import SignInService
from bot.accounts.totp import TotpVerifier
from bot.clock import Clock, utc_now
from bot.conversation.send_budget import SendBudget
from bot.lockouts import LockoutPolicy, LockoutStore
from bot.notifications.email_sender import EmailSender, create_email_sender
from bot.notifications.sms import SmsSender, create_sms_sender
from bot.one_time_codes import CodePolicy, OneTimeCodes
from bot.settings import Settings


@dataclass(frozen=True)
class AccountServices:
    engine: Engine
    sign_in: SignInService
    registration: RegistrationService
    accounts: AccountStore
    audit: AccountAudit
    clock: Clock


def build_account_services(
    settings: Settings,
    engine: Engine,
    *,
    records: PolicyholderRecords,
    clock: Clock | None = None,
    sms: SmsSender | None = None,
    email: EmailSender | None = None,
    hasher: PasswordHasher | None = None,
) -> AccountServices:
    """Web sign-in and registration on ``engine``; ``records`` reads the PAS (the web app's
    ``PasPolicyholderRecords`` over its one PAS facade, ``bot.web.root``)."""
    now = clock or utc_now
    auth = settings.auth
    # The hashing key for codes, devices and sessions: the audit key (a secret, refused at its
    # local default outside local/test), separated by purpose inside ``keyed_digest``.
    key = settings.audit_hash_key
    if sms is None:
        # Same construction as bot.bootstrap: Twilio when configured, else the local outbox.
        sms = create_sms_sender(settings.twilio, engine=engine, identifier_key=key)
    if email is None:
        email = create_email_sender(settings.smtp, engine, local=settings.is_local)
    accounts = AccountStore(engine, clock=now)
    audit = AccountAudit(engine, clock=now)
    codes = OneTimeCodes(engine, key, clock=now)
    # Web codes: AUTH_SMS_CODE_TTL_S (10 minutes) and AUTH_SMS_CODE_MAX_ATTEMPTS (5); the chat's
    # own limits are bot.conversation.one_time_codes.CHAT_CODES.
    code_policy = CodePolicy(
        lifetime=timedelta(seconds=auth.sms_code_ttl_s), max_attempts=auth.sms_code_max_attempts
    )
    # The same budget the chat spends (bot.bootstrap): same table, same key, same limits.
    budget = SendBudget(engine, settings.code_sends, hash_key=key, clock=now)
    delivery = ContactDelivery(sms, email)
    # Failures in a row (no forgetting): AUTH_LOGIN_MAX_FAILURES lock for AUTH_LOCKOUT_S.
    lockout = LockoutPolicy(auth.login_max_failures, timedelta(seconds=auth.lockout_s))
    hashing = PasswordHashing(hasher)
    policy = PasswordPolicy(
        min_length=auth.password_min_length,
        forbidden_words=service_words(settings.carrier_name),
    )
    box = SecretBox(auth.mfa_encryption_key)
    sign_in = SignInService(
        accounts=accounts,
        hashing=hashing,
        password_policy=policy,
        box=box,
        totp=TotpVerifier(engine, box),
        codes=codes,
        code_policy=code_policy,
        budget=budget,
        recovery=RecoveryCodes(engine, key, clock=now),
        devices=DeviceRegistry(engine, key, clock=now),
        records=records,
        delivery=delivery,
        audit=audit,
        lockouts=SignInLockouts(LockoutStore(engine, lockout, clock=now), key),
        notices=LockNotices(
            delivery,
            audit,
            carrier_name=settings.carrier_name,
            contact_phone=settings.contact_centre_phone,
            lockout_s=auth.lockout_s,
        ),
        carrier_name=settings.carrier_name,
        contact_phone=settings.contact_centre_phone,
        clock=now,
    )
    registration = RegistrationService(
        records,
        accounts,
        codes,
        code_policy,
        budget,
        delivery,
        hashing,
        policy,
        audit,
        carrier_name=settings.carrier_name,
        key=key,
        lockout=lockout,
    )
    return AccountServices(engine, sign_in, registration, accounts, audit, now)
