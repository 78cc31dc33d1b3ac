"""Issue 13's scripted conversations through the real SMS and voice webhooks (conversations.py).

Every conversation is played; one completes only if every reply holds its facts. The test fails
when a category's completion falls below its floor (floors.yml: the completion reached when it
was last raised; raise it when the assistant gets better, never lower it to pass). Completion per
category and every failed transcript are printed (tests/dialogue_suite/report.py).
"""

from __future__ import annotations

import json
from collections import defaultdict
from concurrent.futures import Future

import pytest
import yaml  # type: ignore[import-untyped]

from tests.dialogue_suite.conftest import selected_conversations
from tests.dialogue_suite.conversations import CONVERSATIONS
from tests.dialogue_suite.report import RESULTS
from tests.dialogue_suite.runner import Transcript
from tests.support.servers import PROJECT_ROOT

# A conversation of many turns on a busy machine, waiting behind others on its number.
RESULT_TIMEOUT_S = 900
FLOORS = PROJECT_ROOT / "tests" / "dialogue_suite" / "floors.yml"

pytestmark = [pytest.mark.rasa, pytest.mark.slow]


def test_every_category_completes_at_least_its_floor(
    conversation_results: dict[str, Future[Transcript]],
    request: pytest.FixtureRequest,
) -> None:
    floors: dict[str, float] = yaml.safe_load(FLOORS.read_text(encoding="utf-8"))
    assert set(floors) == {c.category for c in CONVERSATIONS}, "a category has no floor"
    selected = selected_conversations()
    if len(selected) < len(CONVERSATIONS):  # a few chosen (DIALOGUE_SUITE_ONLY): each must complete
        floors = dict.fromkeys(floors, 1.0)
    done: dict[str, list[bool]] = defaultdict(list)
    results = []
    failed = []
    for conversation in selected:
        transcript = conversation_results[conversation.name].result(timeout=RESULT_TIMEOUT_S)
        done[conversation.category].append(transcript.completed)
        results.append(
            {
                "name": f"{conversation.category}:{conversation.name}",
                "category": conversation.category,
                "channel": conversation.channel,
                "completed": transcript.completed,
                "failure": "" if transcript.completed else transcript.failure,
            }
        )
        if not transcript.completed:
            failed.append(transcript.render())
    request.node.user_properties.append((RESULTS, json.dumps(results)))
    below = {
        category: f"{sum(outcomes)}/{len(outcomes)} < {floors[category]:.0%}"
        for category, outcomes in done.items()
        if sum(outcomes) / len(outcomes) < floors[category]
    }
    assert not below, f"below the floor: {below}\n\n" + "\n\n".join(failed)
