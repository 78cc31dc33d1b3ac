"""Pay links: signed, expiring, single-use links to the pay page, sent in a conversation.

The URL is ``{public_base_url}/pay/<token>``: the token is an itsdangerous signature over a
random link id only, so no policy number, amount or name is in the URL. The record (policy,
amount, purpose, conversation) is kept in the application database; the pay page redeems the
token once (``redeem``), atomically, so a second use fails even across processes.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Literal

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import Column, DateTime, Integer, String, Table, select
from sqlalchemy.engine import Connection, Engine

from bot.clock import Clock, utc_now
from bot.db import metadata

LINK_LIFETIME = timedelta(minutes=30)
Purpose = Literal["one_time", "autopay_setup", "update_method"]
PURPOSES: tuple[str, ...] = ("one_time", "autopay_setup", "update_method")
_SALT = "policyline.pay-link.v1"

payment_links = Table(
    "payment_links",
    metadata,
    Column("link_id", String(43), primary_key=True),
    Column("policy_number", String(32), nullable=False),
    # whole cents; 0 for autopay set-up and method updates (nothing is charged now)
    Column("amount_cents", Integer, nullable=False),
    Column("purpose", String(16), nullable=False),
    Column("conversation_id", String(128), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("used_at", DateTime(timezone=True), nullable=True),
)


class PayLinkError(Exception):
    """A pay link cannot be used; ``reason`` is ``invalid``, ``expired`` or ``used``."""

    def __init__(self, reason: Literal["invalid", "expired", "used"]) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class PayLink:
    """An issued pay link and the record behind it."""

    link_id: str
    url: str
    policy_number: str
    amount: Decimal
    purpose: Purpose
    conversation_id: str
    channel: str
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None

    def payload(self) -> dict[str, str]:
        """The contract's ``{"pay_link": {...}}`` custom payload body."""
        return {
            "url": self.url,
            "amount": f"{self.amount:.2f}",
            "expires_at": _iso(self.expires_at),
        }


class PaymentLinkService:
    """Issues and redeems pay links through an injected engine and clock."""

    def __init__(
        self,
        engine: Engine,
        *,
        secret_key: str,
        public_base_url: str,
        clock: Clock = utc_now,
        lifetime: timedelta = LINK_LIFETIME,
        new_link_id: Callable[[], str] = lambda: secrets.token_urlsafe(24),
    ) -> None:
        self._engine = engine
        self._serializer = URLSafeSerializer(secret_key, salt=_SALT)
        self._base_url = public_base_url.rstrip("/")
        self._clock = clock
        self._lifetime = lifetime
        self._new_link_id = new_link_id

    def issue(
        self,
        policy_number: str,
        amount: Decimal,
        conversation_id: str,
        channel: str,
        purpose: Purpose = "one_time",
    ) -> PayLink:
        """Store a new link record and return the link (valid 30 minutes, one use)."""
        if purpose not in PURPOSES:
            raise ValueError(f"unknown pay link purpose {purpose!r}")
        amount = amount.quantize(Decimal("0.01"))
        if purpose == "one_time" and amount <= 0:
            raise ValueError("a one-time payment link needs an amount above zero")
        if amount < 0:
            raise ValueError("a pay link amount cannot be negative")
        now = self._clock()
        link_id = self._new_link_id()
        link = PayLink(
            link_id=link_id,
            url=f"{self._base_url}/pay/{self._serializer.dumps(link_id)}",
            policy_number=policy_number,
            amount=amount,
            purpose=purpose,
            conversation_id=conversation_id,
            channel=channel,
            created_at=now,
            expires_at=now + self._lifetime,
        )
        with self._engine.begin() as conn:
            conn.execute(
                payment_links.insert().values(
                    link_id=link_id,
                    policy_number=policy_number,
                    amount_cents=int(amount * 100),
                    purpose=purpose,
                    conversation_id=conversation_id,
                    channel=channel,
                    created_at=now,
                    expires_at=link.expires_at,
                )
            )
        return link

    def resolve(self, token: str) -> PayLink:
        """The unused, unexpired link behind ``token`` (not consumed); raises ``PayLinkError``."""
        link = self._load(token)
        if link.used_at is not None:
            raise PayLinkError("used")
        if self._clock() >= link.expires_at:
            raise PayLinkError("expired")
        return link

    def redeem(self, token: str) -> PayLink:
        """Consume the link behind ``token`` exactly once; raises ``PayLinkError`` otherwise."""
        link = self.resolve(token)
        now = self._clock()
        with self._engine.begin() as conn:
            updated = conn.execute(
                payment_links.update()
                .where(payment_links.c.link_id == link.link_id, payment_links.c.used_at.is_(None))
                .values(used_at=now)
            ).rowcount
        if updated != 1:
            raise PayLinkError("used")
        return PayLink(**{**link.__dict__, "used_at": now})

    def lookup(self, token: str) -> PayLink:
        """The link behind ``token`` even when used or expired (status pages); raises
        ``PayLinkError("invalid")`` for a token we did not sign or do not know."""
        return self._load(token)

    def _load(self, token: str) -> PayLink:
        try:
            link_id = self._serializer.loads(token)
        except BadSignature as exc:
            raise PayLinkError("invalid") from exc
        if not isinstance(link_id, str):
            raise PayLinkError("invalid")
        with self._engine.connect() as conn:
            row = conn.execute(
                select(payment_links).where(payment_links.c.link_id == link_id)
            ).first()
        if row is None:
            raise PayLinkError("invalid")
        m = row._mapping
        return PayLink(
            link_id=m["link_id"],
            url=f"{self._base_url}/pay/{token}",
            policy_number=m["policy_number"],
            amount=(Decimal(m["amount_cents"]) / 100).quantize(Decimal("0.01")),
            purpose=m["purpose"],
            conversation_id=m["conversation_id"],
            channel=m["channel"],
            created_at=_utc(m["created_at"]),
            expires_at=_utc(m["expires_at"]),
            used_at=None if m["used_at"] is None else _utc(m["used_at"]),
        )


def mark_link_used(conn: Connection, link_id: str, now: datetime) -> None:
    """Use up a link inside the caller's transaction (its payment or set-up has completed)."""
    conn.execute(
        payment_links.update()
        .where(payment_links.c.link_id == link_id, payment_links.c.used_at.is_(None))
        .values(used_at=now)
    )


def _utc(value: datetime) -> datetime:
    # SQLite returns naive datetimes; everything is written in UTC.
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def _iso(value: datetime) -> str:
    return _utc(value).astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
