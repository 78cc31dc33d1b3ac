"""Which of a policyholder's claims a free-text reply names.

"The hail claim", "the car one", "the one from March", "last week's", "the open one", "ending
004", "the second one": ``choose_claim`` reads such a reply against the holder's own claims and
returns the same typed ``Choice`` as ``policy_choice`` (``Chosen`` / ``Ambiguous`` / ``NoMatch``).
Dates are read relative to ``today``; a date cue that fits none of the claims another cue picks
is dropped rather than trusted (people misremember dates). Loss types are the PAS's own
("Glass", "Wind/hail", "Water damage" ...): the words of the claim's loss type always count, and
common words map onto them.
"""

from __future__ import annotations

import calendar
import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import Protocol, TypeVar

from bot.conversation.policy_choice import (
    FILLER,
    LINE_WORDS,
    MIN_TAIL_DIGITS,
    Choice,
    Narrowing,
    NoMatch,
    Reading,
    VehicleFacts,
    by_number_tail,
    compact_grams,
    line_hits,
    matching_vehicles,
    ordinal_position,
    other_than,
    read,
    rejects_previous,
    resolved,
    same_number,
    similar,
)

# Words for loss types, as the PAS names them (lowercase). A claim whose loss type is not listed
# here is still named by the words of its own loss type.
LOSS_TYPE_WORDS: dict[str, frozenset[str]] = {
    "glass": frozenset(
        {"glass", "windshield", "windscreen", "windsheild", "chip", "chipped", "crack", "cracked"}
    ),
    "hail": frozenset({"hail", "hailstorm", "hailstones", "hailstone"}),
    "wind/hail": frozenset(
        {"hail", "hailstorm", "wind", "windstorm", "storm", "tornado", "hurricane", "winds"}
    ),
    "water damage": frozenset(
        {
            "water", "leak", "leaking", "leaked", "flood", "flooded", "flooding", "pipe",
            "pipes", "burst", "plumbing", "overflow", "overflowed", "soaked", "wet",
        }
    ),
    "freeze": frozenset({"freeze", "frozen", "froze", "freezing", "pipe", "pipes", "burst"}),
    "fire": frozenset({"fire", "smoke", "burn", "burned", "burnt", "flames", "blaze"}),
    "lightning": frozenset({"lightning", "surge", "struck"}),
    "theft": frozenset(
        {
            "theft", "stolen", "stole", "steal", "robbed", "robbery", "burglary", "burglar",
            "breakin", "brokein", "brokeinto", "brokeninto", "thief", "thieves",
        }
    ),
    "vandalism": frozenset({"vandalism", "vandal", "vandals", "vandalized", "keyed", "graffiti"}),
    "collision": frozenset(
        {
            "collision", "accident", "crash", "crashed", "wreck", "wrecked", "fenderbender",
            "fender", "bender", "rearended", "hitandrun", "totaled", "totalled",
        }
    ),
    "animal collision": frozenset(
        {"deer", "animal", "moose", "elk", "hitadeer", "collision", "accident", "crash"}
    ),
    "liability": frozenset(
        {"liability", "slip", "slipped", "fell", "fall", "injury", "injured", "lawsuit", "sued"}
    ),
}  # fmt: skip

CLAIM_STATUS_WORDS: dict[str, frozenset[str]] = {
    "open": frozenset({"open"}),
    "opened": frozenset({"open"}),
    "ongoing": frozenset({"open"}),
    "pending": frozenset({"open"}),
    "active": frozenset({"open"}),
    "current": frozenset({"open"}),
    "progress": frozenset({"open"}),  # "in progress"
    "closed": frozenset({"closed"}),
    "settled": frozenset({"closed"}),
    "resolved": frozenset({"closed"}),
    "finished": frozenset({"closed"}),
    "done": frozenset({"closed"}),
}
# Newest / oldest by loss date.
_NEWEST = frozenset({"latest", "newest", "newer", "recent", "new", "last"})
_OLDEST = frozenset({"oldest", "older", "earliest", "earlier", "old"})

_MONTHS: dict[str, int] = {}
for _number in range(1, 13):
    _MONTHS[calendar.month_name[_number].lower()] = _number
    _MONTHS[calendar.month_abbr[_number].lower()] = _number
