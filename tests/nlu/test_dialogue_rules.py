"""The dialogue policies play every test story in tests/conversations/test_stories.yml.

Trains the dialogue part only (rules and stories, no NLU: the stories give intents) into a temp
folder, which also proves that the rules and stories do not contradict each other (Rasa refuses
to train otherwise), then replays each test story the way ``rasa test`` does: without running any
custom action, asking the policies for every next action. Marked ``slow`` (about a minute).
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from tests.nlu.conftest import CONFIG_PATH, DATA_PATH, DOMAIN_PATH, TEST_STORIES_PATH

pytestmark = pytest.mark.slow


def test_every_test_story_is_predicted_action_by_action(tmp_path: Path) -> None:
    from rasa.core.agent import Agent
    from rasa.core.test import test as evaluate_stories
    from rasa.model_training import train_core

    model = train_core(
        domain=str(DOMAIN_PATH),
        config=str(CONFIG_PATH),
        stories=str(DATA_PATH),
        output=str(tmp_path / "models"),
        fixed_model_name="core",
    )
    assert model is not None, "rasa refused to train the dialogue policies"
    out = tmp_path / "results"
    out.mkdir()
    agent = Agent.load(model)
    asyncio.run(
        evaluate_stories(
            str(TEST_STORIES_PATH), agent, out_directory=str(out), disable_plotting=True
        )
    )

    report = json.loads((out / "story_report.json").read_text(encoding="utf-8"))
    conversations = report["conversation_accuracy"]
    failed = (out / "failed_test_stories.yml").read_text(encoding="utf-8")
    assert conversations["total"] >= 30
    assert conversations["correct"] == conversations["total"], failed
