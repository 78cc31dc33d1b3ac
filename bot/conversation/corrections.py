"""Whether a reply right after an answer corrects the choice it was given.

After "Here is the ID card for your car policy", a policyholder may write "no, the other one",
"actually the home policy", "I meant my truck", "wrong one" or "not that one, the condo": a
change of mind, to redo the task for the new choice (without verifying again). A plain "no" or
"no thanks" is a decline, and "actually can I pay my bill" is a new request; neither is a
correction.

The reading is lexical and conservative: a strong marker ("I meant", "wrong one", "the other
one", "make that", "not that one") is a correction unless the rest is a request; a weak marker
("no", "actually", "wait", "sorry", "oops") only with a choice cue after it (a line of business, a
claim type, an ordinal, a number, a vehicle make, "the X one"). A bare choice with no marker
("the home one") is not read as a correction here: the caller can still offer it to
``choose_policy`` / ``choose_claim``, which also read "the other one" and "not that one" when
given the previous choice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from bot.conversation.claim_choice import CLAIM_STATUS_WORDS, LOSS_TYPE_WORDS
from bot.conversation.policy_choice import (
    FILLER,
    MIN_TAIL_DIGITS,
    ORDINALS,
    POLICY_STATUS_WORDS,
    Reading,
    line_hits,
    normalise,
    ordinal_position,
    other_than,
    read,
    similar,
)
from bot.conversation.user_input import AmountProblem, AmountRequest, read_amount


class AfterAnswer(Enum):
    CHANGE_OF_MIND = "change_of_mind"
    DECLINE = "decline"
    OTHER = "other"  # a new request, a thank-you, anything else


@dataclass(frozen=True)
class ReplyAfterAnswer:
    kind: AfterAnswer
    # A change of mind that says what it wants instead ("I meant my car"), as opposed to one
    # that only rejects the answer ("wrong one", "not that one"): pass the same text to
    # choose_policy / choose_claim with ``previous`` set.
    names_a_choice: bool = False


# Phrases that correct the last answer whatever follows (matched on normalised words).
STRONG_MARKERS = (
    "i meant", "i mean", "meant to say", "wrong one", "wrong policy", "wrong claim",
    "wrong car", "wrong vehicle", "wrong house", "the wrong", "not that one", "not this one",
    "not the right", "not the one", "not that policy", "not that claim", "not the correct",
    "make that", "make it the", "change it to", "change that to", "switch to", "switch it to",
    "scratch that", "my mistake", "my bad", "i said", "correction", "the other one",
    "the other policy", "the other claim", "a different one", "different policy",
    "different claim", "instead",
)  # fmt: skip
# Words that open a correction only when a choice follows ("no, the home one").
WEAK_MARKERS = frozenset(
    {
        "no", "nope", "nah", "noo", "nooo", "na", "actually", "actualy", "wait", "oops",
        "sorry", "hmm", "oh", "um", "umm", "uh", "err", "hold", "whoops", "rather", "ugh",
    }
)  # fmt: skip
_NO = frozenset({"no", "nope", "nah", "noo", "nooo", "na"})
# Replies that decline: nothing else to do.
DECLINES = frozenset(
    {
        "no", "nope", "nah", "no thanks", "no thank you", "no thx", "nah thanks", "no im good",
        "im good", "thats all", "no thats all", "thats it", "no thats it", "all good",
        "no im fine", "im fine", "not now", "no not now", "never mind", "nevermind",
        "no never mind", "forget it", "no need", "no thats fine", "thats fine", "all set",
        "no im all set", "no that is all", "nothing", "nothing else", "no nothing else",
        "not really", "nope thats it", "no i dont", "no i do not", "no i dont think so",
        "cancel that", "no cancel", "stop", "no stop",
    }
)  # fmt: skip
# Words of a new request: a correction with one of these and no choice cue is a new request.
REQUEST_WORDS = frozenset(
    {
        "pay", "payment", "payments", "bill", "billing", "balance", "owe", "due", "card",
        "idcard", "declarations", "dec", "certificate", "coi", "proof", "report", "file",
        "status", "agent", "representative", "rep", "person", "human", "someone", "autopay",
        "address", "add", "remove", "quote", "help", "talk", "speak", "call", "email", "send",
        "text", "document", "documents", "copy", "renew", "update", "deductible", "coverage",
        "refund", "question", "questions", "premium", "login", "password",
    }
)  # fmt: skip
# Words that end a decline rather than name a choice ("no, I'm good").
_DECLINE_WORDS = frozenset(
    {"good", "fine", "thanks", "thank", "thx", "all", "set", "it", "okay", "ok", "done"}
)
# Common car makes, for "no, the toyota" (a holder's own models are matched by choose_policy).
CAR_MAKES = frozenset(
    {
        "toyota", "honda", "ford", "chevy", "chevrolet", "nissan", "subaru", "hyundai", "kia",
        "jeep", "ram", "dodge", "gmc", "mazda", "volkswagen", "vw", "tesla", "bmw", "audi",
        "mercedes", "benz", "lexus", "acura", "infiniti", "volvo", "buick", "cadillac",
        "chrysler", "lincoln", "mitsubishi", "porsche", "mini", "genesis", "rivian",
    }
)  # fmt: skip
# "the X one" / "my X policy": a thing named by the user's own word.
_NAMED_THING = re.compile(
    r"\b(?:the|my|that)\s+(?:[a-z0-9]+\s+){0,2}?([a-z0-9]+)\s+(?:one|policy|claim)\b"
)
_DETERMINED = re.compile(r"\b(?:the|my)\s+([a-z0-9]+)\b")
_MAX_CHOICE_WORDS = 4
_MARKER_WORDS = frozenset(" ".join(STRONG_MARKERS).split())


def read_after_answer(text: str) -> ReplyAfterAnswer:
    """What a reply right after an answer is: a change of mind, a decline, or something else."""
    plain = " ".join(re.findall(r"[a-z0-9]+", normalise(text)))
    if not plain:
        return ReplyAfterAnswer(AfterAnswer.OTHER)
    if plain in DECLINES:
        return ReplyAfterAnswer(AfterAnswer.DECLINE)
    reading = read(text)
    cue = names_a_choice(reading, plain)
    asks = any(w in REQUEST_WORDS for w in reading.words)
    strong = any(re.search(rf"\b{marker}\b", plain) for marker in STRONG_MARKERS)
    if strong and (cue or not asks):
        return ReplyAfterAnswer(AfterAnswer.CHANGE_OF_MIND, names_a_choice=cue)
    weak = bool(reading.words) and reading.words[0] in WEAK_MARKERS
    if weak and cue and not asks:
        return ReplyAfterAnswer(AfterAnswer.CHANGE_OF_MIND, names_a_choice=True)
    if reading.words[0] in _NO and not asks and _declines(reading):
        return ReplyAfterAnswer(AfterAnswer.DECLINE)
    return ReplyAfterAnswer(AfterAnswer.OTHER)


def is_change_of_mind(text: str) -> bool:
    """Whether a reply right after an answer corrects the choice the answer was for."""
    return read_after_answer(text).kind is AfterAnswer.CHANGE_OF_MIND


# Words that say yes, and nothing else ("ok", "yes please", "sure thing").
_YES_WORDS = frozenset(
    {
        "yes", "yeah", "yea", "ya", "yep", "yup", "y", "ok", "okay", "k", "kk", "sure", "fine",
        "alright", "right", "correct", "please", "pls", "thing", "absolutely", "definitely",
        "of", "course", "cool", "great", "good", "thanks", "thank", "you", "uh", "huh", "mhm",
    }
)  # fmt: skip


def is_plain_yes(text: str) -> bool:
    """Whether a message only says yes ("ok", "yes please"), not words the NLU took for one."""
    words = re.findall(r"[a-z]+", normalise(text))
    return bool(words) and all(w in _YES_WORDS for w in words)


def is_decline(text: str) -> bool:
    """Whether a reply right after an answer is a plain "no" / "no thanks"."""
    return read_after_answer(text).kind is AfterAnswer.DECLINE


def names_a_choice(reading: Reading, plain: str) -> bool:
    """Whether the reply names a policy, claim or vehicle in any way a chooser can read."""
    words = reading.positive
    if line_hits(reading) or other_than(reading):
        return True
    if any(len(n) >= MIN_TAIL_DIGITS for n in reading.numbers):
        return True
    if any(w in POLICY_STATUS_WORDS or w in CLAIM_STATUS_WORDS for w in words):
        return True
    if any(w in CAR_MAKES for w in words) or _names_loss_type(words):
        return True
    if ordinal_position(reading, len(ORDINALS)) is not None:
        return True
    content = [w for w in words if w not in FILLER | WEAK_MARKERS | _MARKER_WORDS]
    if not content or len(content) > _MAX_CHOICE_WORDS:
        return False
    if any(w in REQUEST_WORDS or w in _DECLINE_WORDS for w in content):
        return False
    named = [m.group(1) for m in (*_NAMED_THING.finditer(plain), *_DETERMINED.finditer(plain))]
    return any(word in content for word in named)


def _names_loss_type(words: tuple[str, ...]) -> bool:
    vocabulary = set().union(*LOSS_TYPE_WORDS.values())
    return any(w in vocabulary or any(similar(w, v) for v in vocabulary) for w in words)


def _declines(reading: Reading) -> bool:
    content = [w for w in reading.words if w not in FILLER and w not in WEAK_MARKERS]
    return all(w in _DECLINE_WORDS for w in content)


# Phrases that, with an amount, change the amount just paid or asked for ("wait make it 75",
# "actually 80 instead", "no, I meant 60"). The weak markers open one too ("no 75", "oops 80").
AMOUNT_MARKERS = (
    "make it", "make that", "change it to", "change that to", "change to", "instead",
    "rather", "i meant", "i mean", "meant", "scratch that", "correction", "should be",
    "should have been", "not", "do", "go with", "only",
)  # fmt: skip
# Request words a changed amount may carry ("actually pay 75 instead").
_PAYMENT_WORDS = frozenset({"pay", "payment", "bill", "amount", "link", "balance", "due", "owe"})


def amount_correction(text: str) -> AmountRequest | None:
    """The new amount when a reply right after a payment answer changes its amount, else None.

    A correction says one amount (``read_amount``: ambiguous or several amounts are none) with a
    marker of a change of mind and no other request: "wait make it 75", "actually, 80 instead",
    "no 60", "sorry I meant a hundred and fifty". A bare "75" is not read as one here.
    """
    amount = read_amount(text)
    if isinstance(amount, AmountProblem):
        return None
    plain = " ".join(re.findall(r"[a-z0-9]+", normalise(text)))
    words = plain.split()
    if not words or any(w in REQUEST_WORDS and w not in _PAYMENT_WORDS for w in words):
        return None
    marked = words[0] in WEAK_MARKERS or any(
        re.search(rf"\b{marker}\b", plain) for marker in AMOUNT_MARKERS
    )
    return amount if marked else None
