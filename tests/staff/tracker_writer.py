"""Write realistic conversations into a tracker database with Rasa's own ``SQLTrackerStore``.

A ``Script`` lists what happens in one conversation (user messages with their intents, bot
answers, the assurance slot, new sessions) at given minutes after its start; ``TrackerWriter``
turns it into Rasa events and saves them through ``SQLTrackerStore.save``, so the rows are exactly
what a running Rasa server would write.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.slots import AnySlot, TextSlot
from rasa.shared.core.trackers import DialogueStateTracker

from tests.support.personas import MARIA

INPUT_CHANNEL = {
    "sms": "twilio_sms",
    "voice": "twilio_voice",
    "webchat": "socketio",
    "rest": "rest",
}


@dataclass
class Script:
    """One conversation: a channel, a start time, and steps at minute offsets."""

    conversation_id: str
    channel: str
    start: datetime
    steps: list[tuple[float, str, dict[str, Any]]] = field(default_factory=list)

    def user(self, minute: float, text: str, intent: str, **entities: str) -> Script:
        self.steps.append((minute, "user", {"text": text, "intent": intent, "entities": entities}))
        return self

    def bot(self, minute: float, text: str, **data: Any) -> Script:
        self.steps.append((minute, "bot", {"text": text, "data": data}))
        return self

    def verified(self, minute: float, level: str = "verified", holder_id: str = "") -> Script:
        self.steps.append((minute, "verified", {"level": level, "holder_id": holder_id}))
        return self

    def new_session(self, minute: float) -> Script:
        self.steps.append((minute, "session", {}))
        return self


def _events(script: Script) -> list[Event]:
    def at(minute: float) -> float:
        return (script.start + timedelta(minutes=minute)).timestamp()

    # The session starts with the first step (minutes count from ``script.start``).
    first = min((minute for minute, _, _ in script.steps), default=0)
    out: list[Event] = [
        ActionExecuted("action_session_start", timestamp=at(first)),
        SessionStarted(timestamp=at(first)),
        ActionExecuted("action_listen", timestamp=at(first)),
    ]
    for minute, kind, values in script.steps:
        when = at(minute)
        if kind == "user":
            entities = [
                {"entity": name, "value": value, "start": 0, "end": 0}
                for name, value in values["entities"].items()
            ]
            out.append(
                UserUttered(
                    values["text"],
                    intent={"name": values["intent"], "confidence": 0.97},
                    entities=entities,
                    timestamp=when,
                    input_channel=INPUT_CHANNEL[script.channel],
                    metadata={"channel": script.channel, "phone": MARIA.phone},
                )
            )
        elif kind == "bot":
            out.append(ActionExecuted("utter_answer", timestamp=when))
            out.append(BotUttered(values["text"], data=values["data"], timestamp=when))
            out.append(ActionExecuted("action_listen", timestamp=when))
        elif kind == "verified":
            out.append(SlotSet("assurance", values["level"], timestamp=when))
            if values["holder_id"]:
                out.append(SlotSet("holder_id", values["holder_id"], timestamp=when))
        elif kind == "session":
            out.append(ActionExecuted("action_session_start", timestamp=when))
            out.append(SessionStarted(timestamp=when))
            out.append(SlotSet("assurance", "anonymous", timestamp=when))
            out.append(ActionExecuted("action_listen", timestamp=when))
    return out


class TrackerWriter:
    """Saves scripts through a real ``SQLTrackerStore``."""

    def __init__(self, store: SQLTrackerStore) -> None:
        self.store = store

    @classmethod
    def sqlite(cls, path: str) -> TrackerWriter:
        return cls(SQLTrackerStore(dialect="sqlite", db=path))

    @classmethod
    def postgres(cls, host: str, port: int, db: str, username: str) -> TrackerWriter:
        return cls(
            SQLTrackerStore(dialect="postgresql", host=host, port=port, db=db, username=username)
        )

    def write(self, *scripts: Script) -> None:
        for script in scripts:
            tracker = DialogueStateTracker.from_events(
                script.conversation_id,
                _events(script),
                slots=[
                    TextSlot("assurance", mappings=[]),
                    AnySlot("holder_id", mappings=[]),
                ],
            )
            asyncio.run(self.store.save(tracker))

    def close(self) -> None:
        self.store.engine.dispose()
