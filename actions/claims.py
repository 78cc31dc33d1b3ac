"""The claim status journey: stage, adjuster, recent milestones and the next step."""

from __future__ import annotations

from rasa_sdk.events import EventType

from actions.base import Turn
from actions.tasks import TaskAction, choose_claim
from bot.conversation.answers.claims import claim_status_text, no_claims_text
from bot.conversation.answers.common import with_staleness
from pas_connector.errors import PasUnavailable
from pas_connector.models import ClaimTimeline, Fresh


class ActionClaimStatus(TaskAction):
    """Answers for the one claim meant: the slot's (if the holder's), the only one, or asks."""

    task = "claim_status"

    def name(self) -> str:
        return "action_claim_status"

    async def perform(self, turn: Turn) -> list[EventType]:
        choice = await choose_claim(turn)
        if choice.claim is None:
            if choice.events:
                return choice.events
            turn.say(no_claims_text())
            return await self.completed(turn)
        connector = turn.services.connector
        # The claim list just read has every field get_claim would return: no second read.
        fresh = choice.fresh or Fresh(choice.claim, turn.now())
        try:
            timeline: ClaimTimeline | None = await connector.claim_timeline(
                choice.claim.claim_number
            )
        except PasUnavailable:
            timeline = None  # the status and adjuster still help; milestones can wait
        turn.say(
            with_staleness(
                claim_status_text(fresh.value, timeline),
                stale=fresh.stale,
                fetched_at=fresh.fetched_at,
                now=turn.now(),
            )
        )
        return await self.completed(turn, *choice.events)