_MONTHS["sept"] = 9
# "may" is a month only next to a day or after one of these ("the May one", "in may").
_MAY_BEFORE = frozenset({"in", "from", "on", "since", "the", "of", "early", "late", "mid", "back"})
_WEEKDAYS = {calendar.day_name[i].lower(): i for i in range(7)}
# Words that describe no particular loss, so a claim's description is not matched on them.
_DESCRIPTION_STOP = frozenset(
    {
        "damage", "damaged", "claim", "claims", "vehicle", "from", "with", "that", "this",
        "into", "about", "there", "their", "where", "which", "when", "what", "the", "and",
        "one", "ones", "driver", "drivers", "side", "another", "other", "was", "were",
        "front", "back", "rear", "night", "light", "upstairs", "through", "have", "had",
        "insurance", "policy", "please", "status", "check", "want", "know", "update",
    }
)  # fmt: skip
# Words that are other cues or time words, never a description of the loss.
_TIME_WORDS = frozenset(
    {"week", "weeks", "month", "months", "year", "years", "ago", "yesterday", "today", "todays",
     "morning", "night", "weekend", "last", "past", "this", "latest", "newest", "recent",
     "oldest", "older", "earliest", "earlier"}
)  # fmt: skip


# "From the 5th" with no month named: the most recent 5th.
_DAY_ALONE = re.compile(r"\b(?:from|on|of)\s+(?:the\s+)?(\d{1,2})(?:st|nd|rd|th)\b")
_NUMERIC_DATE = re.compile(
    r"\b(\d{1,2})\s*[/-]\s*(\d{1,2})(?:\s*[/-]\s*(\d{2,4}))?\b(?!\s*(?:day|week|month|year))"
)
_AGO = re.compile(
    r"\b(\d+|a|an|one|a couple of|a couple|couple of|couple|a few|few|several)\s+"
    r"(day|days|week|weeks|month|months)\s+(?:ago|back)\b"
)
_COUNT_WORDS = {"a": 1, "an": 1, "one": 1, "couple": 2, "few": 3, "several": 4}


class OfferedClaim(Protocol):
    @property
    def claim_number(self) -> str: ...

    @property
    def policy_number(self) -> str: ...

    @property
    def status(self) -> str: ...

    @property
    def loss_date(self) -> date: ...

    @property
    def loss_type(self) -> str: ...

    @property
    def description(self) -> str: ...

    @property
    def vehicle_id(self) -> str | None: ...


C = TypeVar("C", bound=OfferedClaim)


def choose_claim(
    text: str,
    claims: Sequence[C],
    *,
    today: date,
    lines: Mapping[str, str] | None = None,
    vehicles: Mapping[tuple[str, str], VehicleFacts] | None = None,
    previous: str | None = None,
) -> Choice[C]:
    """Which of ``claims`` (in the order offered) the reply ``text`` names.

    ``lines`` gives the line of business ("auto", "home", "renters") by claim number or by policy
    number, for "the car claim"; ``vehicles`` gives a vehicle by (policy number, vehicle id), for
    "the camry claim";
    ``previous`` is the claim number chosen before, for "the other one".
    """
    if not claims:
        return NoMatch()
    reading = read(text)
    by_digits = by_number_tail(reading.numbers, [c.claim_number for c in claims])
    if by_digits is not None:
        return resolved(claims, by_digits)
    if reading.tail_asked and any(len(n) >= MIN_TAIL_DIGITS for n in reading.numbers):
        return NoMatch()
    narrowing = Narrowing(len(claims))
    narrowing.include.extend(_claim_cues(reading.positive, reading, claims, lines, vehicles))
    by_description = _by_description(reading.positive, claims)
    if by_description is not None and _by_loss_type(reading.positive, claims) is None:
        narrowing.soft.append(by_description)
    for part in reading.negated:
        for cue in _claim_cues(part, reading, claims, lines, vehicles):
            narrowing.exclude |= cue
    by_date = _by_date(reading, claims, today)
    if by_date is not None:
        narrowing.soft.append(by_date)
    if previous is not None:
        before = {i for i, c in enumerate(claims) if same_number(c.claim_number, previous)}
        if other_than(reading):
            narrowing.include.append(set(range(len(claims))) - before)
        elif rejects_previous(reading):
            narrowing.exclude |= before
    position = ordinal_position(reading, len(claims))
    if position is not None and not _dated_by_age(reading):
        ordered = sorted(set(range(len(claims))).intersection(*narrowing.include))
        narrowing.soft.append(
            {ordered[position]} if narrowing.include and position < len(ordered) else {position}
        )
    return narrowing.result(claims)


def _claim_cues(
    words: Sequence[str],
    reading: Reading,
    claims: Sequence[OfferedClaim],
    lines: Mapping[str, str] | None,
    vehicles: Mapping[tuple[str, str], VehicleFacts] | None,
) -> list[set[int]]:
    cues: list[set[int]] = []
    by_type = _by_loss_type(words, claims)
    if by_type is not None:
        cues.append(by_type)
    if lines:
        named_lines = line_hits(reading, words)
        if named_lines:
            cues.append({i for i, c in enumerate(claims) if _line_of(c, lines) in named_lines})
    statuses = [CLAIM_STATUS_WORDS[w] for w in words if w in CLAIM_STATUS_WORDS]
    if statuses:
        wanted = set().union(*statuses)
        cues.append({i for i, c in enumerate(claims) if c.status in wanted})
    if vehicles:
        by_vehicle = _by_vehicle(words, reading, claims, vehicles)
        if by_vehicle is not None:
            cues.append(by_vehicle)
    return cues


