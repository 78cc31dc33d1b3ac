"""Plain-language check of everything the assistant can send and every web page's main text.

Messages come from three places, read as source text (nothing is imported or run):

* ``domain.yml`` ``responses:``: each variant of each response;
* the assistant's wording in Python (``bot/conversation``, ``actions``, ``channels``): every
  sentence-like string literal or f-string that is not a docstring, a log line, an exception or
  an assertion; a message assembled from parts is checked part by part;
* the page templates under ``bot/web/templates``: the text of each page's elements (headings,
  paragraphs, labels, buttons, list items, cells), one sentence per element.

Each message is scored with textstat: it meets the bar with a Flesch reading ease of at least
``MIN_READING_EASE`` or a Flesch-Kincaid grade of at most ``MAX_GRADE``. A reply the assistant
texts should also fit one SMS segment (160 GSM-7 characters, or 70 UCS-2 units when it needs a
character outside GSM-7). Placeholders (``{amount}``, f-string fields) read as "it" and count
``PLACEHOLDER_CHARS`` characters. Messages allowed to miss either bar are listed, each with a
reason, in ``readability_exceptions.yml`` beside this module; tests/plain_language fails on any
other.

``python -m devtools.readability`` prints the headline figures and the 20 hardest messages.
"""

from __future__ import annotations

import ast
import re
import statistics
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import textstat
import yaml  # type: ignore[import-untyped]

PROJECT_ROOT = Path(__file__).resolve().parents[1]
EXCEPTIONS_FILE = Path(__file__).resolve().parent / "readability_exceptions.yml"

MIN_READING_EASE = 60.0
MAX_GRADE = 8.0
PLACEHOLDER = "it"
PLACEHOLDER_CHARS = 10
GSM7_SEGMENT = 160
UCS2_SEGMENT = 70

DOMAIN_FILE = "domain.yml"
CODE_DIRS = ("bot/conversation", "actions", "channels", "bot/web")
TEMPLATE_DIR = "bot/web/templates"
# Spoken, never texted: no SMS length applies.
VOICE_CODE = re.compile(r"channels/(voice_|twilio_voice)")
VOICE_CHANNELS = frozenset({"twilio_voice", "voice"})

# GSM 03.38: the basic set, and the extension set (each counts as two characters).
_GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_EXTENSION = set("^{}\\[~]|€\f")


@dataclass(frozen=True)
class Message:
    """One message to check: where it comes from, its text, whether it is texted."""

    key: str  # stable name in the exceptions file: "domain.yml:utter_help[0]", "actions/x.py:..."
    source: str  # "responses", "code" or "pages"
    text: str  # placeholders already replaced by PLACEHOLDER
    placeholders: int
    texted: bool  # sent as an SMS (the one-segment check applies)


@dataclass(frozen=True)
class Score:
    message: Message
    reading_ease: float
    grade: float
    sms_chars: int  # characters as an SMS counts them (UCS-2 units, or GSM-7 septets)
    sms_segment: int  # the single-segment limit for this text's encoding

    @property
    def plain(self) -> bool:
        return self.reading_ease >= MIN_READING_EASE or self.grade <= MAX_GRADE

    @property
    def one_segment(self) -> bool:
        return self.sms_chars <= self.sms_segment


# --- SMS ---------------------------------------------------------------------------------------


def sms_length(text: str) -> tuple[int, int]:
    """(characters as counted, one-segment limit): GSM-7 when every character allows it."""
    if all(c in _GSM7_BASIC or c in _GSM7_EXTENSION for c in text):
        return sum(2 if c in _GSM7_EXTENSION else 1 for c in text), GSM7_SEGMENT
    return len(text.encode("utf-16-le")) // 2, UCS2_SEGMENT


# --- scoring -----------------------------------------------------------------------------------


def score(message: Message) -> Score:
    text = message.text
    chars, limit = sms_length(text)
    chars += message.placeholders * (PLACEHOLDER_CHARS - len(PLACEHOLDER))
    return Score(
        message,
        reading_ease=float(textstat.flesch_reading_ease(text)),
        grade=float(textstat.flesch_kincaid_grade(text)),
        sms_chars=chars,
        sms_segment=limit,
    )


def slug(text: str, words: int = 8) -> str:
    """The first words of a text, lower case, for a key that survives code moving around."""
    return " ".join(re.sub(r"[^a-z0-9' ]+", " ", text.lower()).split()[:words])


