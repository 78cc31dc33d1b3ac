"""Greeting, goodbye and the bot challenge: answered here, not in domain.yml, because the carrier's
name is deployment copy (``CARRIER_NAME``) and Rasa responses cannot read settings."""

from __future__ import annotations

from rasa_sdk.events import EventType

from actions.base import PolicylineAction, Turn
from bot.conversation.answers.small_talk import bot_challenge, goodbye, greeting


class ActionGreet(PolicylineAction):
    def name(self) -> str:
        return "action_greet"

    async def act(self, turn: Turn) -> list[EventType]:
        turn.say(greeting(turn.services.settings.carrier_name))
        return []


class ActionGoodbye(PolicylineAction):
    def name(self) -> str:
        return "action_goodbye"

    async def act(self, turn: Turn) -> list[EventType]:
        turn.say(goodbye(turn.services.settings.carrier_name))
        return []


class ActionBotChallenge(PolicylineAction):
    def name(self) -> str:
        return "action_bot_challenge"

    async def act(self, turn: Turn) -> list[EventType]:
        turn.say(bot_challenge(turn.services.settings.carrier_name))
        return []