def _line_of(claim: OfferedClaim, lines: Mapping[str, str]) -> str | None:
    return lines.get(claim.claim_number) or lines.get(claim.policy_number)


def _type_key(loss_type: str) -> str:
    return loss_type.strip().lower()


_GENERIC_TYPE_WORDS = frozenset({"damage", "loss", "claim", "other", "and"})


def _type_words(loss_type: str) -> frozenset[str]:
    key = _type_key(loss_type)
    own = {w for w in re.findall(r"[a-z]+", key) if len(w) >= 3} - _GENERIC_TYPE_WORDS
    return frozenset(own | LOSS_TYPE_WORDS.get(key, frozenset()))


def _by_loss_type(words: Sequence[str], claims: Sequence[OfferedClaim]) -> set[int] | None:
    """Claims whose loss type the words name; None when they name no loss type at all."""
    grams = compact_grams(words)
    known = set().union(*LOSS_TYPE_WORDS.values(), *(_type_words(c.loss_type) for c in claims))
    if not _names_any(grams, words, known):
        return None
    return {i for i, c in enumerate(claims) if _names_any(grams, words, _type_words(c.loss_type))}


def _names_any(grams: set[str], words: Sequence[str], targets: Iterable[str]) -> bool:
    for target in targets:
        if target in grams or any(similar(w, target) for w in words if w not in FILLER):
            return True
    return False


def _by_vehicle(
    words: Sequence[str],
    reading: Reading,
    claims: Sequence[OfferedClaim],
    vehicles: Mapping[tuple[str, str], VehicleFacts],
) -> set[int] | None:
    ids = sorted(vehicles)
    part = reading if tuple(words) == reading.positive else read(" ".join(words))
    hits = matching_vehicles(part, [vehicles[v] for v in ids])
    if hits is None:
        return None
    named = {ids[k] for k in hits}
    return {i for i, c in enumerate(claims) if (c.policy_number, c.vehicle_id) in named}


def _by_description(words: Sequence[str], claims: Sequence[OfferedClaim]) -> set[int] | None:
    """Claims whose description shares a distinctive word with the reply ("the deer one")."""
    asked = {_stem(w) for w in words if len(w) >= 4 and w.isalpha()} - _DESCRIPTION_STOP
    asked -= _NOT_DESCRIPTIVE
    if not asked:
        return None
    hits = set()
    for i, claim in enumerate(claims):
        described = {_stem(w) for w in re.findall(r"[a-z]+", claim.description.lower())}
        if asked & (described - _DESCRIPTION_STOP):
            hits.add(i)
    return hits or None


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


# --- dates ---------------------------------------------------------------------------------


def _dated_by_age(reading: Reading) -> bool:
    """ "The last one" / "the latest one" are read as dates, not positions."""
    return any(w in _NEWEST - {"last"} or w in _OLDEST for w in reading.positive)


def _by_date(reading: Reading, claims: Sequence[OfferedClaim], today: date) -> set[int] | None:
    """Claims whose loss date fits the dates the reply gives; None when it gives none."""
    windows = _date_windows(reading, today)
    words = reading.positive
    if windows:
        return {
            i
            for i, c in enumerate(claims)
            if any(start <= c.loss_date <= end for start, end in windows)
        }
    newest = any(w in _NEWEST for w in words) and not _last_as_ordinal(words)
    oldest = any(w in _OLDEST for w in words)
    if newest == oldest:
        return None
    dates = [c.loss_date for c in claims]
    pick = max(dates) if newest else min(dates)
    return {i for i, c in enumerate(claims) if c.loss_date == pick}


def _last_as_ordinal(words: Sequence[str]) -> bool:
    """ "Last" alone is the last one listed unless it goes with a claim age ("the most recent")."""
    return "last" in words and not any(w in _NEWEST - {"last"} for w in words)


Window = tuple[date, date]


def _date_windows(reading: Reading, today: date) -> list[Window]:
    text = " ".join(reading.spoken)
    windows: list[Window] = []
    for m in _NUMERIC_DATE.finditer(reading.text):
        windows.extend(_day_windows(int(m.group(1)), int(m.group(2)), _year(m.group(3)), today))
    words = reading.spoken
    for i, word in enumerate(words):
        month = _MONTHS.get(word)
        if month is None:
            continue
        day = _day_near(words, i)
        if word == "may" and day is None and (i == 0 or words[i - 1] not in _MAY_BEFORE):
            continue
        if day is not None:
            windows.extend(_day_windows(month, day, None, today))
        else:
            windows.append(_month_window(month, today))
    if not any(w in _MONTHS for w in words):
        for m in _DAY_ALONE.finditer(text):
            windows.extend(_recent_day(int(m.group(1)), today))
    windows.extend(_relative_windows(text, words, today))
    return windows


