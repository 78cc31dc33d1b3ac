"""The PAS records registration and SMS codes need, read through ``pas_connector`` only.

``PolicyholderRecords`` is the port; ``PasPolicyholderRecords`` reads the PAS through the
process's one synchronous PAS facade (``bot.sync_pas.SyncPas``): the same connector, breaker,
rate limit and cache as every other PAS call of the web app.
"""

from __future__ import annotations

import abc
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date

from bot.sync_pas import LoopTimeout, SyncPas
from pas_connector.connector import PasConnector
from pas_connector.errors import PasError, PasNotFound


class RecordsUnavailable(Exception):
    """The PAS could not be reached; the caller says "try again shortly"."""


@dataclass(frozen=True)
class HolderRecord:
    holder_id: str
    first_name: str
    date_of_birth: date
    zip: str
    phone: str
    email: str


class PolicyholderRecords(abc.ABC):
    @abc.abstractmethod
    def by_policy_number(self, policy_number: str) -> HolderRecord | None:
        """The policyholder named on the policy, or ``None`` when there is no such policy."""

    @abc.abstractmethod
    def by_holder_id(self, holder_id: str) -> HolderRecord | None:
        """The policyholder's contact details on file."""


class PasPolicyholderRecords(PolicyholderRecords):
    def __init__(self, pas: SyncPas) -> None:
        self._pas = pas

    def by_policy_number(self, policy_number: str) -> HolderRecord | None:
        return self._run(self._by_policy_number, policy_number)

    def by_holder_id(self, holder_id: str) -> HolderRecord | None:
        return self._run(self._by_holder_id, holder_id)

    def _run(
        self,
        lookup: Callable[[PasConnector, str], Awaitable[HolderRecord | None]],
        reference: str,
    ) -> HolderRecord | None:
        async def call(connector: PasConnector) -> HolderRecord | None:
            return await lookup(connector, reference)

        try:
            return self._pas.call(call)
        except PasNotFound:
            return None
        except ValueError:  # a reference the connector refuses (empty, too long)
            return None
        except (PasError, LoopTimeout) as exc:  # unavailable, circuit open, rejected, too slow
            raise RecordsUnavailable from exc

    @staticmethod
    async def _by_policy_number(connector: PasConnector, number: str) -> HolderRecord | None:
        policy = await connector.get_policy(number.strip().upper())
        return await PasPolicyholderRecords._by_holder_id(connector, policy.value.holder_id)

    @staticmethod
    async def _by_holder_id(connector: PasConnector, holder_id: str) -> HolderRecord | None:
        holder = (await connector.get_policyholder(holder_id)).value
        return HolderRecord(
            holder_id=holder.holder_id,
            first_name=holder.first_name,
            date_of_birth=holder.date_of_birth,
            zip=holder.address.zip,
            phone=holder.phone,
            email=holder.email,
        )
