"""Tells a policyholder, by text to the number on file, that identity checks for them are paused.

Sent once per lock by ``IdentityService`` when guesses from many conversations lock the
knowledge route for a policyholder, so that the holder knows and knows what still works.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Protocol

from bot.conversation.answers.identity import verification_paused_notice
from bot.notifications.sms import SmsSender
from bot.phone_numbers import phone_hint, to_e164
from pas_connector.errors import PasUnavailable
from pas_connector.models import Fresh, Policyholder

logger = logging.getLogger(__name__)


class HolderLookup(Protocol):
    async def get_policyholder(self, holder_id: str) -> Fresh[Policyholder]: ...


class SmsLockNotice:
    """``LockNotice`` by SMS to the number on file (the local outbox without Twilio)."""

    def __init__(
        self, holders: HolderLookup, sender: SmsSender, *, carrier_name: str, contact_phone: str
    ) -> None:
        self._holders = holders
        self._sender = sender
        self._carrier_name = carrier_name
        self._contact_phone = contact_phone

    async def holder_locked(self, holder_id: str, until: datetime | None) -> None:
        try:
            holder = (await self._holders.get_policyholder(holder_id)).value
        except PasUnavailable:
            logger.warning("lock notice not sent: PAS unavailable")
            return
        e164 = to_e164(holder.phone)
        if e164 is None:
            logger.info("lock notice not sent: no textable number on file")
            return
        body = verification_paused_notice(self._carrier_name, until, self._contact_phone)
        result = await asyncio.to_thread(self._sender.send_sms, e164, body)
        logger.info("lock notice to %s: %s", phone_hint(e164), result.status)
