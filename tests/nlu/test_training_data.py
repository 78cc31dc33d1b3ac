"""The Rasa project keeps the dialogue contract: names, data, responses, rules (no training)."""

from __future__ import annotations

import re
import warnings
from collections import Counter

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader
from rasa.shared.importers.importer import TrainingDataImporter
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa.validator import Validator

from bench.nlu_eval import normalised_examples
from bench.nlu_report import PEER as PEER_SET
from bot.conversation.intents import SELF_SERVICE_INTENTS as registry_self_service_intents
from bot.conversation.tasks import TASKS
from tests.nlu.conftest import (
    CONFIG_PATH,
    CONTRACT_INTENTS,
    DATA_PATH,
    DOMAIN_PATH,
    SELF_SERVICE_INTENTS,
    TEST_STORIES_PATH,
    contract_section,
)

# "~40-80 examples per self-service intent, ~30 for others" (the data brief), with a margin.
MIN_SELF_SERVICE_EXAMPLES = 40
MIN_OTHER_EXAMPLES = 25
SMS_LIMIT = 160
# GSM 03.38 basic character set: anything else turns an SMS into UCS-2 (70 characters a part).
GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Responses Rasa itself uses, which no story or rule names: the forms' questions and the
# default fallback actions' texts.
DEFAULT_ACTION_RESPONSES = {"utter_default", "utter_ask_rephrase"}
# Rasa warns about the removed slot auto-fill on every domain validation, whatever the domain.
pytestmark = pytest.mark.filterwarnings("ignore:Slot auto-fill has been removed")

ENTITY_FORMATS = {
    "policy_number": re.compile(r"(?i)^(?:(?:aut|hom|ren)[- ]?)?\d{7}$"),
    "claim_number": re.compile(r"(?i)^(?:clm[- ]?)?\d{8}$"),
    "zip_code": re.compile(r"^\d{5}$"),
}


def _validator() -> Validator:
    importer = TrainingDataImporter.load_from_config(
        str(CONFIG_PATH), str(DOMAIN_PATH), [str(DATA_PATH)]
    )
    return Validator.from_importer(importer)


def _form_questions(domain: Domain) -> set[str]:
    """How each form asks for each slot: its own action (``action_ask_<form>_<slot>``) when the
    domain has one, otherwise the response ``utter_ask_<slot>``."""
    asks = set()
    for name, form in domain.forms.items():
        for slot in form.get("required_slots", []):
            own = f"action_ask_{name}_{slot}"
            asks.add(own if own in domain.user_actions else f"utter_ask_{slot}")
    return asks


def _test_story_events(domain: Domain) -> list[object]:
    steps = YAMLStoryReader(domain).read_from_file(str(TEST_STORIES_PATH))
    return [event for step in steps for event in step.events]


@pytest.mark.parametrize("intent", CONTRACT_INTENTS)
def test_every_contract_intent_is_in_the_domain_and_has_examples(
    intent: str, domain: Domain, nlu_data: TrainingData
) -> None:
    counts = Counter(example.get("intent") for example in nlu_data.intent_examples)
    floor = MIN_SELF_SERVICE_EXAMPLES if intent in SELF_SERVICE_INTENTS else MIN_OTHER_EXAMPLES
    assert intent in domain.intents
    assert counts[intent] >= floor, f"{intent} has {counts[intent]} examples, want {floor}"


def test_restart_is_left_to_rasa_and_start_over_carries_the_examples(
    nlu_data: TrainingData,
) -> None:
    # Rasa maps the intent `restart` to its built-in action_restart ahead of every rule.
    intents = {example.get("intent") for example in nlu_data.intent_examples}
    assert "restart" not in intents
    assert "start_over" in intents


def test_no_example_appears_twice(nlu_data: TrainingData) -> None:
    # The featurizers lowercase, so "HELP" and "help" are one example: a repeat would sit in both
    # halves of the held-out split (or carry two labels) and flatter the figures.
    seen = Counter(example.get("text").strip().lower() for example in nlu_data.intent_examples)
    assert [text for text, count in seen.items() if count > 1] == []


def test_entity_annotations_use_the_contract_formats(nlu_data: TrainingData) -> None:
    wrong = [
        (entity["entity"], entity["value"], example.get("text"))
        for example in nlu_data.intent_examples
        for entity in example.get("entities") or []
        if entity["entity"] in ENTITY_FORMATS
        and not ENTITY_FORMATS[entity["entity"]].match(str(entity["value"]))
    ]
    assert wrong == []


def test_full_balance_phrases_map_to_amount_full(nlu_data: TrainingData) -> None:
    for phrase in ("the full balance", "pay it all", "everything", "the whole balance", "full"):
        assert nlu_data.entity_synonyms.get(phrase) == "full", phrase


def registry_self_service() -> tuple[str, ...]:
    return registry_self_service_intents


