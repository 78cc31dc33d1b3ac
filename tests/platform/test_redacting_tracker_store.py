"""The Rasa tracker store we run: nothing personal in the events table, the dialogue unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.settings import PROJECT_ROOT
from channels.redacting_tracker_store import RedactingSQLTrackerStore


@pytest.fixture
def store(tmp_path: Path) -> RedactingSQLTrackerStore:
    domain = Domain.from_path(PROJECT_ROOT / "domain.yml")
    return RedactingSQLTrackerStore(domain=domain, dialect="sqlite", db=str(tmp_path / "t.db"))


def maria_verifying(domain: Domain) -> DialogueStateTracker:
    tracker = DialogueStateTracker("conv-1", domain.slots)
    tracker.update(UserUttered("04/12/1985", {"name": "inform", "confidence": 1.0},
                               [{"entity": "date_of_birth", "value": "04/12/1985"}]))  # fmt: skip
    tracker.update(SlotSet("date_of_birth", "1985-04-12"))
    tracker.update(SlotSet("policy_number", "AUT-1000001"))
    tracker.update(ActionExecuted("verification_form"))
    tracker.update(BotUttered("What's the 5-digit ZIP code of your mailing address?"))
    return tracker


async def test_the_events_table_holds_no_date_of_birth_or_policy_number(store) -> None:  # type: ignore[no-untyped-def]
    await store.save(maria_verifying(store.domain))
    with store.engine.connect() as conn:
        rows = [row[0] for row in conn.execute(sa.text("SELECT data FROM events"))]
    assert len(rows) == 5
    stored = "\n".join(rows)
    # Whole values only: bare digit runs such as "1985" also occur inside event timestamps.
    for secret in ("04/12/1985", "1985-04-12", "AUT-1000001", "AUT 1000001", "04/12"):
        assert secret not in stored


async def test_the_next_turn_reads_back_the_same_slot_values(store) -> None:  # type: ignore[no-untyped-def]
    await store.save(maria_verifying(store.domain))
    tracker = await store.retrieve("conv-1")
    assert tracker is not None
    assert tracker.get_slot("date_of_birth") == "1985-04-12"
    assert tracker.get_slot("policy_number") == "AUT-1000001"
    assert len(tracker.events) == 5


async def test_saving_again_appends_only_the_new_events(store) -> None:  # type: ignore[no-untyped-def]
    tracker = maria_verifying(store.domain)
    await store.save(tracker)
    again = await store.retrieve("conv-1")
    assert again is not None
    again.update(UserUttered("78704", {"name": "inform", "confidence": 1.0}))
    await store.save(again)
    with store.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM events")).scalar() == 6


async def test_the_events_table_holds_no_web_hand_over_token(store) -> None:  # type: ignore[no-untyped-def]
    token = "eyJoIjoiSDAwMDAwMDEiLCJhIjoibWZhIiwiaiI6Imp0aSJ9.ZzZz.c2lnbmF0dXJl"
    metadata = {"channel": "webchat", "web_token": token}
    tracker = DialogueStateTracker("web-1", store.domain.slots)
    # Rasa copies the first message's metadata into this slot when a session starts.
    tracker.update(SlotSet("session_started_metadata", metadata))
    tracker.update(
        UserUttered("my balance", {"name": "check_balance", "confidence": 1.0}, metadata=metadata)
    )
    await store.save(tracker)
    with store.engine.connect() as conn:
        stored = "\n".join(row[0] for row in conn.execute(sa.text("SELECT data FROM events")))
    assert token not in stored and "web_token" not in stored
    assert '"channel": "webchat"' in stored  # the rest of the metadata is kept
    again = await store.retrieve("web-1")
    assert again is not None
    assert again.get_slot("session_started_metadata") == {"channel": "webchat"}


async def test_a_local_sqlite_tracker_store_commits_without_waiting_for_the_disk(store) -> None:  # type: ignore[no-untyped-def]
    tracker = DialogueStateTracker.from_events("conv-wal", [], store.domain.slots)
    tracker.update(UserUttered("hello"))
    await store.save(tracker)  # a write through Rasa's own sessions
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL


async def test_a_local_sqlite_tracker_store_keeps_its_connection_between_turns(store) -> None:  # type: ignore[no-untyped-def]
    opened: list[object] = []
    sa.event.listen(store.engine, "connect", lambda conn, record: opened.append(conn))
    tracker = DialogueStateTracker.from_events("conv-pool", [], store.domain.slots)
    for n in range(5):
        tracker.update(UserUttered(f"turn {n}"))
        await store.save(tracker)
        assert await store.retrieve("conv-pool") is not None
    assert len(opened) <= 1
