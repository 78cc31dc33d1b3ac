"""Rasa's SQL tracker store with personal data sealed or redacted at rest.

Configured in endpoints.yml as ``type: channels.redacting_tracker_store.RedactingSQLTrackerStore``
with the same keys as Rasa's ``SQL`` store (SQLite locally, PostgreSQL in production). Events are
written through ``bot.conversation.stored_events.EventSealer.for_storage`` and read back through
``from_storage``; everything else (queries, sessions, locking) is Rasa's own.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from bot.conversation.stored_events import EventSealer
from bot.db import make_engine
from bot.settings import Settings

logger = logging.getLogger(__name__)


class RedactingSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sealer = EventSealer(Settings.from_env().tracker_encryption_key)
        rasas: Engine = self.engine  # type: ignore[has-type]
        if rasas.dialect.name == "sqlite":
            # Local runs: the application database's SQLite engine (bot.db.make_engine) instead
            # of Rasa's, which reconnects for every session (a PRAGMA round and, in WAL, a
            # checkpoint when the last connection closes): pooled connections, WAL, no fsync per
            # commit. PostgreSQL (production) keeps Rasa's engine.
            self.engine = make_engine(rasas.url.render_as_string(hide_password=False))
            self.sessionmaker = sessionmaker(bind=self.engine)
            rasas.dispose()

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Rasa's ``SQLTrackerStore.save`` with each event sealed before it is written."""
        await self.stream_events(tracker)
        with self.session_scope() as session:
            for event in self._additional_events(session, tracker):
                data = self.sealer.for_storage(event.as_dict())
                session.add(
                    self.SQLEvent(
                        sender_id=tracker.sender_id,
                        type_name=event.type_name,
                        timestamp=data.get("timestamp"),
                        intent_name=data.get("parse_data", {}).get("intent", {}).get("name"),
                        action_name=data.get("name"),
                        data=json.dumps(data),
                    )
                )
            session.commit()

    async def _retrieve(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> DialogueStateTracker | None:
        with self.session_scope() as session:
            rows = self._event_query(
                session, sender_id, fetch_events_from_all_sessions=fetch_events_from_all_sessions
            ).all()
            events = [self.sealer.from_storage(json.loads(row.data)) for row in rows]
        if not self.domain or not events:
            return None
        return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
