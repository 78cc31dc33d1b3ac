"""Split a long answer into SMS parts of at most 320 characters, numbered only when split.

Parts break at paragraph, then sentence, then word boundaries; a URL is never cut unless it alone
is longer than a part. Parts of a split message start with "(1/3) " so the reader can put them
back in order (carriers do not guarantee delivery order); the prefix counts toward the limit.
"""

from __future__ import annotations

import re

DEFAULT_PART_CHARS = 320

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


def _units(text: str) -> list[str]:
    """Sentences (and paragraph lines), each stripped, none empty."""
    return [u.strip() for u in _SENTENCE_END.split(text) if u and u.strip()]


def _pack_words(sentence: str, budget: int) -> list[str]:
    """A sentence longer than ``budget`` cut at spaces (a longer word is cut hard)."""
    chunks: list[str] = []
    current = ""
    for word in sentence.split():
        while len(word) > budget:
            if current:
                chunks.append(current)
                current = ""
            chunks.append(word[:budget])
            word = word[budget:]
        candidate = f"{current} {word}" if current else word
        if len(candidate) <= budget:
            current = candidate
        else:
            chunks.append(current)
            current = word
    if current:
        chunks.append(current)
    return chunks


def _pack(text: str, budget: int) -> list[str]:
    parts: list[str] = []
    current = ""
    for unit in _units(text):
        pieces = [unit] if len(unit) <= budget else _pack_words(unit, budget)
        for piece in pieces:
            candidate = f"{current} {piece}" if current else piece
            if len(candidate) <= budget:
                current = candidate
            else:
                parts.append(current)
                current = piece
    if current:
        parts.append(current)
    return parts


def split_sms(text: str, limit: int = DEFAULT_PART_CHARS) -> list[str]:
    """``text`` as SMS parts of at most ``limit`` characters each (prefix included).

    Whitespace is normalised only when a split is needed; a message that fits is sent as is
    (trimmed). An empty message yields no parts.
    """
    text = text.strip()
    if not text:
        return []
    if len(text) <= limit:
        return [text]
    # The prefix width depends on the number of parts: settle it by iterating (at most a few).
    count = 2
    while True:
        prefix_width = len(f"({count}/{count}) ")
        if prefix_width >= limit:
            raise ValueError(f"limit {limit} is too small to number {count} parts")
        parts = _pack(text, limit - prefix_width)
        if len(parts) <= count:
            total = len(parts)
            return [f"({i}/{total}) {part}" for i, part in enumerate(parts, start=1)]
        count = len(parts)
