"""The Rasa YAML the task registry decides is generated, and checked current here."""

from __future__ import annotations

from pathlib import Path

import yaml  # type: ignore[import-untyped]

from bot.conversation.intents import SELF_SERVICE_INTENTS
from bot.conversation.tasks import SELF_SERVICE, TASKS
from devtools import dialogue_yaml


def test_generated_rules_and_domain_blocks_are_current() -> None:
    stale = dialogue_yaml.stale()
    assert not stale, f"run `python -m devtools.dialogue_yaml`: stale {stale}"


def test_a_stale_file_is_noticed(tmp_path: Path) -> None:
    root = tmp_path
    (root / "data").mkdir()
    domain = Path(dialogue_yaml.PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8")
    (root / "domain.yml").write_text(domain.replace("  - policy_summary\n", "", 1))
    (root / "data" / "generated_rules.yml").write_text(dialogue_yaml.rules_text())
    assert dialogue_yaml.stale(root) == [root / "domain.yml"]


def test_every_task_gets_its_start_rule_and_every_form_its_interruptions() -> None:
    rules = yaml.safe_load(dialogue_yaml.rules_text())["rules"]
    names = {rule["rule"] for rule in rules}
    for task in SELF_SERVICE:
        assert f"{task.intent} starts its task" in names
    for form in ("verification_form", "one_time_code_form", "certificate_form", "payment_form"):
        assert f"human_handoff inside {form} is routed at once" in names
        assert f"help inside {form} answers and ends the form" in names


def test_the_registry_declares_each_intent_once_and_derives_the_contract_lists() -> None:
    intents = [task.intent for task in TASKS]
    assert len(intents) == len(set(intents))
    assert SELF_SERVICE_INTENTS == tuple(t.intent for t in TASKS if t.self_service)
    keys = [t.voice_key for t in TASKS if t.voice_key]
    assert len(keys) == len(set(keys)) and "0" in keys
