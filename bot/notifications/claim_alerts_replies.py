"""STATUS and ADJUSTER: keyword replies to a claim alert, answered before the assistant sees them.

They disclose claim details to a phone without the usual verification (date of birth and ZIP),
so they answer only a number that (1) already received a claim alert from us and (2) is on file
(read replica) for a policy with an open claim. That is what the number was already told, plus
the stage, next step and adjuster's work phone. Anything else returns ``None`` and the message
goes on to the assistant, which verifies the sender first ("status" is also a fine way to start
a verified claim conversation).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Literal

from bot.notifications.claim_alerts_messages import AlertTexts
from bot.notifications.claim_alerts_store import ClaimAlertStore, recipient_key
from pas_connector.connector import PasConnector
from pas_connector.errors import PasError, PasNotFound
from pas_connector.models import Claim

log = logging.getLogger("bot.notifications.claim_alerts")

ClaimKeyword = Literal["status", "adjuster"]
# More than this and the reply stops being a text message.
MAX_CLAIMS_IN_REPLY = 3


class ClaimKeywordReplies:
    """Answers STATUS / ADJUSTER for numbers that receive claim alerts."""

    def __init__(
        self,
        connector: PasConnector | Callable[[], PasConnector],
        store: ClaimAlertStore,
        texts: AlertTexts,
        *,
        hash_key: str,
    ) -> None:
        # A connector belongs to one event loop: a factory lets the channel build it lazily,
        # inside the server's loop.
        self._connector = connector if isinstance(connector, PasConnector) else None
        self._factory = None if isinstance(connector, PasConnector) else connector
        self._store = store
        self._texts = texts
        self._hash_key = hash_key

    def _pas(self) -> PasConnector:
        if self._connector is None:
            assert self._factory is not None
            self._connector = self._factory()
        return self._connector

    async def aclose(self) -> None:
        """Close the connector if one was built."""
        if self._connector is not None:
            await self._connector.aclose()

    async def answer(self, keyword: ClaimKeyword, phone_e164: str) -> str | None:
        """The reply text, or ``None`` when this number is not answered here."""
        alerted = await asyncio.to_thread(
            self._store.was_alerted, recipient_key(self._hash_key, "sms", phone_e164), "sms"
        )
        if not alerted:
            return None
        pas = self._pas()
        try:
            match = await pas.find_by_phone(phone_e164)
            if match is None:
                return None
            claims: list[Claim] = []
            for policy_number in match.policy_numbers:
                claims.extend((await pas.list_claims(policy_number)).value)
            open_claims = [c for c in claims if c.is_open][:MAX_CLAIMS_IN_REPLY]
            if not open_claims:
                return None
            if keyword == "adjuster":
                lines = [
                    self._texts.adjuster_line(
                        c.claim_number,
                        c.adjuster.name if c.adjuster else None,
                        c.adjuster.phone if c.adjuster else None,
                    )
                    for c in open_claims
                ]
            else:
                lines = []
                for claim in open_claims:
                    next_action = await self._next_action(pas, claim.claim_number)
                    lines.append(
                        self._texts.status_line(claim.claim_number, claim.stage, next_action)
                    )
        except PasError as exc:
            log.warning("claim keyword reply failed: %s", type(exc).__name__)
            return self._texts.lookup_failed()
        return "\n".join(lines)

    @staticmethod
    async def _next_action(pas: PasConnector, claim_number: str) -> str | None:
        try:
            return (await pas.claim_timeline(claim_number)).next_action
        except (PasNotFound, PasError):
            return None  # the stage alone still answers the question
