"""The one action class for every task the registry answers with a use case.

For each registry entry with a ``use_case`` a subclass named after its action is made here, so
a new task of that kind needs no action code: the registry entry, its use case and its NLU
examples (docs/adding-a-task.md).
"""

from __future__ import annotations

from abc import ABC

from rasa_sdk.events import EventType

from actions.base import Turn
from actions.tasks import TaskAction, choose_policy
from bot.conversation.answers.common import with_staleness
from bot.conversation.tasks import SELF_SERVICE, Task
from bot.conversation.use_cases import TaskRequest, UseCase


class UseCaseTask(TaskAction, ABC):
    """Verified → the policy → the use case's answer → contained (``name`` comes per task)."""

    use_case: UseCase

    async def perform(self, turn: Turn) -> list[EventType]:
        choice = await choose_policy(turn, self.task)
        if choice.policy is None:
            return choice.events
        assert turn.holder_id is not None
        answer = await type(self).use_case(
            TaskRequest(
                policy_number=choice.policy.policy_number,
                holder_id=turn.holder_id,
                now=turn.now(),
                pas=turn.services.connector,
            )
        )
        stale = answer.as_of is not None
        fetched = answer.as_of or turn.now()
        turn.say(with_staleness(answer.text, stale=stale, fetched_at=fetched, now=turn.now()))
        return await self.completed(turn, *choice.events)


def _action_class(task: Task) -> type[UseCaseTask]:
    assert task.use_case is not None
    title = "".join(part.title() for part in task.intent.split("_"))
    return type(
        f"Action{title}",
        (UseCaseTask,),
        {
            "task": task.intent,
            "name": lambda self: task.action,
            "use_case": staticmethod(task.use_case),
            "__module__": __name__,
        },
    )


USE_CASE_ACTIONS = {t.intent: _action_class(t) for t in SELF_SERVICE if t.use_case is not None}
