"""One money formatter: chat answers, SMS pay links, documents and web pages write amounts alike."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.conversation.answers.policy import coverage_words
from bot.money import money, money_text, whole_dollars
from pas_connector.models import Coverage


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        (Decimal("1234.5"), "$1,234.50"),
        (Decimal("-84"), "-$84.00"),
        (Decimal("0.005"), "$0.00"),
        (Decimal("412.50"), "$412.50"),
    ],
)
def test_amounts_are_dollars_and_cents_with_separators(amount, shown):
    assert money(amount) == shown


@pytest.mark.parametrize(
    ("amount", "shown"),
    [(Decimal("350000"), "$350,000"), (Decimal("1000.50"), "$1,000.50"), (Decimal("-84"), "-$84")],
)
def test_limits_show_cents_only_when_there_are_some(amount, shown):
    assert whole_dollars(amount) == shown


@pytest.mark.parametrize(("text", "shown"), [("1412.5", "$1,412.50"), ("NaN", None), ("x", None)])
def test_wire_amounts_are_written_as_money_or_not_at_all(text, shown):
    assert money_text(text) == shown


def test_a_chat_deductible_reads_like_the_document_one():
    coverage = Coverage(
        code="COLL", name="Collision", limit=None, deductible="1000", premium=Decimal("1")
    )
    assert coverage_words(coverage) == "Collision ($1,000 deductible)"
