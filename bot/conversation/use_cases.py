"""What a task needs to be answered without an action of its own: a use case over the PAS.

A registry entry with a ``use_case`` is served by one generic action (actions/use_case_tasks.py):
it proves identity, chooses the policy, calls the use case and says its answer. A use case is a
plain async function of a ``TaskRequest`` returning a ``TaskAnswer``; it reads the PAS through
the connector it is given and never sees Rasa.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from pas_connector.connector import PasConnector


@dataclass(frozen=True)
class TaskRequest:
    """One verified request for one of the holder's policies."""

    policy_number: str
    holder_id: str
    now: datetime
    pas: PasConnector


@dataclass(frozen=True)
class TaskAnswer:
    """What to say; ``as_of`` when it comes from a cached copy the PAS could not refresh."""

    text: str
    as_of: datetime | None = None


UseCase = Callable[[TaskRequest], Awaitable[TaskAnswer]]
