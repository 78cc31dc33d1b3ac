"""Turn number words from speech recognition into digits ("april twelfth nineteen eighty five").

Voice transcripts and some typed answers spell numbers out. This small converter handles what
dates of birth, ZIP codes and payment amounts need: cardinals up to the thousands, ordinals up to
"thirty-first", years read in pairs ("nineteen eighty five", "twenty oh three") and digit-by-digit
strings ("seven eight seven oh four"). Anything it does not recognise is left as it was.
"""

from __future__ import annotations

import re

_UNITS = {
    "zero": 0,
    "oh": 0,
    "o": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
}
_TEENS = {
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_ORDINALS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "eleventh": 11,
    "twelfth": 12,
    "thirteenth": 13,
    "fourteenth": 14,
    "fifteenth": 15,
    "sixteenth": 16,
    "seventeenth": 17,
    "eighteenth": 18,
    "nineteenth": 19,
    "twentieth": 20,
    "thirtieth": 30,
}
_WORD = re.compile(r"[a-z]+|[^a-z]+", re.IGNORECASE)


def _value(word: str) -> tuple[str, int] | None:
    lower = word.lower()
    for kind, table in (("unit", _UNITS), ("teen", _TEENS), ("tens", _TENS), ("ord", _ORDINALS)):
        if lower in table:
            return kind, table[lower]
    if lower in ("hundred", "thousand"):
        return lower, 0
    return None


def _read_run(words: list[tuple[str, int]]) -> str:
    """Digits for one run of number words (already known to be all number words)."""
    # Digit by digit ("seven eight seven oh four"): every word a single unit.
    if len(words) >= 3 and all(kind == "unit" for kind, _ in words):
        return "".join(str(v) for _, v in words)
    # Group tens + unit/ordinal ("twenty first" → 21, "eighty five" → 85).
    groups: list[tuple[str, int]] = []
    for kind, value in words:
        if groups and groups[-1][0] == "tens" and kind in ("unit", "ord") and 0 < value < 10:
            groups[-1] = ("ord" if kind == "ord" else "pair", groups[-1][1] + value)
        elif kind in ("hundred", "thousand", "tens", "ord"):
            groups.append((kind, value))
        else:
            groups.append(("pair", value))
    # Cardinals with hundred/thousand ("two thousand three", "two hundred fifty").
    if any(kind in ("hundred", "thousand") for kind, _ in groups):
        total, current = 0, 0
        for kind, value in groups:
            if kind == "hundred":
                current = (current or 1) * 100
            elif kind == "thousand":
                total += (current or 1) * 1000
                current = 0
            else:
                current += value
        return str(total + current)
    # Years read in pairs ("nineteen eighty five", "twenty oh three"): two groups.
    if len(groups) == 2 and 10 <= groups[0][1] <= 99 and groups[1][0] in ("pair", "tens"):
        return f"{groups[0][1]}{groups[1][1]:02d}"
    if len(groups) == 3 and 10 <= groups[0][1] <= 99 and groups[1][1] == 0:
        return f"{groups[0][1]}0{groups[2][1]}"
    return " ".join(str(value) for _, value in groups)


def words_to_digits(text: str) -> str:
    """Replace each run of number words in ``text`` with its digits; keep everything else.

    An ordinal ends a run ("twelfth nineteen eighty five" is a day, then a year).
    """
    out: list[str] = []
    run: list[tuple[str, int]] = []
    gap = ""  # separators seen since the last number word of the current run

    def end_run() -> None:
        nonlocal gap
        if run:
            out.append(_read_run(run))
            run.clear()
        out.append(gap)
        gap = ""

    for token in _WORD.findall(text):
        value = _value(token) if token[0].isalpha() else None
        if value is not None and (run or token.lower() != "o"):
            if run and gap.strip(" -").lower() not in ("", "and"):
                end_run()
            gap = ""
            run.append(value)
            if value[0] == "ord":
                end_run()
        elif run and (token.strip(" -") == "" or token.lower() == "and"):
            gap += token
        else:
            end_run()
            out.append(token)
    end_run()
    return "".join(out)
