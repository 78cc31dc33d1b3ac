"""Keeping the suite honest: its wording must not be in the NLU training data.

A line counts as the same as a training example when they match after normalising case,
whitespace and end punctuation, with entity annotations (``[AUT-1000001](policy_number)``) read
as their text. Lines that are only data (a date, a ZIP, a code, a number, a policy or claim
number, a menu key) carry no wording and are not compared.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import yaml

from tests.support.servers import PROJECT_ROOT

NLU_DIR = PROJECT_ROOT / "data" / "nlu"
_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\}|\[[^\]]*\])")
_END_PUNCTUATION = ".!?,;:…'\"()"
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_DATA_ONLY = re.compile(
    rf"^[#*]?[\d\s/.,:$#*-]*$"
    rf"|^(?:aut|hom|ren|clm)[- ]?\d{{7,8}}$"
    rf"|^{_MONTH}\s+\d{{1,2}},?\s+\d{{2,4}}$",
    re.IGNORECASE,
)


def normalise(line: str) -> str:
    """Case, inner whitespace and end punctuation folded; annotations read as their text."""
    text = _ANNOTATION.sub(r"\1", line)
    text = " ".join(text.lower().split())
    return text.strip(_END_PUNCTUATION + " ")


def is_data_only(line: str) -> bool:
    """A date, ZIP, code, amount, number or policy/claim number, with no words."""
    return _DATA_ONLY.match(line.strip()) is not None


def _examples(node: object) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "examples" and isinstance(value, str):
                for row in value.splitlines():
                    row = row.strip()
                    if row.startswith("- "):
                        yield row[2:]
            else:
                yield from _examples(value)
    elif isinstance(node, list):
        for item in node:
            yield from _examples(item)


def training_examples(nlu_dir: Path = NLU_DIR) -> set[str]:
    """Every intent example under data/nlu/, normalised."""
    found: set[str] = set()
    for path in sorted(nlu_dir.rglob("*.yml")) + sorted(nlu_dir.rglob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for nlu in data.get("nlu", []) or []:
            if isinstance(nlu, dict) and ("intent" in nlu or "synonym" in nlu):
                found.update(normalise(example) for example in _examples(nlu))
    return found


def copied_lines(lines: Iterable[str], examples: set[str]) -> list[str]:
    """The lines (with words) that are training examples."""
    return sorted(
        {line for line in lines if not is_data_only(line) and normalise(line) in examples}
    )
