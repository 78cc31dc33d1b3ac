"""The suite measures understanding, not memory: none of its lines is a training example."""

from __future__ import annotations

from tests.dialogue_suite.conversations import CONVERSATIONS
from tests.dialogue_suite.honesty import (
    copied_lines,
    is_data_only,
    normalise,
    training_examples,
)


def test_no_line_of_the_suite_is_a_training_example() -> None:
    lines = [line for conversation in CONVERSATIONS for line in conversation.user_lines()]
    copied = copied_lines(lines, training_examples())
    assert not copied, f"suite lines found verbatim in data/nlu/: {copied}"


def test_the_comparison_ignores_case_spacing_end_punctuation_and_annotations() -> None:
    examples = {normalise("- what is my [home](policy_line) balance"[2:])}
    assert copied_lines(["What is my  HOME balance?!"], examples) == ["What is my  HOME balance?!"]
    assert copied_lines(["what is my home balance now"], examples) == []


def test_data_only_lines_are_not_wording() -> None:
    assert is_data_only("04/12/1985") and is_data_only("#78704") and is_data_only("2")
    assert is_data_only("AUT-1000001") and is_data_only("125")
    assert not is_data_only("the 2nd one") and not is_data_only("pay 125")


def test_the_training_data_is_read() -> None:
    assert len(training_examples()) > 500
