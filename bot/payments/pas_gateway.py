"""The PAS calls the payment service makes, blocking, over the async ``PasConnector``.

The web app (Flask) is synchronous; the connector is async and belongs to one loop, so each call
runs on the process's one synchronous PAS facade (``bot.sync_pas.SyncPas``). Writes go through
the connector's own idempotency handling (``post_payment`` with our key) and cache invalidation.
"""

from __future__ import annotations

from decimal import Decimal

from bot.sync_pas import SyncPas
from pas_connector.connector import PasConnector
from pas_connector.models import Billing, PaymentReceipt

# Seconds one PAS call may take from a web request or a webhook (the connector has its own
# per-attempt timeouts inside this).
PAS_CALL_TIMEOUT_S = 15.0


class PasGateway:
    """Blocking access to the PAS operations payments need."""

    def __init__(self, pas: SyncPas) -> None:
        self._pas = pas

    @property
    def _connector(self) -> PasConnector:
        return self._pas.connector

    def billing(self, policy_number: str) -> Billing:
        """Fresh billing (the cache is dropped first: an amount check must see the balance)."""

        async def read() -> Billing:
            await self._connector.invalidate_policy(policy_number)
            return (await self._connector.get_billing(policy_number)).value

        return self._pas.run(read(), PAS_CALL_TIMEOUT_S)

    def post_payment(
        self, policy_number: str, amount: Decimal, method: str, reference: str, key: str
    ) -> PaymentReceipt:
        return self._pas.run(
            self._connector.post_payment(policy_number, amount, method, reference, key),
            PAS_CALL_TIMEOUT_S,
        )

    def set_autopay(
        self, policy_number: str, payment_method_id: str, method: str, day: int
    ) -> Billing:
        return self._pas.run(
            self._connector.set_autopay(policy_number, payment_method_id, method, day),
            PAS_CALL_TIMEOUT_S,
        )

    def cancel_autopay(self, policy_number: str) -> Billing:
        return self._pas.run(self._connector.cancel_autopay(policy_number), PAS_CALL_TIMEOUT_S)

    def invalidate(self, policy_number: str) -> None:
        self._pas.run(self._connector.invalidate_policy(policy_number), PAS_CALL_TIMEOUT_S)

    def phone_on_file(self, policy_number: str) -> str | None:
        """The policyholder's phone number on file, for confirmations."""

        async def read() -> str | None:
            policy = (await self._connector.get_policy(policy_number)).value
            holder = (await self._connector.get_policyholder(policy.holder_id)).value
            return holder.phone or None

        return self._pas.run(read(), PAS_CALL_TIMEOUT_S)
