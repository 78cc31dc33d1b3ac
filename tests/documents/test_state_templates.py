"""The ID card state template registry: data validated at load, states added as data."""

from __future__ import annotations

import copy
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.documents import DocumentKind, DocumentRenderer, TemplateError
from bot.documents.state_templates import (
    DEFAULT_TEMPLATE_FILE,
    REQUIRED_FIELDS,
    load_templates,
    parse_templates,
)
from tests.documents.support import pdf_text


def _shipped() -> dict[str, Any]:
    return yaml.safe_load(DEFAULT_TEMPLATE_FILE.read_text(encoding="utf-8"))


def test_shipped_templates_cover_generic_texas_and_new_york() -> None:
    registry = load_templates()
    assert registry.for_state("TX").title == "Texas Liability Insurance Card"
    ny = registry.for_state("ny")
    assert ny.title == "New York State Insurance Identification Card"
    assert ny.cards_per_vehicle == 2 and ny.barcode is not None
    assert registry.for_state("WA") is registry.default
    for template in [registry.default, *registry.states.values()]:
        assert REQUIRED_FIELDS <= set(template.fields)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["states"]["TX"]["fields"].append("vin_number"), "vin_number"),
        (lambda d: d["states"]["TX"]["fields"].remove("vin"), "missing required fields vin"),
        (lambda d: d["states"]["NY"]["copy_labels"].pop(), "1 copy_labels for 2 cards"),
        (lambda d: d["states"].update({"Texas": d["states"]["TX"]}), "Texas"),
        (lambda d: d["states"]["NY"].update(cards_per_vehicle=3), "3"),
        (lambda d: d["states"]["NY"]["barcode"]["fields"].append("producer"), "producer"),
        (lambda d: d["default"].pop("statement"), "statement"),
    ],
)
def test_invalid_template_data_is_refused_at_load_with_the_reason(change, message) -> None:  # type: ignore[no-untyped-def]
    data = copy.deepcopy(_shipped())
    change(data)
    with pytest.raises(TemplateError, match=message):
        parse_templates(data)


def test_a_carrier_adds_a_state_as_data_and_its_cards_use_it(tmp_path: Path, persona) -> None:
    data = _shipped()
    data["states"]["CA"] = {
        "title": "California Evidence of Insurance",
        "cards_per_vehicle": 1,
        "fields": [*sorted(REQUIRED_FIELDS), "claims_phone"],
        "statement": "Carry this evidence of financial responsibility in the vehicle.",
    }
    path = tmp_path / "templates.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    registry = load_templates(path)
    holder, policy = persona("AUT-1000001")
    renderer = DocumentRenderer(registry=registry)

    doc = renderer.render(DocumentKind.ID_CARD, replace(policy, state="CA"), holder)

    assert doc.template == "CA"
    text = pdf_text(doc.pdf)
    assert text.count("CALIFORNIA EVIDENCE OF INSURANCE") == 2
    assert "Carry this evidence of financial responsibility" in text
