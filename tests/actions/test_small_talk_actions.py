"""Greeting, goodbye and the bot challenge name the carrier configured for this deployment."""

from __future__ import annotations

import pytest

from actions.small_talk import ActionBotChallenge, ActionGoodbye, ActionGreet
from bot.bootstrap import build_services, set_services
from tests.actions.conftest import Conversation, run, settings_for


@pytest.mark.parametrize(
    ("action", "intent"),
    [
        (ActionGreet(), "greet"),
        (ActionGoodbye(), "goodbye"),
        (ActionBotChallenge(), "bot_challenge"),
    ],
)
async def test_small_talk_names_the_configured_carrier(sandbox, tmp_var, domain, action, intent):
    settings = settings_for(sandbox, tmp_var).with_overrides(carrier_name="Lakeside Mutual")
    built = build_services(settings)
    set_services(built)
    try:
        result = await run(action, Conversation().user("hi", intent), domain)
    finally:
        set_services(None)
        await built.aclose()
    [message] = result.messages
    assert "Lakeside Mutual" in message["text"]
    assert "Harbor" not in message["text"]
    assert len(message["text"]) <= 160
