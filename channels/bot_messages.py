"""The bot's messages for one turn, as Rasa hands them to an output channel, typed.

Rasa's ``CollectingOutputChannel`` gives dicts with ``text``, ``buttons``, ``custom``, ``image``.
``custom`` carries the payloads of docs/dialogue-contract.md; this module reads them defensively
(an action bug must not crash a channel) into small value objects both channels render.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypedDict


class DocumentPayload(TypedDict, total=False):
    kind: str  # "id_card" | "declarations" | "certificate"
    url: str  # single-use, short-lived signed link for the policyholder
    expires_at: str  # ISO instant
    bytes: int  # size of the PDF; MMS only when small
    mms_eligible: bool  # the document service says it may go as MMS
    media_url: str  # a separate single-use URL for Twilio to fetch as MMS media
    sms_to: str  # voice: the E.164 number on file to text the link to


class PayLinkPayload(TypedDict, total=False):
    url: str
    amount: str  # decimal string, "412.50"
    expires_at: str
    sms_to: str  # voice: the E.164 number on file to text the link to


class HandoffPayload(TypedDict, total=False):
    ticket: str  # "HO-..."
    reason: str
    intent: str
    urgent: bool
    queue: str  # "service" | "claims" | "coverage"
    verified: bool  # optional: the channel reads the tracker's assurance when absent
    callback: bool  # outside staffed hours: people call back, nobody takes a transfer now


@dataclass(frozen=True)
class Button:
    """A choice the bot offered: what to show or say, and what to send back."""

    title: str
    payload: str


@dataclass(frozen=True)
class Document:
    kind: str
    url: str
    expires_at: str | None = None
    size_bytes: int | None = None
    mms_eligible: bool | None = None
    media_url: str | None = None
    sms_to: str | None = None

    @property
    def label(self) -> str:
        """How to name the document to a person ("ID card")."""
        return DOCUMENT_LABELS.get(self.kind, "document")


@dataclass(frozen=True)
class PayLink:
    url: str
    amount: str | None = None
    expires_at: str | None = None
    sms_to: str | None = None


@dataclass(frozen=True)
class Handoff:
    reason: str
    ticket: str | None = None
    intent: str | None = None
    urgent: bool = False
    queue: str = "service"
    verified: bool | None = None
    callback: bool = False


@dataclass
class BotTurn:
    """Everything the bot said in one turn, in order of kind."""

    texts: list[str] = field(default_factory=list)
    buttons: list[Button] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    pay_links: list[PayLink] = field(default_factory=list)
    handoff: Handoff | None = None
    end_call: bool = False

    @property
    def all_text(self) -> str:
        return "\n".join(self.texts)


DOCUMENT_LABELS = {
    "id_card": "ID card",
    "declarations": "declarations page",
    "certificate": "certificate of insurance",
}


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _bool(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _read_custom(turn: BotTurn, custom: Mapping[str, Any]) -> None:
    document = custom.get("document")
    if isinstance(document, Mapping) and _str(document.get("url")):
        turn.documents.append(
            Document(
                kind=_str(document.get("kind")) or "document",
                url=str(document["url"]),
                expires_at=_str(document.get("expires_at")),
                size_bytes=_int(document.get("bytes")),
                mms_eligible=_bool(document.get("mms_eligible")),
                media_url=_str(document.get("media_url")),
                sms_to=_str(document.get("sms_to")),
            )
        )
    pay_link = custom.get("pay_link")
    if isinstance(pay_link, Mapping) and _str(pay_link.get("url")):
        turn.pay_links.append(
            PayLink(
                url=str(pay_link["url"]),
                amount=_str(pay_link.get("amount")),
                expires_at=_str(pay_link.get("expires_at")),
                sms_to=_str(pay_link.get("sms_to")),
            )
        )
    handoff = custom.get("handoff")
    if isinstance(handoff, Mapping):
        turn.handoff = Handoff(
            reason=_str(handoff.get("reason")) or "requested",
            ticket=_str(handoff.get("ticket")),
            intent=_str(handoff.get("intent")),
            urgent=handoff.get("urgent") is True,
            queue=_str(handoff.get("queue")) or "service",
            verified=_bool(handoff.get("verified")),
            callback=handoff.get("callback") is True,
        )
    if custom.get("end_call") is True:
        turn.end_call = True


def read_bot_turn(messages: Iterable[Mapping[str, Any]]) -> BotTurn:
    """The turn from Rasa's collected messages; unknown or malformed parts are skipped."""
    turn = BotTurn()
    for message in messages:
        text = _str(message.get("text"))
        if text:
            turn.texts.append(text.strip())
        buttons = message.get("buttons") or message.get("quick_replies")
        if isinstance(buttons, list):
            parsed = [
                Button(title=str(b["title"]).strip(), payload=str(b.get("payload") or b["title"]))
                for b in buttons
                if isinstance(b, Mapping) and _str(b.get("title"))
            ]
            if parsed:
                # The latest set of choices is the one a reply refers to.
                turn.buttons = parsed
        image = _str(message.get("image"))
        if image:
            turn.images.append(image)
        custom = message.get("custom")
        if isinstance(custom, Mapping):
            _read_custom(turn, custom)
    return turn
