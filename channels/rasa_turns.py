"""The boundary with Rasa: run one user turn and collect the bot's messages; read a tracker.

The Sanic adapters wrap Rasa's ``on_new_message`` callback in a ``TurnRunner`` so the channel
logic above them can be tested with a recording fake instead of a trained model.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

log = logging.getLogger("channels.rasa_turns")


@dataclass(frozen=True)
class TurnRequest:
    """One user message for Rasa."""

    sender_id: str
    text: str
    input_channel: str
    metadata: dict[str, Any] = field(default_factory=dict)
    message_id: str | None = None


BotMessages = list[dict[str, Any]]
TurnRunner = Callable[[TurnRequest], Awaitable[BotMessages]]
OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


def rasa_turn_runner(on_new_message: OnNewMessage) -> TurnRunner:
    """A ``TurnRunner`` that hands the message to Rasa and returns what the bot said."""

    async def run(turn: TurnRequest) -> BotMessages:
        collector = CollectingOutputChannel()
        await on_new_message(
            UserMessage(
                turn.text,
                collector,
                turn.sender_id,
                input_channel=turn.input_channel,
                message_id=turn.message_id,
                metadata=turn.metadata,
            )
        )
        return list(collector.messages)

    return run


@dataclass(frozen=True)
class ConversationFacts:
    """What a channel may need to know about a conversation after a turn."""

    latest_intent: str | None = None
    verified: bool = False
    # the form asking something now (``verification_form``...), if any
    active_loop: str | None = None
    # the self-service task waiting for verification or a choice (the ``pending_task`` slot)
    pending_task: str | None = None
    identity_locked: bool = False


ConversationReader = Callable[[str], Awaitable[ConversationFacts]]

VERIFIED_ASSURANCES = ("verified", "mfa")


async def no_conversation_facts(_sender_id: str) -> ConversationFacts:
    """The reader to use when there is no tracker store (tests of the channel layer)."""
    return ConversationFacts()


def tracker_reader(app: Any) -> ConversationReader:
    """Reads the latest intent, the active form and the ``assurance``, ``pending_task`` and
    ``identity_locked`` slots from the Rasa agent's tracker store."""

    async def read(sender_id: str) -> ConversationFacts:
        agent = getattr(getattr(app, "ctx", None), "agent", None)
        store = getattr(agent, "tracker_store", None)
        if store is None:
            return ConversationFacts()
        try:
            tracker = await store.retrieve(sender_id)
        except Exception:  # a failed read must not break the turn; the facts are optional
            log.warning("could not read the tracker of a conversation", exc_info=True)
            return ConversationFacts()
        if tracker is None:
            return ConversationFacts()
        latest = tracker.latest_message
        intent = (latest.intent or {}).get("name") if latest is not None else None
        assurance = tracker.get_slot("assurance")
        pending = tracker.get_slot("pending_task")
        return ConversationFacts(
            latest_intent=intent,
            verified=assurance in VERIFIED_ASSURANCES,
            active_loop=tracker.active_loop_name,
            pending_task=str(pending) if pending else None,
            identity_locked=bool(tracker.get_slot("identity_locked")),
        )

    return read
