"""A voice call driven against ``VoiceCalls`` with a scripted bot, and TwiML reading helpers."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit
from xml.etree.ElementTree import Element

from defusedxml.ElementTree import fromstring

from channels.config import VoiceSettings
from channels.ephemeral_store import InMemoryEphemeralStore
from channels.rasa_turns import ConversationFacts, TurnRequest
from channels.resources import ChannelResources
from channels.voice_calls import VoiceCalls, VoiceReplies, VoiceRequest
from channels.voice_twiml import VoicePaymentHook, VoiceTwiml

REPLIES = VoiceReplies.for_carrier("Harbor Mutual Insurance")
CALL_SID = "CA" + "c" * 32


@dataclass
class VoiceBot:
    """A TurnRunner: records requests; answers from ``answer`` (may block on ``gate``)."""

    answer: Sequence[dict[str, Any]] = ({"text": "Sure."},)
    error: Exception | None = None
    gate: asyncio.Event | None = None
    requests: list[TurnRequest] = field(default_factory=list)

    async def __call__(self, turn: TurnRequest) -> list[dict[str, Any]]:
        self.requests.append(turn)
        if self.gate is not None:
            await self.gate.wait()
        if self.error is not None:
            raise self.error
        return [dict(m) for m in self.answer]


@dataclass
class Facts:
    facts: ConversationFacts = field(default_factory=ConversationFacts)
    asked: list[str] = field(default_factory=list)

    async def __call__(self, sender_id: str) -> ConversationFacts:
        self.asked.append(sender_id)
        return self.facts


def build_calls(
    resources: ChannelResources,
    bot: VoiceBot,
    facts: Facts,
    *,
    voice: VoiceSettings | None = None,
    payment_hook: VoicePaymentHook | None = None,
    sleep: Callable[[float], Any] = asyncio.sleep,
) -> VoiceCalls:
    voice = voice or VoiceSettings()
    return VoiceCalls(
        twiml=VoiceTwiml(voice, contact_centre_phone="+18005550100", claims_phone="+18005550199"),
        voice=voice,
        store=InMemoryEphemeralStore(),
        run_turn=bot,
        read_facts=facts,
        sender=resources.sender,
        replies=REPLIES,
        webhook_url="/webhooks/twilio_voice/webhook",
        payment_hook=payment_hook,
        sleep=sleep,
    )


def parse(twiml: str) -> Element:
    return fromstring(twiml)


def says(twiml: str) -> list[str]:
    """Every <Say> text, in order, inside or outside <Gather>."""
    return [el.text or "" for el in parse(twiml).iter("Say")]


def gather(twiml: str) -> Element | None:
    return parse(twiml).find("Gather")


def next_request(twiml: str) -> dict[str, int]:
    """The query of the Gather action or Redirect URL: seq, miss, poll."""
    root = parse(twiml)
    element = root.find("Gather")
    url = element.get("action") if element is not None else root.findtext("Redirect")
    assert url, twiml
    return {k: int(v[0]) for k, v in parse_qs(urlsplit(url).query).items()}


def request(seq: int | None = None, **fields: Any) -> VoiceRequest:
    return VoiceRequest(call_sid=CALL_SID, caller="+15125550101", seq=seq, **fields)
