"""A bot turn as the text messages a phone receives.

- Each bot text is one message, split into numbered parts when longer than the part limit.
- Buttons become "Reply 1 for ..., 2 for ..." (the choices are remembered by the caller).
- A document or pay link whose URL the text does not already carry is sent as its own message
  (the contract says the text is self-sufficient, so usually nothing is added).
- A document goes as MMS only when the payload says it may (``mms_eligible``, or a known size
  under the MMS limit) *and* gives a separate ``media_url``: the link itself is single-use, and
  Twilio fetching it for MMS would spend it.
- Images become MMS; handoff payloads add nothing (the text says what happens next); unknown
  payloads are never shown as JSON.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.money import money_text
from channels.bot_messages import BotTurn, Document
from channels.first_reply import with_disclosure
from channels.menu_choices import MenuOption, number_choices, sms_menu_text
from channels.sms_splitting import DEFAULT_PART_CHARS, split_sms

# Carriers cap MMS around 600 KB; stay clear of it.
MMS_MAX_BYTES = 500_000


@dataclass(frozen=True)
class OutgoingSms:
    body: str
    media_url: str | None = None


@dataclass(frozen=True)
class RenderedSmsTurn:
    messages: list[OutgoingSms]
    menu: list[MenuOption]


def mms_allowed(document: Document) -> bool:
    """True when ``document`` may be attached as MMS media."""
    if not document.media_url or document.mms_eligible is False:
        return False
    if document.mms_eligible is True:
        return True
    return document.size_bytes is not None and 0 < document.size_bytes <= MMS_MAX_BYTES


def render_sms_turn(
    turn: BotTurn, part_chars: int = DEFAULT_PART_CHARS, *, disclosure: str | None = None
) -> RenderedSmsTurn:
    """The messages to send for ``turn`` and the choices they offer; a conversation's first
    reply leads with ``disclosure`` (``first_reply``), split with the rest."""
    bodies = list(turn.texts)
    if disclosure:
        bodies = [with_disclosure(disclosure, bodies[0]), *bodies[1:]] if bodies else [disclosure]
    menu = number_choices(turn.buttons)
    if menu:
        bodies.append(sms_menu_text(menu))
    said = turn.all_text
    for document in turn.documents:
        if document.url not in said:
            bodies.append(f"Your {document.label}: {document.url}")
    for link in turn.pay_links:
        if link.url not in said:
            shown = money_text(link.amount) if link.amount else None
            amount = f" {shown}" if shown else ""
            bodies.append(f"Pay{amount} securely here: {link.url}")
    messages = [OutgoingSms(part) for body in bodies for part in split_sms(body, part_chars)]
    for document in turn.documents:
        if mms_allowed(document):
            messages.append(OutgoingSms(f"Your {document.label} (PDF)", document.media_url))
    messages.extend(OutgoingSms("", image) for image in turn.images)
    return RenderedSmsTurn(messages=messages, menu=menu)
