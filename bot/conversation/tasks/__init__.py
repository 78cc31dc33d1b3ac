"""The task registry: every task the assistant serves or routes, declared once (registry.py).

Everything that lists tasks is derived from it: the intent lists of the dialogue contract
(``bot.conversation.intents``), outcome categories, the voice menu, and the Rasa domain lists and
rules that ``python -m devtools.dialogue_yaml`` writes (a test fails when they are stale).
"""

from bot.conversation.tasks.registry import (
    ROUTED,
    SELF_SERVICE,
    TASKS,
    Category,
    Chooses,
    Reads,
    Task,
    task_for,
)

__all__ = ["ROUTED", "SELF_SERVICE", "TASKS", "Category", "Chooses", "Reads", "Task", "task_for"]