def _recent_day(day: int, today: date) -> list[Window]:
    """ "From the 5th": that day of this month, or of last month when it is still ahead."""
    first = today.replace(day=1)
    for month_start in (first, (first - timedelta(days=1)).replace(day=1)):
        try:
            when = month_start.replace(day=day)
        except ValueError:
            continue
        if when <= today:
            return [(when, when)]
    return []


def _year(text: str | None) -> int | None:
    if text is None:
        return None
    year = int(text)
    return year + 2000 if year < 100 else year


def _day_near(words: Sequence[str], i: int) -> int | None:
    """The day next to a month name ("may 2", "may the 2nd", "14 march", "2nd of may")."""
    after = list(words[i + 1 : i + 3])
    before = list(words[max(i - 2, 0) : i])
    nearby = [
        after[:1],
        after[1:] if after[:1] == ["the"] else [],
        before[-1:],
        before[:1] if before[-1:] in (["of"], ["the"]) else [],
    ]
    for word in itertools.chain.from_iterable(nearby):
        found = re.fullmatch(r"(\d{1,2})(?:st|nd|rd|th)?", word)
        if found and 1 <= int(found.group(1)) <= 31:
            return int(found.group(1))
    return None


def _day_windows(month: int, day: int, year: int | None, today: date) -> list[Window]:
    if not 1 <= month <= 12:
        return []
    years = [year] if year is not None else [today.year, today.year - 1]
    out: list[Window] = []
    for y in years:
        try:
            when = date(y, month, day)
        except ValueError:
            continue
        out.append((when, when))
    return out


def _month_window(month: int, today: date) -> Window:
    """The most recent such month (this year's, or last year's when it is still ahead)."""
    year = today.year if month <= today.month else today.year - 1
    last_day = calendar.monthrange(year, month)[1]
    return date(year, month, 1), date(year, month, last_day)


def _days_ago(today: date, nearest: int, farthest: int) -> Window:
    return today - timedelta(days=farthest), today - timedelta(days=max(nearest, 0))


def _relative_windows(text: str, words: Sequence[str], today: date) -> list[Window]:
    out: list[Window] = []
    pairs = set(itertools.pairwise(words))
    if "yesterday" in words or ("last", "night") in pairs:
        out.append(_days_ago(today, 0, 2))
    if ("this", "morning") in pairs or "todays" in words or ("from", "today") in pairs:
        out.append(_days_ago(today, 0, 1))
    monday = today - timedelta(days=today.weekday())
    if ("this", "week") in pairs:
        out.append((monday - timedelta(days=1), today))
    if ("last", "week") in pairs or "lastweek" in words or ("last", "weeks") in pairs:
        out.append((monday - timedelta(days=9), monday + timedelta(days=1)))
    if ("past", "week") in pairs:
        out.append(_days_ago(today, 0, 8))
    if "weekend" in words:
        saturday = today - timedelta(days=(today.weekday() - 5) % 7)
        out.append((saturday - timedelta(days=1), saturday + timedelta(days=2)))
    first_of_month = today.replace(day=1)
    if ("this", "month") in pairs:
        out.append((first_of_month, today))
    if ("last", "month") in pairs or ("past", "month") in pairs:
        previous_end = first_of_month - timedelta(days=1)
        out.append((previous_end.replace(day=1) - timedelta(days=5), first_of_month))
    if ("last", "year") in pairs:
        out.append((date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)))
    if ("this", "year") in pairs:
        out.append((date(today.year, 1, 1), today))
    for i, word in enumerate(words):
        weekday = _WEEKDAYS.get(word.rstrip("s"))
        if weekday is not None and (i == 0 or words[i - 1] in ("on", "last", "from", "the")):
            back = (today.weekday() - weekday) % 7 or 7
            out.append(_days_ago(today, back - 1, back + 1))
    for m in _AGO.finditer(text):
        count = int(m.group(1)) if m.group(1).isdigit() else _COUNT_WORDS[m.group(1).split()[-1]]
        unit = m.group(2).rstrip("s")
        if unit == "day":
            out.append(_days_ago(today, count - 1, count + 1 + count // 3))
        elif unit == "week":
            out.append(_days_ago(today, 7 * count - 4, 7 * count + 7))
        else:
            out.append(_days_ago(today, 30 * count - 15, 30 * count + 15))
    return out


_NOT_DESCRIPTIVE = frozenset(
    {
        _stem(w)
        for w in FILLER | _TIME_WORDS | set(_MONTHS) | set(_WEEKDAYS) | set(CLAIM_STATUS_WORDS)
    }
    | {_stem(w) for words in LINE_WORDS.values() for w in words}
)
