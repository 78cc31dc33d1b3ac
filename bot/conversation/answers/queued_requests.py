"""The line that says a second request of the same message is next (channels.requests_in_a_message).

The task is named with its registry words (``Task.words``: "ID card", "balance", "new claim"), so
a new task needs no edit here.
"""

from __future__ import annotations

from bot.conversation.tasks import task_for

# A person is no "your ..." thing.
_TO_A_PERSON = "After that, I'll connect you with a person."
_SOMETHING = "After that, I'll help with your other request."


def queued_request_notice(intent: str) -> str:
    """One short line: the request of ``intent`` comes after the current one."""
    if intent == "human_handoff":
        return _TO_A_PERSON
    task = task_for(intent)
    if task is None:
        return _SOMETHING
    return f"After that, I'll help with your {task.words}."
