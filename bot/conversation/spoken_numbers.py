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


# --- amounts -------------------------------------------------------------------------------
# Money is read more strictly than dates: a run of number words must be one cardinal
# ("a hundred and fifty", "two hundred twenty five", "fifteen hundred", "a grand"). Forms that
# people say for either of two amounts ("one fifty": $150 or $1.50; "twelve fifty": $1,250 or
# $12.50) or that are no amount at all ("fifty sixty") are left as separate numbers, so the
# reader sees several and asks again rather than guess. No year or digit-by-digit reading.

_AMOUNT_UNITS = {word: value for word, value in _UNITS.items() if word not in ("oh", "o")}
# Slang for a thousand dollars ("a grand", "two grand", "5 grand").
_GRAND = "grand"
_DIGITS_GRAND = re.compile(r"\b([0-9]{1,3})\s+grand\b", re.IGNORECASE)
# "one" alone is a number only as "one dollar" / "one buck" (else "the car one", "that one").
_ONE_DOLLAR = re.compile(r"\bone\s+(dollars?|bucks?)\b", re.IGNORECASE)
# Words that make the number after them vague ("a couple hundred", "a few grand").
VAGUE_QUANTITY = re.compile(
    r"\b(?:couple|few|several|some|dozen)\s+(?:of\s+)?(?:hundred|thousand|grand)\b"
    r"|\band\s+a\s+(?:half|quarter)\b|\b(?:half|quarter)\s+(?:a\s+)?(?:hundred|thousand|grand)\b",
    re.IGNORECASE,
)


def _amount_value(word: str) -> tuple[str, int] | None:
    lower = word.lower()
    if lower in _AMOUNT_UNITS:
        return "unit", _AMOUNT_UNITS[lower]
    if lower in _TEENS:
        return "teen", _TEENS[lower]
    if lower in _TENS:
        return "tens", _TENS[lower]
    if lower in ("hundred", "thousand", _GRAND):
        return ("thousand" if lower == _GRAND else lower), 0
    return None


def _below_hundred(run: list[tuple[str, int]], i: int) -> tuple[int, int] | None:
    """A number below 100 starting at ``run[i]`` ("seven", "twelve", "forty", "forty two")."""
    if i >= len(run) or run[i][0] not in ("unit", "teen", "tens"):
        return None
    kind, value = run[i]
    if kind == "tens" and i + 1 < len(run) and run[i + 1][0] == "unit" and run[i + 1][1] > 0:
        return value + run[i + 1][1], i + 2
    return value, i + 1


def _below_thousand(run: list[tuple[str, int]], i: int) -> tuple[int, int] | None:
    """A number below 10,000 without "thousand": "[N] hundred [and] [M]", "fifteen hundred"."""
    head = _below_hundred(run, i)
    if head is None:
        return None
    value, i = head
    if i < len(run) and run[i][0] == "hundred":
        value, i = value * 100, i + 1
        if i < len(run) and run[i][0] == "and":
            i += 1
            rest = _below_hundred(run, i)
            if rest is None:
                return None  # "two hundred and" with nothing after: not a cardinal
            return value + rest[0], rest[1]
        rest = _below_hundred(run, i)
        if rest is not None:
            return value + rest[0], rest[1]
    return value, i


def _cardinal(run: list[tuple[str, int]]) -> int | None:
    """The one cardinal the whole run says, or None when it says several or none."""
    if run and run[0][0] in ("hundred", "thousand"):
        run = [("unit", 1), *run]  # "hundred bucks"
    value = _below_thousand(run, 0)
    if value is None:
        return None
    total, i = value
    if i < len(run) and run[i][0] == "thousand":
        total, i = total * 1000, i + 1
        if i < len(run) and run[i][0] == "and":
            i += 1
        rest = _below_thousand(run, i)
        if rest is not None:
            total, i = total + rest[0], rest[1]
    return total if i == len(run) else None


def _amount_run(run: list[tuple[str, int]]) -> str:
    if run == [("unit", 1)]:
        return "one"  # "the car one", "that one": a pronoun; "one dollar" is read below
    cardinal = _cardinal(run)
    if cardinal is not None:
        return str(cardinal)
    # Not one cardinal: each number on its own, so the reader sees several and asks again.
    multiplier = {"hundred": 100, "thousand": 1000}
    return " ".join(
        str(multiplier.get(kind, value)) for kind, value in run if kind not in ("and", "a")
    )


def amount_words_to_digits(text: str) -> str:
    """Number words of an amount as digits: one cardinal per run, never a year or digit string.

    "a hundred and fifty" → "150", "two hundred twenty five" → "225", "a grand" → "1000",
    "eighty bucks" → "80 bucks", "5 grand" → "5000"; "one fifty" → "1 50" (two numbers:
    ambiguous, refused by the reader).
    """
    text = _DIGITS_GRAND.sub(lambda m: str(int(m.group(1)) * 1000), text)
    out: list[str] = []
    run: list[tuple[str, int]] = []
    pending = ""  # separators (and an "and" or "a") seen since the last number word

    def end_run() -> None:
        nonlocal pending
        while run and run[-1][0] in ("and", "a"):
            run.pop()  # a trailing "and"/"a" belongs to the text, kept in ``pending``
        if run:
            out.append(_amount_run(run))
            run.clear()
        out.append(pending)
        pending = ""

    text = _ONE_DOLLAR.sub(r"1 \1", text)
    tokens = _WORD.findall(text)
    for index, token in enumerate(tokens):
        value = _amount_value(token) if token[0].isalpha() else None
        lower = token.lower()
        if value is None and run and lower in ("oh", "o"):
            value = ("unit", 0)  # "one oh five": read, then refused as several numbers
        if value is not None:
            if run and pending.strip(" -").lower() not in ("", "and", "a", "and a"):
                end_run()
            pending = ""
            run.append(value)
        elif lower == "and" and run:
            run.append(("and", 0))
            pending += token
        elif lower == "a" and _next_is_multiplier(tokens, index):
            # "a hundred", "a grand": "a" stands for one
            end_run()
            run.append(("unit", 1))
            pending = ""
        elif run and token.strip(" -") == "":
            pending += token
        else:
            end_run()
            out.append(token)
    end_run()
    return "".join(out)


def _next_is_multiplier(tokens: list[str], index: int) -> bool:
    """Whether the word after ``tokens[index]`` (past spaces) is hundred, thousand or grand."""
    for token in tokens[index + 1 :]:
        if token.strip(" -") == "":
            continue
        return token.lower() in ("hundred", "thousand", _GRAND)
    return False
