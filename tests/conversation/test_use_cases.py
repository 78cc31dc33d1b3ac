"""Use cases answered without an action of their own: the cancellation status."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from bot.conversation.answers.policy import cancellation_status
from bot.conversation.tasks import task_for
from bot.conversation.use_cases import TaskRequest
from bot.sync_pas import connector_for
from tests.actions.conftest import settings_for

NOW = datetime(2026, 12, 7, 15, 0, tzinfo=timezone.utc)


@pytest.fixture
async def pas(sandbox: Any, tmp_var: Any) -> Any:
    connector = connector_for(settings_for(sandbox, tmp_var))
    yield connector
    await connector.aclose()


async def answer(pas: Any, policy_number: str, holder_id: str) -> str:
    request = TaskRequest(policy_number=policy_number, holder_id=holder_id, now=NOW, pas=pas)
    return (await cancellation_status(request)).text


async def test_a_cancelled_policy_says_when_it_was_cancelled_and_how_to_restart(pas):
    text = await answer(pas, "AUT-1000002", "H0000004")
    assert text.startswith("Policy AUT-****002 was cancelled on ")
    assert "AGENT" in text


async def test_an_active_policy_is_not_set_to_cancel_and_says_when_the_term_ends(pas):
    text = await answer(pas, "AUT-1000001", "H0000001")
    assert "is active and not set to cancel" in text and "term ends" in text


def test_the_registry_serves_the_cancellation_status_with_its_use_case():
    task = task_for("cancellation_status")
    assert task is not None and task.use_case is cancellation_status
    assert task.self_service and task.action == "action_cancellation_status"
