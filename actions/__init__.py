"""Rasa custom actions: thin adapters over the domain core in ``bot/``.

``rasa run actions --actions actions`` registers every concrete ``Action`` subclass found in
these modules (abstract bases are skipped). Importing builds nothing: services come from
``bot.bootstrap.get_services()`` on first use.
"""

from actions import (
    autopay,
    billing,
    choice_forms,
    claims,
    documents,
    follow_up,
    handoff,
    identity,
    one_time_code,
    policy,
    small_talk,
    use_case_tasks,
)

__all__ = [
    "autopay",
    "billing",
    "choice_forms",
    "claims",
    "documents",
    "follow_up",
    "handoff",
    "identity",
    "one_time_code",
    "policy",
    "small_talk",
    "use_case_tasks",
]