# --- domain.yml --------------------------------------------------------------------------------

_SLOT = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}")


def domain_messages(root: Path = PROJECT_ROOT) -> Iterator[Message]:
    data = yaml.safe_load((root / DOMAIN_FILE).read_text(encoding="utf-8")) or {}
    for name, variants in (data.get("responses") or {}).items():
        for index, variant in enumerate(variants or []):
            raw = str(variant.get("text") or "").strip()
            if not raw:
                continue
            channel = str(variant.get("channel") or "")
            text, count = _SLOT.subn(PLACEHOLDER, raw)
            yield Message(
                f"{DOMAIN_FILE}:{name}[{index}]",
                "responses",
                text,
                count,
                texted=channel not in VOICE_CHANNELS,
            )


# --- Python wording ----------------------------------------------------------------------------

_LOG_METHODS = frozenset({"debug", "info", "warning", "warn", "error", "exception", "critical"})
# Identifiers, SQL, %-formats, regular expressions, markup.
_NOT_WORDING = re.compile(r"^\s*(SELECT|INSERT|UPDATE|DELETE)\b|%\(|\\[bdws]|\(\?|\||^<\?xml")
_SENTENCE_END = re.compile(r"[.?!](\s|$)")


def _skipped_nodes(tree: ast.AST) -> set[int]:
    """Ids of string nodes that are not wording: docstrings, logs, exceptions, asserts, keys."""
    skipped: set[int] = set()

    def skip_all(node: ast.AST) -> None:
        skipped.update(id(n) for n in ast.walk(node))

    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (
            isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
        ):
            skipped.add(id(body[0].value))
        if isinstance(node, (ast.Raise, ast.Assert)):
            skip_all(node)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in _LOG_METHODS:
                skip_all(node)
        elif isinstance(node, ast.JoinedStr):
            skipped.update(id(v) for v in node.values)
    return skipped


def _literal_text(node: ast.expr) -> tuple[str, int] | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value, 0
    if isinstance(node, ast.JoinedStr):
        parts, count = [], 0
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append(str(value.value))
            else:  # a field may hold words or nothing: read it as a word of its own
                parts.append(f" {PLACEHOLDER} ")
                count += 1
        return "".join(parts), count
    return None


def is_wording(text: str) -> bool:
    """A sentence a person reads: four or more words ending a sentence somewhere.

    Shorter phrases ("the other policy", a label) are parts of messages, which Flesch scores
    cannot judge on their own.
    """
    words = [w for w in text.split() if w.strip(".,:;!?") != PLACEHOLDER]
    return (
        len(words) >= 4
        and _SENTENCE_END.search(text) is not None
        and sum(c.isalpha() for c in text) >= 10
        and not _NOT_WORDING.search(text)
        and not text.lstrip().startswith(("<", "{", "[", "#"))
    )


def code_messages(root: Path = PROJECT_ROOT) -> Iterator[Message]:
    for folder in CODE_DIRS:
        for path in sorted((root / folder).rglob("*.py")):
            rel = path.relative_to(root).as_posix()
            tree = ast.parse(path.read_text(encoding="utf-8"))
            skipped = _skipped_nodes(tree)
            seen: set[str] = set()
            for node in ast.walk(tree):
                if id(node) in skipped or not isinstance(node, (ast.Constant, ast.JoinedStr)):
                    continue
                found = _literal_text(node)
                if found is None:
                    continue
                raw, count = found
                text = re.sub(r"\s+([.,;:!?])", r"\1", " ".join(raw.split()))
                key = f"{rel}:{slug(text)}"
                if not is_wording(text) or key in seen:
                    continue
                seen.add(key)
                texted = not VOICE_CODE.search(rel) and not rel.startswith("bot/web/")
                source = "pages" if rel.startswith("bot/web/") else "code"
                yield Message(key, source, text, count, texted=texted)


# --- page templates ----------------------------------------------------------------------------

_JINJA_BLOCK = re.compile(r"\{%.*?%\}|\{#.*?#\}", re.S)
_JINJA_EXPR = re.compile(r"\{\{.*?\}\}", re.S)
_BLOCK_TAGS = frozenset(
    "p h1 h2 h3 h4 h5 h6 li label button a td th dt dd legend summary caption figcaption "
    "option title div section header footer nav form ul ol dl table tr main".split()
)
_SILENT_TAGS = frozenset({"script", "style", "head", "template", "svg"})


