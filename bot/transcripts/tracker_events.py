"""Rasa's tracker store as we read it: the ``events`` table of Rasa 3.6's ``SQLTrackerStore``.

Rasa owns this table; we only read it. One row per event, in ``id`` order per conversation
(``sender_id``); ``timestamp`` is a float of Unix seconds and not unique, so order is by ``id``.
``type_name`` is the event type (``user``, ``bot``, ``action``, ``slot``, ``session_started``,
...); for ``user`` events ``intent_name`` holds the predicted intent; ``action_name`` holds the
event's ``name`` field, which for ``slot`` events is the *slot's* name. ``data`` is the event's
``as_dict()`` written with ``json.dumps`` (so non-ASCII text is ``\\u`` escaped), e.g.::

    {"event": "user", "timestamp": 1764100000.1, "text": "...", "input_channel": "twilio_sms",
     "parse_data": {"intent": {"name": "check_balance", ...}, ...}, "metadata": {...}}
    {"event": "slot", "name": "assurance", "value": "verified", ...}

The table is declared on its own ``MetaData``: the application migrations (``bot.migrations``)
never create it, and our code never writes it.
"""

from __future__ import annotations

import json
from typing import Any, TypedDict

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, inspect
from sqlalchemy.engine import Engine

tracker_metadata = MetaData()

events = Table(
    "events",
    tracker_metadata,
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255), nullable=False, index=True),
    Column("type_name", String(255), nullable=False),
    Column("timestamp", Float),
    Column("intent_name", String(255)),
    Column("action_name", String(255)),
    Column("data", Text),
)

# Slot whose value says how far the person proved who they are (docs/architecture.md "Identity").
ASSURANCE_SLOT = "assurance"
VERIFIED_LEVELS = ("verified", "mfa")


class UserEventData(TypedDict, total=False):
    """The parts of a serialised ``UserUttered`` we read."""

    # what the person typed or said (voice: the speech-to-text result)
    text: str | None
    # the Rasa channel name: twilio_sms, twilio_voice, socketio, rest, ...
    input_channel: str | None
    # our channels' metadata: {"channel": "sms" | "voice" | "webchat" | "rest", "phone": ...}
    metadata: dict[str, Any] | None
    timestamp: float


class BotEventData(TypedDict, total=False):
    """The parts of a serialised ``BotUttered`` we read."""

    # the message text, if any
    text: str | None
    # buttons, custom payloads (document links, handoff tickets), attachments
    data: dict[str, Any] | None
    timestamp: float


def has_events(engine: Engine) -> bool:
    """True once Rasa has created its ``events`` table (a fresh install has none yet)."""
    return bool(inspect(engine).has_table(events.name))


def decode(data: str | None) -> dict[str, Any]:
    """The event dictionary of one row (empty for a row Rasa wrote without data)."""
    if not data:
        return {}
    try:
        value = json.loads(data)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def json_fragment(key: str, value: str) -> list[str]:
    """``LIKE`` patterns matching ``"key": "value"`` in a row's JSON, with either separator.

    Quotes inside user text are escaped in the JSON (``\\"``), so these never match what a
    person typed.
    """
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    key_escaped = key.replace("_", "\\_")
    return [
        f'%"{key_escaped}": "{escaped}"%',
        f'%"{key_escaped}":"{escaped}"%',
    ]
