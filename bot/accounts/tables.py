"""App-database tables for web accounts, on ``bot.db.metadata``.

No raw secrets are stored: passwords are argon2id hashes, TOTP secrets are Fernet-encrypted,
one-time and recovery codes and device and session ids are keyed hashes. Phone numbers and
e-mail addresses of policyholders are not copied here either: codes go to the contact details on
file in the PAS, read when needed. The sign-in e-mail of an account is the one exception (it is
the user name).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.sql.elements import ColumnElement

from bot.db import metadata

web_accounts = Table(
    "web_accounts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False),  # "policyholder" | "staff"
    Column("email", String(254), nullable=False),  # lower-cased sign-in name
    Column("holder_id", String(64), nullable=True, unique=True),  # PAS id, policyholders only
    Column("roles", String(64), nullable=False, default=""),  # comma-separated, staff only
    Column("password_hash", Text, nullable=False),
    Column("totp_secret", Text, nullable=True),  # Fernet token
    Column("totp_pending_secret", Text, nullable=True),  # during enrolment, Fernet token
    Column("totp_last_step", Integer, nullable=True),  # last accepted time-step (replay guard)
    Column("sms_mfa_enabled", Boolean, nullable=False, default=False),
    # Unused since the sign-in lock moved to ``lockouts`` (per e-mail address, registered
    # or not); kept so that databases created before keep accepting new rows.
    Column("failed_logins", Integer, nullable=False, default=0),
    Column("locked_until", DateTime(timezone=True), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("disabled_at", DateTime(timezone=True), nullable=True),
    UniqueConstraint("email", name="uq_web_accounts_email"),
)

recovery_codes = Table(
    "account_recovery_codes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("account_id", Integer, ForeignKey("web_accounts.id"), nullable=False, index=True),
    Column("code_hash", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("used_at", DateTime(timezone=True), nullable=True),
)

account_devices = Table(
    "account_devices",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("account_id", Integer, ForeignKey("web_accounts.id"), nullable=False, index=True),
    Column("device_hash", String(64), nullable=False),  # keyed hash of the device cookie
    Column("fingerprint_hash", String(64), nullable=False),  # keyed hash of coarse attributes
    Column("label", String(80), nullable=False),  # "Chrome on Android": shown to the owner
    Column("first_seen_at", DateTime(timezone=True), nullable=False),
    Column("last_seen_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("account_id", "device_hash", name="uq_account_devices"),
)

web_sessions = Table(
    "web_sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),  # SHA-256 of the cookie's session id
    Column("account_id", Integer, nullable=True, index=True),
    Column("data", Text, nullable=False),  # JSON
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_seen_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),  # absolute lifetime
)


def live_web_session(now: datetime, idle: timedelta) -> ColumnElement[bool]:
    """A ``web_sessions`` row that is still alive at ``now``: before its absolute end, and used
    (a request that counts as activity) within ``idle``."""
    return (web_sessions.c.expires_at > now) & (web_sessions.c.last_seen_at > now - idle)


account_audit = Table(
    "account_audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False, index=True),
    Column("account_id", Integer, nullable=True, index=True),
    Column("event", String(40), nullable=False),
    Column("detail", Text, nullable=False, default=""),  # no PII: labels, reasons, hashes
)