class _PageText(HTMLParser):
    """The visible text of a page template, one sentence per block element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.sentences: list[str] = []
        self._current: list[str] = []
        self._silent = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SILENT_TAGS:
            self._silent += 1
        elif tag in _BLOCK_TAGS:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in _SILENT_TAGS:
            self._silent = max(0, self._silent - 1)
        elif tag in _BLOCK_TAGS:
            self._flush()

    def handle_data(self, data: str) -> None:
        if not self._silent:
            self._current.append(data)

    def _flush(self) -> None:
        text = " ".join(" ".join(self._current).split())
        self._current = []
        # Prose only: single words and short labels are not something Flesch can judge.
        if len(text.split()) >= 4:
            self.sentences.append(text if text[-1] in ".?!:" else f"{text}.")

    def close(self) -> None:
        super().close()
        self._flush()


def page_messages(root: Path = PROJECT_ROOT) -> Iterator[Message]:
    """One message per page template or partial (layouts and base.html hold the site's chrome,
    not main text)."""
    for path in sorted((root / TEMPLATE_DIR).rglob("*.html")):
        if "layout" in path.name or path.name == "base.html":
            continue
        source = _JINJA_BLOCK.sub(" ", path.read_text(encoding="utf-8"))
        source, count = _JINJA_EXPR.subn(PLACEHOLDER, source)
        parser = _PageText()
        parser.feed(source)
        parser.close()
        text = " ".join(parser.sentences)
        if text:
            rel = path.relative_to(root).as_posix()
            yield Message(rel, "pages", text, count, texted=False)


# --- all together ------------------------------------------------------------------------------


def all_messages(root: Path = PROJECT_ROOT) -> list[Message]:
    return [*domain_messages(root), *code_messages(root), *page_messages(root)]


@dataclass(frozen=True)
class Exceptions:
    """The checked-in list of messages allowed to miss a bar, by key, with reasons."""

    readability: dict[str, dict[str, Any]]
    sms_length: dict[str, dict[str, Any]]


def load_exceptions(path: Path = EXCEPTIONS_FILE) -> Exceptions:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}

    def by_key(section: str) -> dict[str, dict[str, Any]]:
        entries = data.get(section) or []
        return {str(e["key"]): dict(e) for e in entries}

    return Exceptions(by_key("readability"), by_key("sms_length"))


def report(scores: list[Score], exceptions: Exceptions, worst: int = 20) -> str:
    lines = []
    for source in ("responses", "code", "pages", None):
        chosen = [s for s in scores if source is None or s.message.source == source]
        if not chosen:
            continue
        plain = sum(s.plain for s in chosen)
        lines.append(
            f"{source or 'all':<10} {len(chosen):4d} messages  "
            f"{plain / len(chosen):6.1%} plain  "
            f"median reading ease {statistics.median(s.reading_ease for s in chosen):5.1f}  "
            f"median grade {statistics.median(s.grade for s in chosen):4.1f}"
        )
    texted = [s for s in scores if s.message.texted]
    over = [s for s in texted if not s.one_segment]
    lines.append(
        f"texted     {len(texted):4d} messages  {len(over)} longer than one SMS segment "
        f"(placeholders count {PLACEHOLDER_CHARS} characters)"
    )
    hard = [s for s in scores if not s.plain]
    listed = sum(s.message.key in exceptions.readability for s in hard)
    lines.append(
        f"bar: reading ease >= {MIN_READING_EASE:g} or grade <= {MAX_GRADE:g}; "
        f"{len(hard)} miss it, {listed} of them listed as exceptions"
    )
    lines.append("")
    lines.append(f"The {worst} hardest (lowest reading ease):")
    for s in sorted(scores, key=lambda s: s.reading_ease)[:worst]:
        text = s.message.text if len(s.message.text) <= 90 else s.message.text[:87] + "..."
        lines.append(f"  {s.reading_ease:6.1f}  grade {s.grade:4.1f}  {s.message.key}")
        lines.append(f"          {text}")
    return "\n".join(lines)


def main() -> int:
    scores = [score(m) for m in all_messages()]
    print(report(scores, load_exceptions()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
