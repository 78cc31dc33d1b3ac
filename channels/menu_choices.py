"""Buttons for channels without buttons: numbered choices a person can text or key in.

The bot offers buttons (``/choose_policy{"policy_number": ...}`` payloads). SMS shows them as
"Reply 1 for ..., 2 for ..."; voice says "Press 1 for ...". The reply ("1", "1.", or the choice's
own words) is turned back into the button's payload. The offered choices live in the
``EphemeralStore`` for half an hour, keyed by conversation id, so any Rasa server can resolve the
reply.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

from channels.bot_messages import Button
from channels.ephemeral_store import EphemeralStore

MENU_TTL_S = 30 * 60


@dataclass(frozen=True)
class MenuOption:
    key: str  # "1", "2", ... what the person texts or presses
    title: str
    payload: str


def number_choices(buttons: Sequence[Button]) -> list[MenuOption]:
    """Buttons keyed 1, 2, 3, ..."""
    return [
        MenuOption(key=str(i), title=b.title, payload=b.payload)
        for i, b in enumerate(buttons, start=1)
    ]


def _join_choices(phrases: list[str]) -> str:
    if len(phrases) == 1:
        return phrases[0]
    return ", ".join(phrases[:-1]) + f", or {phrases[-1]}"


def sms_menu_text(options: Sequence[MenuOption]) -> str:
    """ "Reply 1 for Auto policy AUT-***001, or 2 for Home policy HOM-***002." """
    phrases = [f"{o.key} for {o.title}" for o in options]
    return f"Reply {_join_choices(phrases)}." if phrases else ""


def voice_menu_text(options: Sequence[MenuOption]) -> str:
    """ "Press 1 for ..., 2 for ..., or say what you'd like." """
    phrases = [f"{o.key} for {o.title}" for o in options]
    return f"Press {_join_choices(phrases)}. Or just say it." if phrases else ""


def _fold(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def resolve_choice(reply: str, options: Sequence[MenuOption]) -> MenuOption | None:
    """The option ``reply`` picks: its key ("2", "2.", "#2") or its title's words; else None."""
    folded = _fold(reply)
    if not folded:
        return None
    for option in options:
        if folded == option.key or folded == _fold(option.title):
            return option
    return None


def encode_menu(options: Sequence[MenuOption]) -> str:
    return json.dumps([[o.key, o.title, o.payload] for o in options], separators=(",", ":"))


def decode_menu(raw: str | None) -> list[MenuOption]:
    """Options from stored JSON; anything unreadable is an empty menu."""
    if not raw:
        return []
    try:
        items = json.loads(raw)
        return [MenuOption(str(k), str(t), str(p)) for k, t, p in items]
    except (ValueError, TypeError):
        return []


class MenuMemory:
    """The choices last offered in each conversation."""

    def __init__(self, store: EphemeralStore, namespace: str) -> None:
        self._store = store
        self._namespace = namespace

    def _key(self, conversation_id: str) -> str:
        return f"{self._namespace}:menu:{conversation_id}"

    async def remember(self, conversation_id: str, options: Sequence[MenuOption]) -> None:
        """Offer ``options`` (an empty list withdraws the previous offer)."""
        if options:
            await self._store.put(self._key(conversation_id), encode_menu(options), MENU_TTL_S)
        else:
            await self._store.delete(self._key(conversation_id))

    async def recall(self, conversation_id: str) -> list[MenuOption]:
        return decode_menu(await self._store.get(self._key(conversation_id)))
