"""The intent names of the dialogue contract (docs/architecture.md), derived from the task registry.

Analytics, the staff console's filters and the actions all name intents; they import them from
here, and the registry (bot/conversation/tasks/registry.py) is the one place that declares them.
"""

from __future__ import annotations

from bot.conversation.tasks.registry import ROUTED, SELF_SERVICE

# Answered by the assistant once the policyholder is verified.
SELF_SERVICE_INTENTS: tuple[str, ...] = tuple(task.intent for task in SELF_SERVICE)
# Never answered by the assistant: routed to a person with a handoff record.
ROUTED_TO_PEOPLE: tuple[str, ...] = tuple(task.intent for task in ROUTED)
# The conversation's own intents (contract); they are no task.
CONVERSATION_INTENTS: tuple[str, ...] = (
    "greet",
    "goodbye",
    "thank",
    "affirm",
    "deny",
    "inform",
    "help",
    "bot_challenge",
    "out_of_scope",
    "start_over",
)
