"""The policy summary journey."""

from __future__ import annotations

from rasa_sdk.events import EventType

from actions.base import Turn
from actions.tasks import TaskAction, choose_policy
from bot.conversation.answers.common import with_staleness
from bot.conversation.answers.policy import policy_summary_text


class ActionPolicySummary(TaskAction):
    task = "policy_summary"

    def name(self) -> str:
        return "action_policy_summary"

    async def perform(self, turn: Turn) -> list[EventType]:
        choice = await choose_policy(turn, self.task)
        if choice.policy is None:
            return choice.events
        fresh = await turn.services.connector.get_policy(choice.policy.policy_number)
        turn.say(
            with_staleness(
                policy_summary_text(fresh.value),
                stale=fresh.stale,
                fetched_at=fresh.fetched_at,
                now=turn.now(),
            )
        )
        return await self.completed(turn, *choice.events)
