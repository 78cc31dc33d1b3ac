"""A policyholder's home page data, read through the PAS connector for *their* holder id only.

The holder id comes from the signed-in session, never from the request. Every policy shown is
one the PAS lists for that holder (``list_policies``), and every action on a policy (a document)
first passes ``owned_policy``, which looks the policy number up in that same list: a policy
number from the request that is not the holder's own is refused exactly like one that does not
exist (no difference an attacker could probe).

Reads run concurrently per policy (summary, billing, claims, payment history). Billing, claims
and payment history are optional on the page: when one of them fails, the rest still shows and
the card says that part is unavailable. The holder and the policy list are required.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from bot.documents.eligibility import ensure_certificate_allowed, ensure_id_card_allowed
from bot.documents.errors import DocumentUnavailable
from bot.documents.kinds import DocumentKind
from pas_connector.connector import PasConnector
from pas_connector.errors import PasError
from pas_connector.models import Billing, Claim, Fresh, PaymentRecord, Policy, Policyholder

T = TypeVar("T")
RECENT_PAYMENTS = 5


@dataclass(frozen=True)
class PolicyCard:
    """One policy with what the home page shows about it."""

    policy: Policy
    billing: Billing | None
    claims: tuple[Claim, ...] | None
    payments: tuple[PaymentRecord, ...] | None
    documents: tuple[DocumentKind, ...]
    # the oldest "as of" time among the parts served stale from cache, if any
    stale_since: datetime | None

    @property
    def open_claims(self) -> tuple[Claim, ...]:
        return tuple(c for c in self.claims or () if c.is_open)


@dataclass(frozen=True)
class HolderOverview:
    """Everything on a policyholder's home page."""

    holder: Policyholder
    policies: tuple[PolicyCard, ...]


def available_documents(policy: Policy, today: date) -> tuple[DocumentKind, ...]:
    """The documents this policy may have today (the document service's own rules)."""
    kinds = [DocumentKind.DECLARATIONS]
    for kind, check in (
        (DocumentKind.ID_CARD, ensure_id_card_allowed),
        (DocumentKind.CERTIFICATE, ensure_certificate_allowed),
    ):
        try:
            check(policy, today)
        except DocumentUnavailable:
            continue
        kinds.append(kind)
    order = list(DocumentKind)
    return tuple(sorted(kinds, key=order.index))


async def _optional(read: Awaitable[T]) -> T | None:
    try:
        return await read
    except PasError:
        return None


def _stale(*values: Fresh[Any] | None) -> datetime | None:
    times = [v.fetched_at for v in values if v is not None and v.stale]
    return min(times) if times else None


async def _card(connector: PasConnector, policy_number: str, today: date) -> PolicyCard:
    policy, billing, claims, payments = await asyncio.gather(
        connector.get_policy(policy_number),
        _optional(connector.get_billing(policy_number)),
        _optional(connector.list_claims(policy_number)),
        _optional(connector.payment_history(policy_number, RECENT_PAYMENTS)),
    )
    return PolicyCard(
        policy=policy.value,
        billing=billing.value if billing else None,
        claims=claims.value if claims else None,
        payments=payments,
        documents=available_documents(policy.value, today),
        stale_since=_stale(policy, billing, claims),
    )


async def load_overview(connector: PasConnector, holder_id: str, today: date) -> HolderOverview:
    """The home page of ``holder_id`` (raises ``PasError`` when the PAS cannot say who they are)."""
    holder, refs = await asyncio.gather(
        connector.get_policyholder(holder_id), connector.list_policies(holder_id)
    )
    cards = await asyncio.gather(*(_card(connector, r.policy_number, today) for r in refs.value))
    # A policy whose record names another holder is never shown, whatever the list said.
    mine = tuple(c for c in cards if c.policy.holder_id == holder_id)
    return HolderOverview(holder=holder.value, policies=mine)


async def fresh_billing(connector: PasConnector, policy_number: str) -> Billing:
    """Billing read past the cache (an amount to pay must see the current balance)."""
    await connector.invalidate_policy(policy_number)
    return (await connector.get_billing(policy_number)).value


async def owned_policy(
    connector: PasConnector, holder_id: str, policy_number: str
) -> tuple[Policyholder, Policy] | None:
    """The holder and the policy when ``policy_number`` is one of ``holder_id``'s, else ``None``."""
    wanted = policy_number.strip().upper()
    refs = await connector.list_policies(holder_id)
    if wanted not in {r.policy_number.upper() for r in refs.value}:
        return None
    holder, policy = await asyncio.gather(
        connector.get_policyholder(holder_id), connector.get_policy(wanted)
    )
    if policy.value.holder_id != holder_id:
        return None
    return holder.value, policy.value
