"""The state template registry for auto ID cards: title and required fields per state, as data.

Templates live in ``id_card_templates.yaml`` beside this module (a carrier adds a state by adding
an entry) and are validated when loaded: first the shape with a JSON Schema, then the rules a
schema cannot say (every card carries the core fields; one copy label per card; barcode fields
are card fields). An invalid file raises ``TemplateError`` naming the state and the problem.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml  # type: ignore[import-untyped]

from bot.documents.errors import TemplateError

DEFAULT_TEMPLATE_FILE = Path(__file__).resolve().parent / "id_card_templates.yaml"

# Everything a card can print; the ID card renderer knows how to fill each of these.
CARD_FIELDS = (
    "insurer_name",
    "naic_code",
    "policy_number",
    "effective_date",
    "expiration_date",
    "named_insureds",
    "insured_address",
    "vehicle",
    "vin",
    "claims_phone",
    "producer",
    "liability_limits",
)

# What every state's card must show, whatever the state adds.
REQUIRED_FIELDS = frozenset(
    {
        "insurer_name",
        "naic_code",
        "policy_number",
        "effective_date",
        "expiration_date",
        "named_insureds",
        "vehicle",
        "vin",
    }
)

_TEMPLATE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["title", "cards_per_vehicle", "fields", "statement"],
    "properties": {
        "title": {"type": "string", "minLength": 3, "maxLength": 60},
        "cards_per_vehicle": {"type": "integer", "minimum": 1, "maximum": 2},
        "copy_labels": {"type": "array", "items": {"type": "string", "minLength": 1}},
        "fields": {
            "type": "array",
            "items": {"enum": list(CARD_FIELDS)},
            "uniqueItems": True,
            "minItems": 1,
        },
        "statement": {"type": "string", "minLength": 1, "maxLength": 600},
        "notice": {"type": "string", "minLength": 1, "maxLength": 600},
        "barcode": {
            "oneOf": [
                {"type": "null"},
                {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["prefix", "fields"],
                    "properties": {
                        "prefix": {"type": "string", "pattern": "^[A-Z0-9]{2,12}$"},
                        "fields": {
                            "type": "array",
                            "items": {"enum": list(CARD_FIELDS)},
                            "uniqueItems": True,
                            "minItems": 1,
                        },
                    },
                },
            ]
        },
    },
}

FILE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["version", "default", "states"],
    "properties": {
        "version": {"const": 1},
        "default": _TEMPLATE_SCHEMA,
        "states": {
            "type": "object",
            "propertyNames": {"pattern": "^[A-Z]{2}$"},
            "additionalProperties": _TEMPLATE_SCHEMA,
        },
    },
}


@dataclass(frozen=True)
class BarcodeSpec:
    """What a card's 2D code encodes: ``prefix|field1|field2|...``."""

    prefix: str
    fields: tuple[str, ...]


@dataclass(frozen=True)
class IdCardTemplate:
    """One state's ID card: its title, the fields in print order, copies and wording."""

    template_id: str  # "default" or the two-letter state code
    title: str
    cards_per_vehicle: int
    copy_labels: tuple[str, ...]
    fields: tuple[str, ...]
    statement: str
    notice: str | None
    barcode: BarcodeSpec | None


@dataclass(frozen=True)
class TemplateRegistry:
    """ID card templates by state, with the default for states that have none."""

    default: IdCardTemplate
    states: Mapping[str, IdCardTemplate]

    def for_state(self, state: str) -> IdCardTemplate:
        """The template for a policy's state (``TX``), or the default one."""
        return self.states.get(state.strip().upper(), self.default)


def parse_templates(data: Any, *, source: str = "templates") -> TemplateRegistry:
    """Validate already-parsed template data and build the registry."""
    validator = jsonschema.Draft7Validator(FILE_SCHEMA)
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        where = "/".join(str(p) for p in first.absolute_path) or "(top level)"
        raise TemplateError(f"{source}: {where}: {first.message}")
    default = _build("default", data["default"], source)
    states = {code: _build(code, body, source) for code, body in data["states"].items()}
    return TemplateRegistry(default=default, states=states)


def load_templates(path: Path = DEFAULT_TEMPLATE_FILE) -> TemplateRegistry:
    """Read, validate and build the registry from a YAML file."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise TemplateError(f"{path.name}: cannot read templates: {exc}") from exc
    return parse_templates(data, source=path.name)


@lru_cache(maxsize=1)
def default_registry() -> TemplateRegistry:
    """The shipped templates, loaded once per process."""
    return load_templates()


def _build(template_id: str, body: Mapping[str, Any], source: str) -> IdCardTemplate:
    fields = tuple(body["fields"])
    missing = REQUIRED_FIELDS.difference(fields)
    if missing:
        raise TemplateError(
            f"{source}: {template_id}: missing required fields {', '.join(sorted(missing))}"
        )
    copies = int(body["cards_per_vehicle"])
    labels = tuple(body.get("copy_labels") or ())
    if labels and len(labels) != copies:
        raise TemplateError(
            f"{source}: {template_id}: {len(labels)} copy_labels for {copies} cards per vehicle"
        )
    barcode = None
    if body.get("barcode"):
        spec = body["barcode"]
        stray = set(spec["fields"]).difference(fields)
        if stray:
            raise TemplateError(
                f"{source}: {template_id}: barcode encodes fields the card does not show: "
                f"{', '.join(sorted(stray))}"
            )
        barcode = BarcodeSpec(prefix=spec["prefix"], fields=tuple(spec["fields"]))
    return IdCardTemplate(
        template_id=template_id,
        title=body["title"].strip(),
        cards_per_vehicle=copies,
        copy_labels=labels,
        fields=fields,
        statement=" ".join(body["statement"].split()),
        notice=" ".join(body["notice"].split()) if body.get("notice") else None,
        barcode=barcode,
    )
