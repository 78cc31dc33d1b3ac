"""Conversation events at rest: typed personal data redacted, slot values sealed and reopened."""

from __future__ import annotations

import json

from cryptography.fernet import Fernet

from bot.conversation.stored_events import REDACTED, SEALED_PREFIX, EventSealer

KEY = Fernet.generate_key().decode()


def user_event(text: str, entity: str, value: str) -> dict:
    return {
        "event": "user",
        "text": text,
        "parse_data": {
            "text": text,
            "intent": {"name": "inform", "confidence": 0.98},
            "entities": [{"entity": entity, "value": value, "start": 0, "end": len(text)}],
        },
        "metadata": {"channel": "sms"},
    }


def test_a_typed_date_of_birth_is_redacted_in_text_and_entities() -> None:
    stored = EventSealer(KEY).for_storage(
        user_event("its 04/12/1985", "date_of_birth", "04/12/1985")
    )
    dumped = json.dumps(stored)
    assert "1985" not in dumped
    assert stored["parse_data"]["entities"][0]["value"] == REDACTED
    assert stored["parse_data"]["intent"]["name"] == "inform", "the intent stays for analytics"


def test_a_card_number_read_as_any_entity_is_redacted_too() -> None:
    stored = EventSealer(KEY).for_storage(
        user_event("pay with 4111 1111 1111 1111", "amount", "4111 1111 1111 1111")
    )
    dumped = json.dumps(stored)
    assert "1111 1111" not in dumped and "4111" not in dumped


def test_a_policy_choice_button_press_keeps_no_full_policy_number() -> None:
    press = '/inform{"policy_number":"HOM-2000002"}'
    stored = EventSealer(KEY).for_storage(user_event(press, "policy_number", "HOM-2000002"))
    assert "2000002" not in json.dumps(stored)
    bot = {
        "event": "bot",
        "text": "Which one?",
        "data": {"buttons": [{"title": "Home HOM-****002", "payload": press}]},
    }
    assert "2000002" not in json.dumps(EventSealer(KEY).for_storage(bot))


def test_slot_values_are_sealed_and_reopen_to_the_same_value() -> None:
    sealer = EventSealer(KEY)
    event = {"event": "slot", "name": "date_of_birth", "value": "1985-04-12", "timestamp": 1.0}
    stored = sealer.for_storage(event)
    assert stored["value"].startswith(SEALED_PREFIX) and "1985" not in stored["value"]
    assert sealer.from_storage(stored) == event


def test_other_slots_and_events_are_stored_as_they_are() -> None:
    sealer = EventSealer(KEY)
    assurance = {"event": "slot", "name": "assurance", "value": "verified"}
    cleared = {"event": "slot", "name": "policy_number", "value": None}
    action = {"event": "action", "name": "action_check_balance"}
    for event in (assurance, cleared, action):
        assert sealer.for_storage(event) == event


def test_a_value_sealed_with_a_rotated_away_key_reopens_as_not_given() -> None:
    stored = EventSealer(KEY).for_storage({"event": "slot", "name": "zip_code", "value": "78704"})
    other = EventSealer(Fernet.generate_key().decode())
    assert other.from_storage(stored)["value"] is None