def test_custom_actions_are_exactly_the_contracts(domain: Domain, contract_text: str) -> None:
    table = contract_section(contract_text, "Custom actions (names used in rules/stories)")
    in_table = {
        name
        for row in table.splitlines()
        if row.startswith("| `")
        for name in re.findall(r"`(action_\w+)`", row.split("|")[1])
    }
    named_anywhere = set(re.findall(r"`(action_\w+)`", contract_text))
    # Task actions beyond the contract's are declared by the task registry (docs/adding-a-task.md).
    named_anywhere |= {task.action for task in TASKS}
    custom = {name for name in domain.user_actions if name.startswith("action_")}
    assert in_table <= custom, f"contract actions missing from domain.yml: {in_table - custom}"
    assert custom <= named_anywhere, (
        f"domain actions not in the contract: {custom - named_anywhere}"
    )


def test_every_form_question_has_a_response(domain: Domain) -> None:
    assert set(domain.forms) == {
        "verification_form",
        "one_time_code_form",
        "certificate_form",
        "payment_form",
        # "which policy?" / "which claim?": asked by their own action_ask_<form>_<slot>
        "policy_choice_form",
        "claim_choice_form",
    }
    assert _form_questions(domain) <= set(domain.responses) | set(domain.user_actions)


def test_every_response_fits_one_plain_sms(domain: Domain) -> None:
    too_long = {}
    not_gsm7 = {}
    for name, variations in domain.responses.items():
        for variation in variations:
            text = variation.get("text", "")
            if len(text) > SMS_LIMIT:
                too_long[name] = len(text)
            if set(text) - GSM7:
                not_gsm7[name] = sorted(set(text) - GSM7)
    assert too_long == {}
    assert not_gsm7 == {}


def test_verified_state_ends_after_15_idle_minutes(domain: Domain) -> None:
    assert domain.session_config.session_expiration_time == 15
    assert domain.session_config.carry_over_slots is False
    assurance = next(slot for slot in domain.slots if slot.name == "assurance")
    assert assurance.initial_value == "anonymous"


def test_only_the_slots_the_rules_branch_on_influence_the_conversation(domain: Domain) -> None:
    influencing = {slot.name for slot in domain.slots if slot.influence_conversation}
    assert influencing == {
        "assurance",
        "identity_locked",
        "pending_task",
        "policy_number",
        "claim_number",
        "fallback_count",
        # web chat: a one-time code is waiting to be typed in (docs/dialogue-contract.md)
        "code_sent",
        # how the latest identity check went: one slot instead of one rule per task
        "verification_result",
        # "which policy?" / "which claim?" waits: the rule after action_resume_task starts its form
        "choosing",
    }
    pending_task = next(slot for slot in domain.slots if slot.name == "pending_task")
    # Rasa adds `__other__` to every categorical slot for values outside the list.
    # Every self-service task of the registry: the contract's, and any added since.
    assert set(pending_task.values) - {"__other__"} == set(registry_self_service())
    assert set(SELF_SERVICE_INTENTS) <= set(registry_self_service())


def test_rasa_validator_finds_no_conflicts_and_every_intent_in_a_rule(domain: Domain) -> None:
    validator = _validator()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = {
            "domain": validator.verify_domain_validity(),
            "intents": validator.verify_intents_in_stories(ignore_warnings=False),
            "story structure": validator.verify_story_structure(ignore_warnings=False),
            "slot mappings": validator.verify_slot_mappings(),
            "forms": validator.verify_forms_in_stories_rules(),
            "actions": validator.verify_actions_in_stories_rules(),
            "form slots": validator.verify_form_slots(),
        }
    assert {check for check, ok in results.items() if not ok} == set()


def test_only_form_questions_and_fallback_texts_are_missing_from_rules(domain: Domain) -> None:
    validator = _validator()
    used = {
        event.action_name
        for step in validator.story_graph.story_steps
        for event in step.events
        if isinstance(event, ActionExecuted) and event.action_name
    }
    unused = set(domain.responses) - used
    # action_understanding_fallback sends the first for the first out-of-scope message in a
    # row; action_follow_up sends the second for a yes or an answer with nothing asked
    sent_by_actions = {"utter_out_of_scope", "utter_ask_task"}
    asked_by_forms = {name for name in _form_questions(domain) if name.startswith("utter_")}
    assert unused == asked_by_forms | DEFAULT_ACTION_RESPONSES | sent_by_actions


def test_test_stories_cover_every_intent_and_custom_action(domain: Domain) -> None:
    events = _test_story_events(domain)
    intents = {e.intent_name for e in events if isinstance(e, UserUttered) and e.intent_name}
    actions = {e.action_name for e in events if isinstance(e, ActionExecuted) and e.action_name}
    assert intents - {"nlu_fallback"} <= set(domain.intents)
    assert actions <= set(domain.action_names_or_texts)
    assert set(CONTRACT_INTENTS) - intents == set()
    # A form's action_ask_* and validate_* actions run inside the form, not as story steps.
    untested = {
        name
        for name in domain.user_actions
        if name.startswith("action_") and not name.startswith("action_ask_")
    } - actions
    assert untested == set()


def test_no_peer_test_example_is_in_the_training_data() -> None:
    # ../shared/eval/peer_nlu.yml is wording written by other projects, for testing only: a copy
    # in data/ would flatter the figures `make nlu-report` prints for it.
    if not PEER_SET.is_file():
        pytest.skip(f"no peer set at {PEER_SET}")
    training = normalised_examples(DATA_PATH)
    copied = sorted(set(normalised_examples(PEER_SET)) & set(training))
    assert [training[text] for text in copied] == []
