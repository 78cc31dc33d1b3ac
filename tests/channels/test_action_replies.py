"""The Rasa server's check of action server replies: built once, and the same as Rasa's own."""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

from channels import action_replies, rasa_server
from devtools.cli import rasa_server_command

RASAS_OWN = RemoteAction._validate_action_result

GOOD_REPLY: dict[str, Any] = {
    "events": [
        {"event": "slot", "name": "pending_task", "value": "get_id_card", "timestamp": None},
        {"event": "action", "name": "action_resume_task", "policy": None, "confidence": None},
        {"event": "followup", "name": "payment_form"},
    ],
    "responses": [{"text": "Thanks, you're verified.", "buttons": []}],
}
BAD_REPLIES: list[dict[str, Any]] = [
    {"events": [{"name": "pending_task", "value": "x"}], "responses": []},  # no event type
    {"events": [{"event": "slot", "value": "x"}], "responses": []},  # a slot without a name
    {"events": "not a list", "responses": []},
    {"events": [], "responses": ["a bare string"]},
]


@pytest.fixture
def rasas_own_hook(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts from Rasa's own method (install() changes the class process-wide)."""
    monkeypatch.setattr(RemoteAction, "_validate_action_result", RASAS_OWN)


def test_the_rasa_hook_is_the_one_the_replacement_was_written_for() -> None:
    # Fails when a Rasa upgrade changes RemoteAction._validate_action_result: review
    # channels/action_replies.py against the new code before updating the digest.
    assert action_replies.hook_source_digest() == action_replies.RASA_HOOK_SOURCE_SHA256


def test_install_replaces_rasas_check_once(rasas_own_hook: None) -> None:
    assert not action_replies.installed()
    assert action_replies.install()
    replaced = RemoteAction._validate_action_result
    assert replaced is not RASAS_OWN
    assert action_replies.install()  # a second install changes nothing
    assert RemoteAction._validate_action_result is replaced
    assert action_replies.hook_source_digest() == action_replies.RASA_HOOK_SOURCE_SHA256


def test_a_changed_rasa_hook_keeps_rasas_own_validation(
    rasas_own_hook: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(action_replies, "RASA_HOOK_SOURCE_SHA256", "0" * 64)
    assert not action_replies.install()
    assert RemoteAction._validate_action_result is RASAS_OWN


def test_a_valid_reply_passes_both_checks(rasas_own_hook: None) -> None:
    action = RemoteAction("action_verify_identity", None)
    assert RASAS_OWN(action, GOOD_REPLY)
    assert action_replies.validate_action_result(action, GOOD_REPLY)


@pytest.mark.parametrize("reply", BAD_REPLIES)
def test_an_invalid_reply_is_refused_with_rasas_own_error(
    rasas_own_hook: None, reply: dict[str, Any]
) -> None:
    action = RemoteAction("action_verify_identity", None)
    with pytest.raises(ValidationError) as rasas:
        RASAS_OWN(action, reply)
    with pytest.raises(ValidationError) as ours:
        action_replies.validate_action_result(action, reply)
    assert ours.value.message == rasas.value.message
    assert list(ours.value.absolute_path) == list(rasas.value.absolute_path)


def test_the_rasa_server_is_started_with_the_replacement_installed(
    rasas_own_hook: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[bool] = []
    monkeypatch.setattr("rasa.__main__.main", lambda: seen.append(action_replies.installed()))
    rasa_server.main()
    assert seen == [True]
    assert rasa_server_command()[-2:] == ["-m", "channels.rasa_server"]
