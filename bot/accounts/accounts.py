"""The account store: web accounts of policyholders and staff, and their MFA state.

The sign-in lock is not kept here: it is counted per e-mail address, registered or not
(``lockouts``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from bot.accounts.tables import web_accounts
from bot.clock import Clock, utc_now

AccountKind = Literal["policyholder", "staff"]


class AccountExists(Exception):
    """An account with this e-mail address or PAS policyholder already exists."""


@dataclass(frozen=True)
class Account:
    id: int
    kind: AccountKind
    email: str
    holder_id: str | None
    roles: frozenset[str]
    password_hash: str
    totp_secret: str | None
    totp_pending_secret: str | None
    sms_mfa_enabled: bool
    disabled: bool

    @property
    def has_totp(self) -> bool:
        return self.totp_secret is not None

    @property
    def has_mfa(self) -> bool:
        return self.has_totp or self.sms_mfa_enabled


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _account(row: dict) -> Account:  # type: ignore[type-arg]
    return Account(
        id=row["id"],
        kind=row["kind"],
        email=row["email"],
        holder_id=row["holder_id"],
        roles=frozenset(r for r in (row["roles"] or "").split(",") if r),
        password_hash=row["password_hash"],
        totp_secret=row["totp_secret"],
        totp_pending_secret=row["totp_pending_secret"],
        sms_mfa_enabled=bool(row["sms_mfa_enabled"]),
        disabled=row["disabled_at"] is not None,
    )


class AccountStore:
    def __init__(self, engine: Engine, *, clock: Clock = utc_now) -> None:
        self._engine = engine
        self._clock = clock

    def create(
        self,
        *,
        kind: AccountKind,
        email: str,
        password_hash: str,
        holder_id: str | None = None,
        roles: frozenset[str] = frozenset(),
    ) -> Account:
        try:
            with self._engine.begin() as conn:
                result = conn.execute(
                    insert(web_accounts).values(
                        kind=kind,
                        email=normalise_email(email),
                        holder_id=holder_id,
                        roles=",".join(sorted(roles)),
                        password_hash=password_hash,
                        sms_mfa_enabled=False,
                        failed_logins=0,
                        created_at=self._clock(),
                    )
                )
                account_id = int(result.inserted_primary_key[0])
        except IntegrityError as exc:
            raise AccountExists from exc
        account = self.get(account_id)
        assert account is not None
        return account

    def get(self, account_id: int) -> Account | None:
        with self._engine.connect() as conn:
            row = (
                conn.execute(select(web_accounts).where(web_accounts.c.id == account_id))
                .mappings()
                .first()
            )
        return _account(dict(row)) if row else None

    def by_email(self, email: str) -> Account | None:
        with self._engine.connect() as conn:
            row = (
                conn.execute(
                    select(web_accounts).where(web_accounts.c.email == normalise_email(email))
                )
                .mappings()
                .first()
            )
        return _account(dict(row)) if row else None

    def by_holder(self, holder_id: str) -> Account | None:
        with self._engine.connect() as conn:
            row = (
                conn.execute(select(web_accounts).where(web_accounts.c.holder_id == holder_id))
                .mappings()
                .first()
            )
        return _account(dict(row)) if row else None

    def _set(self, account_id: int, **values: object) -> None:
        with self._engine.begin() as conn:
            conn.execute(
                update(web_accounts).where(web_accounts.c.id == account_id).values(**values)
            )

    def set_password_hash(self, account_id: int, password_hash: str) -> None:
        self._set(account_id, password_hash=password_hash)

    def set_pending_totp(self, account_id: int, sealed_secret: str | None) -> None:
        self._set(account_id, totp_pending_secret=sealed_secret)

    def confirm_totp(self, account_id: int, sealed_secret: str, step: int) -> None:
        """The pending secret becomes the secret; ``step`` (just used) cannot be used again."""
        self._set(
            account_id,
            totp_secret=sealed_secret,
            totp_pending_secret=None,
            totp_last_step=step,
        )

    def remove_totp(self, account_id: int) -> None:
        self._set(account_id, totp_secret=None, totp_pending_secret=None, totp_last_step=None)

    def set_sms_mfa(self, account_id: int, enabled: bool) -> None:
        self._set(account_id, sms_mfa_enabled=enabled)

    def set_email(self, account_id: int, email: str) -> None:
        try:
            self._set(account_id, email=normalise_email(email))
        except IntegrityError as exc:
            raise AccountExists from exc
