"""Writes the Rasa YAML that the task registry decides (docs/adding-a-task.md).

``python -m devtools.dialogue_yaml`` rewrites:
- ``data/generated_rules.yml``: the rules every task has (start it, resume it once its policy or
  claim is chosen, listen after it) and what interrupts a form, the choice forms included (a
  person, another task, help);
- the marked blocks of ``domain.yml`` (``# >>> generated: NAME`` … ``# <<< generated: NAME``):
  the task intents, the ``pending_task`` values, the intents that are never a form's answer, and
  the task actions.
``python -m devtools.dialogue_yaml --check`` exits 1 when a file is stale (a test runs it).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]

from bot.conversation.intents import CONVERSATION_INTENTS, ROUTED_TO_PEOPLE, SELF_SERVICE_INTENTS
from bot.conversation.tasks import ROUTED, SELF_SERVICE, Chooses, Task
from bot.settings import PROJECT_ROOT

RULES_PATH = Path("data") / "generated_rules.yml"
DOMAIN_PATH = Path("domain.yml")
HEADER = (
    "# Generated from the task registry (bot/conversation/tasks/registry.py) by\n"
    "# `python -m devtools.dialogue_yaml`. Do not edit: change the registry and run it again.\n"
)
# Forms that verify identity: another task asked inside them keeps the check going.
IDENTITY_FORMS = ("verification_form", "one_time_code_form")
# Forms that ask which policy or claim a task is for (actions/choice_forms.py).
CHOICE_FORMS = tuple(chooses.form for chooses in Chooses)
# Example values for the slots rules are featurised on (only set / not set matters).
SAMPLE_POLICY = "AUT-1000001"
SAMPLE_CLAIM = "CLM-50000001"
# Conversation intents a form's answer is never (affirm and inform can be answers).
NOT_ANSWER_CONVERSATION = tuple(i for i in CONVERSATION_INTENTS if i not in ("affirm", "inform"))


def _task_forms() -> tuple[str, ...]:
    return tuple(dict.fromkeys(t.form for t in SELF_SERVICE if t.form))


def task_rules() -> list[dict[str, Any]]:
    rules: list[dict[str, Any]] = []
    for task in SELF_SERVICE:
        rules.append(
            {
                "rule": f"{task.intent} starts its task",
                "steps": [{"intent": task.intent}, {"action": "action_start_task"}],
                "wait_for_user_input": False,
            }
        )
    for task in SELF_SERVICE:
        rules.extend(_resume_rules(task))
    for action in dict.fromkeys(t.action for t in SELF_SERVICE):
        rules.append({"rule": f"wait after {action}", "steps": [{"action": action}]})
    return rules


def _resume_rules(task: Task) -> list[dict[str, Any]]:
    then: list[dict[str, Any]] = [{"action": task.form or task.action}]
    if task.form:
        then.append({"active_loop": task.form})
    if task.chooses is Chooses.CLAIM:
        return [
            {
                "rule": f"resume {task.intent} with a claim chosen",
                "condition": [
                    {
                        "slot_was_set": [
                            {"pending_task": task.intent},
                            {"claim_number": SAMPLE_CLAIM},
                        ]
                    }
                ],
                "steps": [
                    {"action": "action_resume_task"},
                    {"slot_was_set": [{"choosing": None}, {"policy_number": SAMPLE_POLICY}]},
                    *then,
                ],
            },
        ]
    return [
        {
            "rule": f"resume {task.intent} with a policy selected",
            "condition": [{"slot_was_set": [{"pending_task": task.intent}]}],
            "steps": [
                {"action": "action_resume_task"},
                {"slot_was_set": [{"choosing": None}, {"policy_number": SAMPLE_POLICY}]},
                *then,
            ],
        }
    ]


def interruption_rules() -> list[dict[str, Any]]:
    """Inside any form: a person, another task or help is honoured at once."""
    rules: list[dict[str, Any]] = []
    for form in (*IDENTITY_FORMS, *CHOICE_FORMS, *_task_forms()):
        inside = [{"active_loop": form}]
        for task in ROUTED:
            rules.append(
                {
                    "rule": f"{task.intent} inside {form} is routed at once",
                    "condition": inside,
                    "steps": [
                        {"intent": task.intent},
                        {"action": task.action},
                        {"action": "action_deactivate_loop"},
                        {"active_loop": None},
                    ],
                }
            )
        rules.append(
            {
                # counted with the answers the form could not use: the second in a row hands
                # off (action_understanding_fallback ends the form then)
                "rule": f"out_of_scope inside {form} counts as not understood",
                "condition": inside,
                "steps": [
                    {"intent": "out_of_scope"},
                    {"action": "action_understanding_fallback"},
                    {"action": form},
                ],
            }
        )
        rules.append(
            {
                "rule": f"help inside {form} answers and ends the form",
                "condition": inside,
                "steps": [
                    {"intent": "help"},
                    {"action": "utter_help"},
                    {"action": "action_deactivate_loop"},
                    {"active_loop": None},
                ],
            }
        )
        for task in SELF_SERVICE:
            if form in IDENTITY_FORMS:
                # The new task needs identity too: it becomes the pending task, the check goes on.
                steps: list[dict[str, Any]] = [
                    {"intent": task.intent},
                    {"action": "action_start_task"},
                    {"action": form},
                ]
            else:
                steps = [
                    {"intent": task.intent},
                    {"action": "action_deactivate_loop"},
                    {"active_loop": None},
                    {"action": "action_start_task"},
                ]
            rules.append(
                {
                    "rule": f"{task.intent} inside {form} switches task",
                    "condition": inside,
                    "steps": steps,
                    "wait_for_user_input": False,
                }
            )
    return rules


def rules_text() -> str:
    document = {"version": "3.1", "rules": [*task_rules(), *interruption_rules()]}
    body = yaml.safe_dump(document, sort_keys=False, width=100, allow_unicode=True)
    return HEADER + "\n" + body


def domain_blocks() -> dict[str, list[str]]:
    """The generated block contents of domain.yml, by name (lines without the indentation)."""
    return {
        "task intents": [
            "# self-service (contract)",
            *(f"- {i}" for i in SELF_SERVICE_INTENTS),
            "# routed to people (contract)",
            *(f"- {i}" for i in ROUTED_TO_PEOPLE),
        ],
        "pending task values": [f"- {i}" for i in SELF_SERVICE_INTENTS],
        "not an answer": [
            f"- {i}" for i in (*SELF_SERVICE_INTENTS, *ROUTED_TO_PEOPLE, *NOT_ANSWER_CONVERSATION)
        ],
        "task actions": [
            f"- {a}" for a in dict.fromkeys(t.action for t in (*SELF_SERVICE, *ROUTED))
        ],
    }


_BLOCK = re.compile(
    r"^(?P<indent>[ \t]*)# >>> generated: (?P<name>[a-z ]+)\n(?P<body>.*?)"
    r"^(?P=indent)# <<< generated: (?P=name)\n",
    re.MULTILINE | re.DOTALL,
)


def domain_text(current: str) -> str:
    blocks = domain_blocks()
    seen: set[str] = set()

    def fill(match: re.Match[str]) -> str:
        name, indent = match["name"], match["indent"]
        if name not in blocks:
            raise SystemExit(f"domain.yml has an unknown generated block: {name}")
        seen.add(name)
        lines = "".join(f"{indent}{line}\n" for line in blocks[name])
        return f"{indent}# >>> generated: {name}\n{lines}{indent}# <<< generated: {name}\n"

    text = _BLOCK.sub(fill, current)
    missing = set(blocks) - seen
    if missing:
        raise SystemExit(f"domain.yml lacks the generated blocks: {', '.join(sorted(missing))}")
    return text


def generated(root: Path = PROJECT_ROOT) -> dict[Path, str]:
    """Each generated file and the text it should have now."""
    domain = (root / DOMAIN_PATH).read_text(encoding="utf-8")
    return {root / RULES_PATH: rules_text(), root / DOMAIN_PATH: domain_text(domain)}


def stale(root: Path = PROJECT_ROOT) -> list[Path]:
    """The generated files whose content is not what the registry gives."""
    return [
        path
        for path, text in generated(root).items()
        if not path.exists() or path.read_text(encoding="utf-8") != text
    ]


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.dialogue_yaml", description=__doc__)
    parser.add_argument("--check", action="store_true", help="exit 1 if a file is stale")
    args = parser.parse_args(list(argv) if argv is not None else None)
    if args.check:
        old = stale()
        for path in old:
            print(f"stale: {path.relative_to(PROJECT_ROOT)} (run python -m devtools.dialogue_yaml)")
        return 1 if old else 0
    for path, text in generated().items():
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(PROJECT_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
