"""The whisper of a voice warm transfer: what the agent hears before the caller is connected.

A transfer with a handoff ticket dials the agent with ``<Number url="…/whisper?ticket=HO-…">``
(``voice_twiml``). When the agent answers, Twilio fetches that URL (signed, like every voice
webhook: ``twilio_voice`` checks it before this runs) and plays the TwiML to the agent only; the
caller is bridged when it ends. The text is the handoff's stored summary read aloud
(``handoff_summary.whisper_text``), looked up by the ticket: the URL holds nothing else, and
neither the summary nor anything the caller said is logged.
"""

from __future__ import annotations

import asyncio
import logging
import re

from sqlalchemy.engine import Engine

from bot.conversation.handoff import HandoffService
from bot.conversation.handoff_summary import whisper_text
from channels.voice_twiml import VoiceTwiml

log = logging.getLogger("channels.voice")

# handoffs.ticket is String(16); anything else is not worth a query.
_TICKET = re.compile(r"[A-Za-z0-9-]{1,16}")
NO_SUMMARY = "Policyline handoff. No summary was found for this call; please ask the caller."


class VoiceWhisper:
    """Answers the whisper URL of a transfer with the handoff's summary, spoken."""

    def __init__(self, twiml: VoiceTwiml, engine: Engine) -> None:
        self._twiml = twiml
        self._handoffs = HandoffService(engine)

    async def respond(self, ticket: str | None) -> str:
        """The TwiML the agent hears for handoff ``ticket`` (a short apology when it has no
        summary: the call is still connected)."""
        return self._twiml.whisper(await self.text(ticket))

    async def text(self, ticket: str | None) -> str:
        if not ticket or not _TICKET.fullmatch(ticket):
            log.warning("voice whisper without a valid ticket")
            return NO_SUMMARY
        try:
            handoff = await asyncio.to_thread(self._handoffs.get, ticket)
        except Exception as exc:  # the agent is on the line: connect them anyway
            log.error("voice whisper could not read handoff %s: %s", ticket, type(exc).__name__)
            return NO_SUMMARY
        if handoff is None or handoff.structured_summary is None:
            log.info("voice whisper: handoff %s has no summary", ticket)
            return NO_SUMMARY
        return whisper_text(handoff.structured_summary)
