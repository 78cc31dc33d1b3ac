"""What a conversation's events look like at rest: no date of birth, policy number or code in clear.

Rasa keeps every event of a conversation in its tracker store, and reads them back at the start of
every turn. Two kinds of personal data pass through it, and one bearer secret:

- what the policyholder typed (and the entities NLU found in it), needed only during the turn
  that processes it: **redacted one way** before storage (``bot.conversation.redaction``);
- slot values the dialogue needs on later turns (the date of birth given on one turn is checked
  with the ZIP given on the next; the chosen policy number drives every task): **sealed** with
  authenticated encryption (Fernet) before storage and unsealed when the tracker is read back, so
  the dialogue sees the same values it would without this module;
- the web hand-over token (``web_token``, ``bot.conversation.web_handover``) in a web chat
  message's metadata, which Rasa also copies into the ``session_started_metadata`` slot: needed
  only by the turn that accepts it, so **dropped** from every event, wherever it is nested.

``EventSealer.for_storage`` and ``EventSealer.from_storage`` work on Rasa's event dicts
(``Event.as_dict()``) and keep one stored event per event (Rasa counts stored events).
"""

from __future__ import annotations

import copy
from typing import Any

from cryptography.fernet import Fernet, InvalidToken

from bot.conversation.redaction import redact

# Slots the dialogue reads back on later turns that hold personal data.
SEALED_SLOTS = frozenset({"date_of_birth", "zip_code", "policy_number", "one_time_code"})
# Entities whose values are personal data (redacted: nothing reads them after the turn).
PERSONAL_ENTITIES = frozenset({"date_of_birth", "zip_code", "policy_number", "one_time_code"})
# Metadata keys that hold bearer secrets (dropped wherever they occur in an event).
SECRET_KEYS = frozenset({"web_token"})
SEALED_PREFIX = "sealed:v1:"
REDACTED = "[redacted]"


class EventSealer:
    """Seals and redacts events for storage with one key (``TRACKER_ENCRYPTION_KEY``)."""

    def __init__(self, key: str) -> None:
        self._fernet = Fernet(key.encode())

    def for_storage(self, event: dict[str, Any]) -> dict[str, Any]:
        """A copy of ``event`` that is safe to store."""
        if _holds_secret(event):
            event = _without_secrets(event)
        kind = event.get("event")
        if kind == "user":
            return _redacted_user_event(event)
        if kind == "slot" and event.get("name") in SEALED_SLOTS and event.get("value") is not None:
            stored = dict(event)
            stored["value"] = self._seal(event["value"])
            return stored
        if kind == "bot":
            return _redacted_bot_event(event)
        return event

    def from_storage(self, event: dict[str, Any]) -> dict[str, Any]:
        """The event as the dialogue needs it (sealed slot values opened)."""
        value = event.get("value")
        if (
            event.get("event") == "slot"
            and isinstance(value, str)
            and value.startswith(SEALED_PREFIX)
        ):
            opened = dict(event)
            opened["value"] = self._open(value)
            return opened
        return event

    def _seal(self, value: Any) -> str:
        return SEALED_PREFIX + self._fernet.encrypt(str(value).encode()).decode()

    def _open(self, sealed: str) -> str | None:
        try:
            return self._fernet.decrypt(sealed[len(SEALED_PREFIX) :].encode()).decode()
        except InvalidToken:
            # Sealed with another key (rotated away): the answer is gone, so it is asked again.
            return None


def _holds_secret(value: Any) -> bool:
    if isinstance(value, dict):
        return any(k in SECRET_KEYS or _holds_secret(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_secret(item) for item in value)
    return False


def _without_secrets(value: Any) -> Any:
    """A copy of ``value`` without any ``SECRET_KEYS`` entry, at any depth."""
    if isinstance(value, dict):
        return {k: _without_secrets(v) for k, v in value.items() if k not in SECRET_KEYS}
    if isinstance(value, list):
        return [_without_secrets(item) for item in value]
    return value


def _redacted_user_event(event: dict[str, Any]) -> dict[str, Any]:
    stored = copy.deepcopy(event)
    if isinstance(stored.get("text"), str):
        stored["text"] = redact(stored["text"])
    parse_data = stored.get("parse_data")
    if isinstance(parse_data, dict):
        if isinstance(parse_data.get("text"), str):
            parse_data["text"] = redact(parse_data["text"])
        for entity in parse_data.get("entities") or []:
            if not isinstance(entity, dict):
                continue
            if entity.get("entity") in PERSONAL_ENTITIES:
                entity["value"] = REDACTED
            elif isinstance(entity.get("value"), str):
                # any entity may have been read off a card number or a date typed in passing
                entity["value"] = redact(entity["value"])
    return stored


def _redacted_bot_event(event: dict[str, Any]) -> dict[str, Any]:
    data = event.get("data")
    buttons = data.get("buttons") if isinstance(data, dict) else None
    if not buttons:
        return event
    stored = copy.deepcopy(event)
    for button in stored["data"]["buttons"]:
        if isinstance(button, dict) and isinstance(button.get("payload"), str):
            # A policy-choice button carries the full number in its payload.
            button["payload"] = redact(button["payload"])
    return stored
