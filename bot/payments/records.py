"""Our payment records: Stripe ids and statuses only, never card or bank numbers.

- ``stripe_customers``: the Stripe customer of a policy (created on first need).
- ``payments``: one row per charge we start (pay page, IVR ``<Pay>``, autopay draft). The
  business ``idempotency_key`` is unique (``link:<link id>``, ``autopay:<policy>:<bill>:<attempt>``)
  so a second submit or a retried job finds the first row instead of charging again; the same key
  goes to Stripe as its ``Idempotency-Key``.
- ``autopay_setups``: one row per SetupIntent (enrolment or method change) and its link.
- ``autopay_methods``: the saved payment method each autopay policy draws on.
- ``stripe_events``: every webhook event id we accepted, claimed and then marked processed, so a
  redelivered event does nothing twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy import Column, DateTime, Integer, String, Table, insert, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from bot.db import metadata

PaymentStatus = Literal["creating", "open", "processing", "succeeded", "failed"]
PaymentKind = Literal["pay_page", "ivr", "autopay"]
# A claimed event not marked processed within this long may be claimed again (a crashed worker).
EVENT_CLAIM_LEASE = timedelta(seconds=60)

stripe_customers = Table(
    "stripe_customers",
    metadata,
    Column("policy_number", String(32), primary_key=True),
    Column("customer_id", String(64), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

payments = Table(
    "payments",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("idempotency_key", String(128), nullable=False, unique=True),
    Column("kind", String(16), nullable=False),
    Column("policy_number", String(32), nullable=False, index=True),
    Column("amount_cents", Integer, nullable=False),
    Column("link_id", String(43), nullable=True),
    Column("conversation_id", String(128), nullable=True),
    Column("channel", String(16), nullable=True),
    Column("payment_intent_id", String(64), nullable=True, unique=True),
    Column("status", String(16), nullable=False),
    Column("method", String(24), nullable=True),  # "card" | "us_bank_account"
    Column("failure_code", String(64), nullable=True),
    Column("pas_confirmation", String(32), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("posted_at", DateTime(timezone=True), nullable=True),
)

autopay_setups = Table(
    "autopay_setups",
    metadata,
    Column("setup_intent_id", String(64), primary_key=True),
    Column("link_id", String(43), nullable=False, unique=True),
    Column("policy_number", String(32), nullable=False),
    Column("customer_id", String(64), nullable=False),
    Column("conversation_id", String(128), nullable=True),
    Column("channel", String(16), nullable=True),
    Column("status", String(16), nullable=False),  # "open" | "succeeded" | "failed"
    Column("created_at", DateTime(timezone=True), nullable=False),
)

autopay_methods = Table(
    "autopay_methods",
    metadata,
    Column("policy_number", String(32), primary_key=True),
    Column("customer_id", String(64), nullable=False),
    Column("payment_method_id", String(64), nullable=False),
    Column("method", String(24), nullable=False),
    Column("mandate_id", String(64), nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

stripe_events = Table(
    "stripe_events",
    metadata,
    Column("event_id", String(64), primary_key=True),
    Column("type", String(64), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("claimed_at", DateTime(timezone=True), nullable=True),
    Column("processed_at", DateTime(timezone=True), nullable=True),
)


@dataclass(frozen=True)
class PaymentRow:
    """One charge we started."""

    id: int
    idempotency_key: str
    kind: PaymentKind
    policy_number: str
    amount: Decimal
    link_id: str | None
    conversation_id: str | None
    channel: str | None
    payment_intent_id: str | None
    status: PaymentStatus
    method: str | None
    failure_code: str | None
    pas_confirmation: str | None

    @classmethod
    def from_row(cls, m: Mapping[str, Any]) -> PaymentRow:
        return cls(
            id=m["id"],
            idempotency_key=m["idempotency_key"],
            kind=m["kind"],
            policy_number=m["policy_number"],
            amount=(Decimal(m["amount_cents"]) / 100).quantize(Decimal("0.01")),
            link_id=m["link_id"],
            conversation_id=m["conversation_id"],
            channel=m["channel"],
            payment_intent_id=m["payment_intent_id"],
            status=m["status"],
            method=m["method"],
            failure_code=m["failure_code"],
            pas_confirmation=m["pas_confirmation"],
        )


@dataclass(frozen=True)
class SetupRow:
    setup_intent_id: str
    link_id: str
    policy_number: str
    customer_id: str
    conversation_id: str | None
    channel: str | None
    status: str


@dataclass(frozen=True)
class AutopayMethod:
    policy_number: str
    customer_id: str
    payment_method_id: str
    method: str
    mandate_id: str | None


def cents(amount: Decimal) -> int:
    return int((amount.quantize(Decimal("0.01")) * 100).to_integral_value())


class PaymentRecords:
    """Reads and writes the tables above through one engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # --- customers -----------------------------------------------------------------------------

    def customer_of(self, policy_number: str) -> str | None:
        with self.engine.connect() as conn:
            value = conn.execute(
                select(stripe_customers.c.customer_id).where(
                    stripe_customers.c.policy_number == policy_number
                )
            ).scalar()
        return None if value is None else str(value)

    def save_customer(self, policy_number: str, customer_id: str, now: datetime) -> str:
        """Store the policy's customer; if another request stored one first, that one wins."""
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    insert(stripe_customers).values(
                        policy_number=policy_number, customer_id=customer_id, created_at=now
                    )
                )
            return customer_id
        except IntegrityError:
            existing = self.customer_of(policy_number)
            assert existing is not None
            return existing

    # --- payments ------------------------------------------------------------------------------

    def claim_payment(self, **values: Any) -> tuple[PaymentRow, bool]:
        """Insert a payment row for ``idempotency_key``; ``(row, True)`` when it is new, or
        ``(the existing row, False)`` when that key was used before (a double submit)."""
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(payments).values(status="creating", **values))
            created = True
        except IntegrityError:
            created = False
        row = self.payment_by_key(values["idempotency_key"])
        assert row is not None
        return row, created

    def payment_by_key(self, key: str) -> PaymentRow | None:
        return self._one_payment(payments.c.idempotency_key == key)

    def payment_by_intent(self, payment_intent_id: str) -> PaymentRow | None:
        return self._one_payment(payments.c.payment_intent_id == payment_intent_id)

    def payment_by_link(self, link_id: str) -> PaymentRow | None:
        return self._one_payment(payments.c.link_id == link_id)

    def _one_payment(self, where: Any) -> PaymentRow | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(payments).where(where)).mappings().first()
        return None if row is None else PaymentRow.from_row(row)

    def payments_for(self, policy_number: str) -> list[PaymentRow]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(payments).where(payments.c.policy_number == policy_number)
            ).mappings()
            return [PaymentRow.from_row(r) for r in rows]

    def attach_intent(self, payment_id: int, payment_intent_id: str, now: datetime) -> None:
        """Record the intent of a payment unless a concurrent request recorded one first."""
        with self.engine.begin() as conn:
            conn.execute(
                update(payments)
                .where(payments.c.id == payment_id, payments.c.payment_intent_id.is_(None))
                .values(payment_intent_id=payment_intent_id, status="open", updated_at=now)
            )

    def set_status(
        self,
        conn: Connection,
        payment_id: int,
        status: PaymentStatus,
        now: datetime,
        *,
        only_from: tuple[PaymentStatus, ...],
        **values: Any,
    ) -> bool:
        """Move a payment to ``status`` only from one of ``only_from``; True when it moved."""
        result = conn.execute(
            update(payments)
            .where(payments.c.id == payment_id, payments.c.status.in_(only_from))
            .values(status=status, updated_at=now, **values)
        )
        return bool(result.rowcount == 1)

    # --- autopay -------------------------------------------------------------------------------

    def save_setup(self, row: SetupRow, now: datetime) -> None:
        with self.engine.begin() as conn:
            conn.execute(insert(autopay_setups).values(**row.__dict__, created_at=now))

    def setup_by_link(self, link_id: str) -> SetupRow | None:
        return self._one_setup(autopay_setups.c.link_id == link_id)

    def setup_by_intent(self, setup_intent_id: str) -> SetupRow | None:
        return self._one_setup(autopay_setups.c.setup_intent_id == setup_intent_id)

    def _one_setup(self, where: Any) -> SetupRow | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(autopay_setups).where(where)).mappings().first()
        if row is None:
            return None
        return SetupRow(**{k: row[k] for k in SetupRow.__dataclass_fields__})

    def set_setup_status(self, conn: Connection, setup_intent_id: str, status: str) -> bool:
        result = conn.execute(
            update(autopay_setups)
            .where(
                autopay_setups.c.setup_intent_id == setup_intent_id,
                autopay_setups.c.status != status,
            )
            .values(status=status)
        )
        return bool(result.rowcount == 1)

    def autopay_method(self, policy_number: str) -> AutopayMethod | None:
        with self.engine.connect() as conn:
            row = (
                conn.execute(
                    select(autopay_methods).where(autopay_methods.c.policy_number == policy_number)
                )
                .mappings()
                .first()
            )
        if row is None:
            return None
        return AutopayMethod(**{k: row[k] for k in AutopayMethod.__dataclass_fields__})

    def save_autopay_method(self, conn: Connection, method: AutopayMethod, now: datetime) -> None:
        conn.execute(
            autopay_methods.delete().where(autopay_methods.c.policy_number == method.policy_number)
        )
        conn.execute(insert(autopay_methods).values(**method.__dict__, updated_at=now))

    def autopay_policies(self) -> list[str]:
        """Every policy with a saved autopay method, in a stable order."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(autopay_methods.c.policy_number).order_by(autopay_methods.c.policy_number)
            )
            return [str(row[0]) for row in rows]

    def delete_autopay_method(self, policy_number: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                autopay_methods.delete().where(autopay_methods.c.policy_number == policy_number)
            )

    # --- webhook events ------------------------------------------------------------------------

    def claim_event(self, event_id: str, event_type: str, now: datetime) -> bool:
        """True when this worker may process the event: it is new, or an earlier claim on it
        lapsed without finishing. False for an event already processed or being processed."""
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    insert(stripe_events).values(
                        event_id=event_id, type=event_type, received_at=now, claimed_at=now
                    )
                )
            return True
        except IntegrityError:
            pass
        with self.engine.begin() as conn:
            result = conn.execute(
                update(stripe_events)
                .where(
                    stripe_events.c.event_id == event_id,
                    stripe_events.c.processed_at.is_(None),
                    stripe_events.c.claimed_at < now - EVENT_CLAIM_LEASE,
                )
                .values(claimed_at=now)
            )
        return bool(result.rowcount == 1)

    def event_processed(self, event_id: str) -> bool:
        with self.engine.connect() as conn:
            value = conn.execute(
                select(stripe_events.c.processed_at).where(stripe_events.c.event_id == event_id)
            ).scalar()
        return value is not None

    @staticmethod
    def mark_event_processed(conn: Connection, event_id: str, now: datetime) -> None:
        conn.execute(
            update(stripe_events)
            .where(stripe_events.c.event_id == event_id)
            .values(processed_at=now)
        )

    def release_event(self, event_id: str) -> None:
        """Forget a claim that failed, so Stripe's redelivery is processed."""
        with self.engine.begin() as conn:
            conn.execute(
                stripe_events.delete().where(
                    stripe_events.c.event_id == event_id, stripe_events.c.processed_at.is_(None)
                )
            )


def utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
