"""Which of a policyholder's policies a free-text reply names.

When a policyholder with several policies is asked "Which one is this for?", web chat shows
buttons, but SMS and voice users answer in words: "the home one", "my 2019 honda", "the condo on
Kenilworth", "ending in zero zero two", "the second one", "no, the other one".
``choose_policy`` reads such a reply against the holder's own policies (``PolicyFacts``, built by
the caller from PAS data) and returns a typed ``Choice``: ``Chosen`` (exactly one fits),
``Ambiguous`` (several still fit: ask one short follow-up among ``candidates``) or ``NoMatch``.

Every cue in the reply narrows the policies; cues that are negated ("not the car, the house")
rule policies out. An ordinal ("2", "the second one", "the last one") only counts in a short
reply, never inside a sentence ("I have 2 questions"). ``pick_policy`` is the older interface:
one policy or None.

The reading primitives here (``Reading``, ordinals, number tails, vehicles, the result types) are
shared with ``claim_choice``.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Generic, NamedTuple, Protocol, TypeVar

from bot.conversation.spoken_numbers import words_to_digits
from pas_connector.models import Policy

T = TypeVar("T")

# --- results -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Chosen(Generic[T]):
    """Exactly one item fits the reply."""

    item: T


@dataclass(frozen=True)
class Ambiguous(Generic[T]):
    """Several items still fit (in the order offered): ask one short question among them."""

    candidates: tuple[T, ...]


@dataclass(frozen=True)
class NoMatch:
    """The reply names none of the items (or contradicts itself): ask again."""


Choice = Chosen[T] | Ambiguous[T] | NoMatch

# --- words ---------------------------------------------------------------------------------

# Words policyholders use for each line of business.
LINE_WORDS: dict[str, frozenset[str]] = {
    "auto": frozenset(
        {
            "auto", "autos", "car", "cars", "vehicle", "vehicles", "truck", "trucks", "suv",
            "van", "minivan", "motor", "automobile", "pickup", "motorcycle", "motorbike",
            "jeep", "sedan",
        }
    ),
    "home": frozenset(
        {
            "home", "homes", "house", "homeowner", "homeowners", "condo", "condominium",
            "dwelling", "property", "townhouse", "townhome",
        }
    ),
    "renters": frozenset(
        {"renter", "renters", "rental", "rent", "apartment", "apt", "tenant", "tenants", "flat"}
    ),
}  # fmt: skip
# A line word that means something else before these words ("rental car", "flat tire").
_NOT_A_LINE_BEFORE: dict[str, frozenset[str]] = {
    "rental": frozenset({"car", "cars", "vehicle", "reimbursement", "coverage"}),
    "rent": frozenset({"a", "car", "payment"}),
    "flat": frozenset({"tire", "tires", "tyre", "fee", "rate"}),
    "property": frozenset({"damage"}),
}
# Policy status words: word -> the PAS statuses it means.
POLICY_STATUS_WORDS: dict[str, frozenset[str]] = {
    "active": frozenset({"active", "pending_cancel"}),
    "current": frozenset({"active", "pending_cancel"}),
    "cancelled": frozenset({"cancelled"}),
    "canceled": frozenset({"cancelled"}),
    "cancelld": frozenset({"cancelled"}),
    "inactive": frozenset({"cancelled", "expired"}),
    "expired": frozenset({"expired"}),
    "lapsed": frozenset({"expired", "cancelled"}),
    "pending": frozenset({"pending_cancel"}),
}
ORDINALS: dict[str, int] = {
    "1": 0, "first": 0, "1st": 0, "top": 0, "frist": 0,  # not "one": "the second one"
    "2": 1, "second": 1, "2nd": 1, "two": 1, "secnd": 1, "seccond": 1,
    "3": 2, "third": 2, "3rd": 2, "three": 2,
    "4": 3, "fourth": 3, "4th": 3, "four": 3,
    "last": -1, "bottom": -1, "final": -1,
}  # fmt: skip
# "one" is an ordinal only after these ("number one", "option 1", "#1").
_COUNTING_WORDS = frozenset({"number", "option", "choice", "num", "nr"})
# "last" is not "the last one" before these ("last week", "last four digits").
_NOT_ORDINAL_AFTER_LAST = frozenset(
    {
        "week", "weeks", "weekend", "month", "months", "year", "years", "night", "time",
        "digits", "digit", "numbers", "number", "few", "couple", "two", "three", "four", "2",
        "3", "4", "summer", "winter", "spring", "fall", "monday", "tuesday", "wednesday",
        "thursday", "friday", "saturday", "sunday",
    }
)  # fmt: skip
# Words that carry no choice of their own: an ordinal counts when at most two other words remain.
FILLER = frozenset(
    {
        "the", "a", "an", "one", "ones", "policy", "policies", "claim", "claims", "please",
        "pls", "plz", "thanks", "thx", "thank", "you", "u", "i", "im", "id", "meant", "mean",
        "sorry", "no", "nope", "nah", "actually", "wait", "oh", "oops", "um", "umm", "uh",
        "hmm", "ok", "okay", "k", "yes", "yeah", "yep", "ya", "yea", "that", "thats", "this",
        "it", "its", "is", "was", "want", "wanted", "like", "go", "with", "lets", "let", "us",
        "make", "number", "option", "on", "list", "listed", "in", "of", "my", "mine", "choice",
        "pick", "take", "for", "just", "would", "say", "said", "select", "choose", "to", "be",
        "and", "so", "then", "do", "rather", "instead", "sure", "well", "hey",
        "hi", "gimme", "give", "me", "use", "about", "talking", "asking", "shown", "showed",
        "mentioned", "there", "here", "not", "dont", "isnt", "wasnt", "other", "no.",
    }
)  # fmt: skip
SHORT_REPLY_CONTENT_WORDS = 2
# Kept for callers of the older interface.
ORDINAL_MAX_WORDS = 4

_NEGATORS = frozenset({"not", "isnt", "wasnt", "dont", "didnt", "aint", "except", "besides"})
_NEGATION_PHRASES = (("instead", "of"), ("rather", "than"), ("other", "than"))
# "not sure, the house one": the negator negates the speaker's certainty, not a choice.
_NOT_A_NEGATION_BEFORE = frozenset(
    {"sure", "know", "think", "remember", "recall", "care", "mind", "certain", "really", "too"}
)
_NEGATION_STOPS = frozenset({"but", "its", "it", "i", "im", "maybe", "probably", "just"})
_NEGATION_SCOPE_WORDS = 4

# "the other one" / "a different one" when a choice was made before.
_NOT_OTHER_BEFORE = frozenset(
    {"day", "days", "week", "night", "time", "morning", "evening", "month", "thing", "things",
     "question", "questions", "stuff", "person", "driver", "drivers", "guy", "side",
     "way", "hand"}
)  # fmt: skip

# Digits that may name a policy or claim: a tail of at least 3 digits, or the whole number.
MIN_TAIL_DIGITS = 3
_TAIL_MARKERS = frozenset({"ending", "ends", "end", "ended", "last", "finishing", "tail"})

# Car makes people shorten.
MAKE_ALIASES: dict[str, frozenset[str]] = {
    "chevrolet": frozenset({"chevy", "chev"}),
    "volkswagen": frozenset({"vw", "volks"}),
    "mercedes": frozenset({"benz", "merc"}),
    "mercedesbenz": frozenset({"mercedes", "benz", "merc"}),
    "cadillac": frozenset({"caddy"}),
    "landrover": frozenset({"rover"}),
}
# Model words too common to name a vehicle on their own ("Model 3", "Grand Cherokee").
_GENERIC_MODEL_WORDS = frozenset(
    {"model", "grand", "sport", "limited", "hybrid", "plus", "series", "class", "super", "new"}
)
# Address words that name no particular place.
_ADDRESS_STOP = frozenset(
    {
        "st", "street", "ave", "av", "avenue", "dr", "drive", "rd", "road", "ln", "lane", "blvd",
        "boulevard", "ct", "court", "pl", "place", "way", "apt", "apartment", "unit", "suite",
        "ste", "n", "s", "e", "w", "north", "south", "east", "west", "ne", "nw", "se", "sw",
        "hwy", "highway", "the", "of", "and", "pkwy", "parkway", "cir", "circle", "ter",
        "terrace", "trl", "trail", "sq", "square", "fl", "floor", "po", "box",
    }
)  # fmt: skip
FUZZY_MIN_LENGTH = 5
FUZZY_RATIO = 0.84
FUZZY_SHORT_RATIO = 0.88  # a four-letter word: one letter left out of five

_WORD = re.compile(r"[a-z0-9]+")
_TOKEN = re.compile(r"[a-z0-9]+|[,;.!?]")
_PUNCTUATION = frozenset(",;.!?")
_MONEY = re.compile(r"\$\s*\d[\d,]*(?:\.\d+)?|\b\d[\d,]*(?:\.\d+)?\s*(?:dollars|bucks|usd)\b")
_DATE = re.compile(r"\b\d{1,2}\s*[/.-]\s*\d{1,2}(?:\s*[/.-]\s*\d{2,4})?\b")
_SINGLE_DIGITS = re.compile(r"\b\d(?:[\s-]+\d\b){2,}")
_REPEAT = re.compile(r"\b(double|triple)\s+([a-z]+|\d)\b")


def normalise(text: str) -> str:
    """Lowercase, straight apostrophes dropped ("don't" -> "dont"), dashes kept as spaces."""
    lowered = text.lower().replace("\u2019", "'").replace("\u2018", "'").replace("'", "")
    return lowered.replace("\u2013", "-").replace("\u2014", " ")


def words_of(text: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(text))


def similar(word: str, target: str) -> bool:
    """Exact, or a likely typo of a word of at least five letters."""
    if word == target:
        return True
    if len(word) < FUZZY_MIN_LENGTH - 1 or len(target) < FUZZY_MIN_LENGTH or not word.isalpha():
        return False
    ratio = SequenceMatcher(None, word, target).ratio()
    return ratio >= (FUZZY_RATIO if len(word) >= FUZZY_MIN_LENGTH else FUZZY_SHORT_RATIO)


def any_similar(words: Iterable[str], targets: Collection[str]) -> bool:
    return any(w in targets or any(similar(w, t) for t in targets) for w in words)


def compact_grams(words: Sequence[str], size: int = 3) -> set[str]:
    """Each word and each run of up to ``size`` words written together ("f 150" -> "f150")."""
    grams: set[str] = set()
    for start in range(len(words)):
        for end in range(start + 1, min(len(words), start + size) + 1):
            grams.add("".join(words[start:end]))
    return grams


# --- reading a reply -----------------------------------------------------------------------


@dataclass(frozen=True)
class Reading:
    """One reply, read once: its words (with and without negated parts) and the numbers in it."""

    text: str  # normalised
    words: tuple[str, ...]
    positive: tuple[str, ...]  # words outside negated parts
    negated: tuple[tuple[str, ...], ...]  # each negated part ("not the car" -> ("the", "car"))
    spoken: tuple[str, ...]  # positive words with number words read as digits
    numbers: tuple[str, ...]  # digit strings (money and dates left out)
    tail_asked: bool  # "ending in ...", "last four ..."

    @property
    def content_words(self) -> tuple[str, ...]:
        return tuple(w for w in self.positive if w not in FILLER)


def read(text: str) -> Reading:
    plain = normalise(text)
    tokens = tuple(_TOKEN.findall(plain))
    words = tuple(t for t in tokens if t not in _PUNCTUATION)
    positive, negated = _split_negated(tokens)
    spoken_text = _spoken(" ".join(positive))
    numbers_text = _spoken(_DATE.sub(" ", _MONEY.sub(" ", plain)))
    numbers = tuple(re.findall(r"\d+", numbers_text))
    tail_asked = any(w in _TAIL_MARKERS for w in words) and bool(numbers)
    return Reading(
        text=plain,
        words=words,
        positive=positive,
        negated=negated,
        spoken=words_of(spoken_text),
        numbers=numbers,
        tail_asked=tail_asked,
    )


def _spoken(text: str) -> str:
    """Number words as digits, and digits said one by one joined ("0 0 1" -> "001")."""
    text = _REPEAT.sub(
        lambda m: " ".join([m.group(2)] * (2 if m.group(1) == "double" else 3)), text
    )
    text = words_to_digits(text)
    return _SINGLE_DIGITS.sub(lambda m: re.sub(r"[\s-]+", "", m.group(0)), text)


def _split_negated(
    tokens: tuple[str, ...],
) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    """Words outside negated parts, and each negated part: the words after "not" up to the first
    that names something ("not the car, the house"), "that one", a stop or punctuation."""
    positive: list[str] = []
    negated: list[tuple[str, ...]] = []
    i = 0
    while i < len(tokens):
        start = _negation_start(tokens, i)
        if start is None:
            if tokens[i] not in _PUNCTUATION:
                positive.append(tokens[i])
            i += 1
            continue
        positive.extend(t for t in tokens[i:start] if t not in _PUNCTUATION)
        scope: list[str] = []
        j = start
        while j < len(tokens) and len(scope) < _NEGATION_SCOPE_WORDS:
            word = tokens[j]
            if word in _PUNCTUATION or word in _NEGATION_STOPS or word in _NEGATORS:
                break
            scope.append(word)
            j += 1
            if _names_something(word) or (
                word in ("one", "ones") and any(w not in ("the", "a") for w in scope[:-1])
            ):
                break
        negated.append(tuple(scope))
        i = j
    return tuple(positive), tuple(negated)


def _negation_start(tokens: tuple[str, ...], i: int) -> int | None:
    """Index of the first negated word when a negation starts at ``i``, else None."""
    word = tokens[i]
    following = tokens[i + 1] if i + 1 < len(tokens) else ""
    if word in _NEGATORS and following not in _NOT_A_NEGATION_BEFORE:
        if word in ("dont", "didnt") and following in ("want", "mean", "need"):
            return i + 2
        return i + 1
    for first, second in _NEGATION_PHRASES:
        if word == first and following == second:
            return i + 2
    return None


def _names_something(word: str) -> bool:
    """Whether a word names a choice by itself (ends a negated part)."""
    return (
        word in ORDINALS
        or word.isdigit()
        or (len(word) >= 3 and word not in FILLER and word not in _DEICTIC)
    )


_DEICTIC = frozenset({"that", "this", "those", "these", "one", "ones"})


def ordinal_position(reading: Reading, count: int) -> int | None:
    """The 0-based position a short reply names ("2", "the second one", "the last one")."""
    if count < 1 or len(reading.content_words) > SHORT_REPLY_CONTENT_WORDS:
        return None
    words = reading.positive
    positions: set[int] = set()
    for i, word in enumerate(words):
        following = words[i + 1] if i + 1 < len(words) else ""
        before = words[i - 1] if i > 0 else ""
        if word in ("one", "1") and before in _COUNTING_WORDS:
            positions.add(0)
        elif word == "last" and following in _NOT_ORDINAL_AFTER_LAST:
            continue
        elif word in ORDINALS:
            positions.add(ORDINALS[word])
    if len(positions) != 1:
        return None
    position = positions.pop()
    if position < 0:
        position += count
    return position if 0 <= position < count else None


def other_than(reading: Reading) -> bool:
    """Whether the reply asks for "the other one" / "a different one"."""
    words = reading.words
    for i, word in enumerate(words):
        following = words[i + 1] if i + 1 < len(words) else ""
        if word in ("other", "different") and following not in _NOT_OTHER_BEFORE:
            return True
        if word == "another" and following in ("one", "policy", "claim", ""):
            return True
    return False


def rejects_previous(reading: Reading) -> bool:
    """Whether the reply turns down the last choice without naming it ("not that one", "wrong
    one")."""
    if "wrong" in reading.words:
        return True
    return any(part and all(w in FILLER or w in _DEICTIC for w in part) for part in reading.negated)


def same_number(a: str, b: str) -> bool:
    return digits_of(a) == digits_of(b) and bool(digits_of(a))


def digits_of(number: str) -> str:
    return "".join(ch for ch in number if ch.isdigit())


def by_number_tail(numbers: Iterable[str], item_numbers: Sequence[str]) -> set[int] | None:
    """Indices of the items whose number ends with a digit string in the reply (3+ digits).

    None when no digit string of the reply names any item.
    """
    item_digits = [digits_of(n) for n in item_numbers]
    for number in numbers:
        if len(number) < MIN_TAIL_DIGITS:
            continue
        hits = {i for i, d in enumerate(item_digits) if d.endswith(number)}
        if hits:
            return hits
    return None


# --- vehicles ------------------------------------------------------------------------------


class VehicleFacts(NamedTuple):
    year: int
    make: str
    model: str


def _compact(text: str) -> str:
    return "".join(words_of(normalise(text)))


def _make_keys(vehicle: VehicleFacts) -> frozenset[str]:
    make = _compact(vehicle.make)
    return frozenset({make, *MAKE_ALIASES.get(make, frozenset())})


def _model_keys(vehicle: VehicleFacts) -> frozenset[str]:
    words = words_of(normalise(vehicle.model))
    distinctive = {
        w for w in words if w.isalpha() and len(w) >= 3 and w not in _GENERIC_MODEL_WORDS
    }
    return frozenset({"".join(words), *distinctive})


def _mentioned(keys: frozenset[str], grams: set[str], words: Sequence[str]) -> set[str]:
    found = set(keys & grams)
    for key in keys - found:
        if any(similar(w, key) for w in words):
            found.add(key)
    return found


def matching_vehicles(reading: Reading, vehicles: Sequence[VehicleFacts]) -> set[int] | None:
    """Indices of the vehicles the reply names by year, make or model; None when it names none.

    Every aspect the reply mentions must fit ("my 2019 honda" is a 2019 Honda); a year no vehicle
    has is ignored (people misremember years), a model or make is not.
    """
    grams = compact_grams(reading.spoken) | compact_grams(reading.positive)
    words = reading.positive
    makes = [_mentioned(_make_keys(v), grams, words) for v in vehicles]
    models = [_mentioned(_model_keys(v), grams, words) for v in vehicles]
    years = {int(n) for n in reading.numbers if len(n) == 4} & {v.year for v in vehicles}
    any_make, any_model = any(makes), any(models)
    if not (any_make or any_model or years):
        return None
    hits = set()
    for i, vehicle in enumerate(vehicles):
        if any_make and not makes[i] and not (any_model and models[i]):
            continue
        if any_model and not models[i]:
            continue
        if years and vehicle.year not in years:
            continue
        hits.add(i)
    return hits


def vehicle_years(vehicles: Iterable[VehicleFacts]) -> set[str]:
    return {str(v.year) for v in vehicles}


# --- policies ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PolicyFacts:
    """What a reply may name a policy by; the caller builds it from PAS data."""

    policy_number: str
    line: str
    status: str
    vehicles: tuple[VehicleFacts, ...] = ()
    addresses: tuple[str, ...] = field(default=())  # "1820 Kenilworth Ave, Charlotte"

    @classmethod
    def from_policy(cls, policy: Policy) -> PolicyFacts:
        return cls(
            policy_number=policy.policy_number,
            line=policy.line,
            status=policy.status,
            vehicles=tuple(VehicleFacts(v.year, v.make, v.model) for v in policy.vehicles),
            addresses=tuple(f"{p.address.street}, {p.address.city}" for p in policy.properties),
        )

    @classmethod
    def from_ref(cls, ref: OfferedPolicy) -> PolicyFacts:
        return cls(policy_number=ref.policy_number, line=ref.line, status=_status_of(ref))


def _status_of(ref: OfferedPolicy) -> str:
    status = getattr(ref, "status", "")
    return status if isinstance(status, str) else ""


class OfferedPolicy(Protocol):
    @property
    def policy_number(self) -> str: ...

    @property
    def line(self) -> str: ...


P = TypeVar("P", bound=OfferedPolicy)


def line_hits(reading: Reading, words: Sequence[str] | None = None) -> set[str]:
    """The lines of business the words name ("my truck" -> {"auto"})."""
    words = reading.positive if words is None else words
    found: set[str] = set()
    for i, word in enumerate(words):
        following = words[i + 1] if i + 1 < len(words) else ""
        if following in _NOT_A_LINE_BEFORE.get(word, frozenset()):
            continue
        for line, synonyms in LINE_WORDS.items():
            if word in synonyms or (len(word) >= 6 and any(similar(word, s) for s in synonyms)):
                found.add(line)
    return found


def _policy_status_hits(words: Sequence[str]) -> set[str] | None:
    statuses = [POLICY_STATUS_WORDS[w] for w in words if w in POLICY_STATUS_WORDS]
    return set().union(*statuses) if statuses else None


def _address_keys(address: str) -> frozenset[str]:
    words = words_of(normalise(address))
    return frozenset(
        w
        for w in words
        if w not in _ADDRESS_STOP and w not in ORDINALS and (len(w) >= 3 or w.isdigit())
    )


def _address_hits(words: Sequence[str], policies: Sequence[PolicyFacts]) -> set[int] | None:
    hits = set()
    for i, policy in enumerate(policies):
        keys = frozenset().union(*(_address_keys(a) for a in policy.addresses))
        if any(w in keys or (w.isalpha() and any(similar(w, k) for k in keys)) for w in words):
            hits.add(i)
    return hits or None


@dataclass
class Narrowing:
    """Cues found in a reply, as sets of item indices: all must fit; negated ones rule out."""

    count: int
    include: list[set[int]] = field(default_factory=list)
    exclude: set[int] = field(default_factory=set)
    soft: list[set[int]] = field(default_factory=list)  # dropped when nothing else fits

    def result(self, items: Sequence[T]) -> Choice[T]:
        everyone = set(range(self.count))
        if not self.include and not self.soft and not self.exclude:
            return NoMatch()
        fits = everyone.intersection(*self.include) - self.exclude
        with_soft = fits.intersection(*self.soft)
        if with_soft or not self.include:
            fits = with_soft
        return resolved(items, fits)


def resolved(items: Sequence[T], fits: set[int]) -> Choice[T]:
    if len(fits) == 1:
        return Chosen(items[fits.pop()])
    if fits:
        return Ambiguous(tuple(items[i] for i in sorted(fits)))
    return NoMatch()


def _policy_cues(
    words: Sequence[str], reading: Reading, policies: Sequence[PolicyFacts]
) -> list[set[int]]:
    """Index sets for the line, status, vehicle and address cues in ``words``."""
    cues: list[set[int]] = []
    lines = line_hits(reading, words)
    if lines:
        cues.append({i for i, p in enumerate(policies) if p.line in lines})
    statuses = _policy_status_hits(words)
    if statuses is not None:
        cues.append({i for i, p in enumerate(policies) if p.status in statuses})
    part = _sub_reading(reading, words)
    vehicles = [(i, v) for i, p in enumerate(policies) for v in p.vehicles]
    by_vehicle = matching_vehicles(part, [v for _, v in vehicles])
    if by_vehicle is not None:
        cues.append({vehicles[k][0] for k in by_vehicle})
    by_address = _address_hits(words, policies)
    if by_address is not None:
        cues.append(by_address)
    return cues


def _sub_reading(reading: Reading, words: Sequence[str]) -> Reading:
    if tuple(words) == reading.positive:
        return reading
    spoken = words_of(_spoken(" ".join(words)))
    return Reading(
        text=" ".join(words),
        words=tuple(words),
        positive=tuple(words),
        negated=(),
        spoken=spoken,
        numbers=tuple(w for w in spoken if w.isdigit()),
        tail_asked=False,
    )


def choose_policy(
    text: str, policies: Sequence[PolicyFacts], *, previous: str | None = None
) -> Choice[PolicyFacts]:
    """Which of ``policies`` (in the order offered) the reply ``text`` names.

    ``previous`` is the policy number chosen before, for "the other one" / "a different one".
    """
    if not policies:
        return NoMatch()
    reading = read(text)
    numbers = [
        n
        for n in reading.numbers
        if n not in vehicle_years(v for p in policies for v in p.vehicles)
    ]
    by_digits = by_number_tail(numbers, [p.policy_number for p in policies])
    if by_digits is not None:
        return resolved(policies, by_digits)
    if reading.tail_asked and any(len(n) >= MIN_TAIL_DIGITS for n in numbers):
        return NoMatch()  # "ending in 999": a number that is none of theirs
    narrowing = Narrowing(len(policies))
    narrowing.include.extend(_policy_cues(reading.positive, reading, policies))
    for part in reading.negated:
        for cue in _policy_cues(part, reading, policies):
            narrowing.exclude |= cue
    if previous is not None:
        before = {i for i, p in enumerate(policies) if same_number(p.policy_number, previous)}
        if other_than(reading):
            narrowing.include.append(set(range(len(policies))) - before)
        elif rejects_previous(reading):
            narrowing.exclude |= before
    position = ordinal_position(reading, len(policies))
    if position is not None:
        narrowing.soft.append(_ordinal_within(position, narrowing, len(policies)))
    return narrowing.result(policies)


def _ordinal_within(position: int, narrowing: Narrowing, count: int) -> set[int]:
    """The position among all offered, or among those other cues leave ("the second car")."""
    if not narrowing.include:
        return {position}
    ordered = sorted(set(range(count)).intersection(*narrowing.include) - narrowing.exclude)
    return {ordered[position]} if position < len(ordered) else {position}


def pick_policy(text: str, offered: Sequence[P]) -> P | None:
    """The one policy in ``offered`` (in the order shown) that ``text`` names, else None.

    The older interface: None for a single policy (nothing to choose), an ambiguous reply or no
    match. ``choose_policy`` tells those apart.
    """
    if len(offered) < 2:
        return None
    facts = [PolicyFacts.from_ref(p) for p in offered]
    choice = choose_policy(text, facts)
    if isinstance(choice, Chosen):
        return offered[facts.index(choice.item)]
    return None
