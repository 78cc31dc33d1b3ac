"""Shared fixtures for the Rasa project tests: the domain, the NLU data, the contract's names.

Loading is cheap (no training); the session scope only saves re-reading the YAML per test.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")

from rasa.shared.core.domain import Domain
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.training_data import TrainingData

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DOMAIN_PATH = PROJECT_ROOT / "domain.yml"
CONFIG_PATH = PROJECT_ROOT / "config.yml"
DATA_PATH = PROJECT_ROOT / "data"
NLU_PATH = DATA_PATH / "nlu"
CONTRACT_PATH = PROJECT_ROOT / "docs" / "dialogue-contract.md"
TEST_STORIES_PATH = PROJECT_ROOT / "tests" / "conversations" / "test_stories.yml"

# Intent names from docs/architecture.md and docs/dialogue-contract.md (`start_over` stands in for
# `restart`, which Rasa reserves; see the contract's "Rules" section).
SELF_SERVICE_INTENTS = (
    "request_id_card",
    "request_declarations",
    "request_certificate",
    "check_balance",
    "payment_history",
    "make_payment",
    "autopay_enroll",
    "autopay_cancel",
    "autopay_status",
    "update_payment_method",
    "claim_status",
    "policy_summary",
)
ROUTED_INTENTS = ("coverage_question", "report_claim", "change_policy", "human_handoff")
CONVERSATION_INTENTS = (
    "greet",
    "goodbye",
    "thank",
    "affirm",
    "deny",
    "inform",
    "help",
    "bot_challenge",
    "out_of_scope",
    "start_over",
)
CONTRACT_INTENTS = SELF_SERVICE_INTENTS + ROUTED_INTENTS + CONVERSATION_INTENTS


@pytest.fixture(scope="session")
def domain() -> Domain:
    return Domain.load(str(DOMAIN_PATH))


@pytest.fixture(scope="session")
def nlu_data() -> TrainingData:
    return load_data(str(NLU_PATH))


@pytest.fixture(scope="session")
def contract_text() -> str:
    return CONTRACT_PATH.read_text(encoding="utf-8")


def contract_section(text: str, heading: str) -> str:
    """The body of one ``## heading`` section of the contract."""
    match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match, f"section {heading!r} missing from {CONTRACT_PATH.name}"
    return match.group(1)
