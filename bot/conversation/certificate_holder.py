"""Who a certificate of insurance is for, when the request already says it.

"can you make a COI out to Lone Star Apartments 900 Congress Ave Austin TX 78701" names the
certificate holder and their address: the certificate form is filled from it and asks nothing, or
only the address when just the name is given. The reader needs words that introduce a holder
("made out to", "issued to", "addressed to", "certificate for", "it's for", "holder is"), and
splits name and address at the first house number (or "PO Box"). A wrong name would be printed on
a document, so anything doubtful ("a COI for my truck", "certificate for the condo") is left for
the form to ask.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_DOCUMENT = (
    r"(?:certificate(?:\s+of\s+(?:insurance|coverage))?|cert|c\.?o\.?i\.?|acord(?:\s+25)?"
    r"|(?:proof|evidence)\s+of\s+(?:insurance|coverage))"
)
# Words that introduce the holder; the name starts right after them.
_LEAD_IN = re.compile(
    r"\b(?:"
    r"(?:make|made|write|written|issue|issued|address|addressed|send|sent|mail|email)"
    rf"(?:\s+(?:it|this|that|one|them|(?:a|an|the|my)\s+{_DOCUMENT}))?(?:\s+out)?\s+(?:to|for)"
    r"|(?:it'?s|it\s+is|(?:it\s+)?(?:needs?|has)\s+to\s+be|should\s+be)"
    r"(?:\s+(?:made\s+out|issued|addressed))?\s+(?:to|for)"
    r"|(?:certificate\s+)?holder(?:\s+name)?(?:\s+(?:is|should\s+be|will\s+be|=))?\s*[:-]?"
    rf"|{_DOCUMENT}(?:\s+(?:made\s+out|issued|addressed|naming))?\s+(?:to|for|naming)"
    r")\s+",
    re.IGNORECASE,
)
# Where the holder's part of the message ends: the end of a sentence or request, a courtesy, or
# details about the writer (their date of birth, ZIP, policy).
_END = re.compile(
    r"\s*(?:[?!;\n]|\.\s*$|\.\s+(?=(?:i|thanks|thank|please|pls|also|can|could|my|it|and|what"
    r"|how|need|send|they|we|the)\b)|[,.]?\s+(?:please|pls|plz|thanks|thank\s+you|thx|asap"
    r"|and\s+(?:also|then|send|email|text|what|how|can|i|my|it)|also|my\s+(?:dob|date|birthday"
    r"|zip|policy)|d\.?o\.?b|date\s+of\s+birth|born|birthday|zip(?:\s*code)?\s+is"
    r"|for\s+(?:my|the|our)\s+\w+|on\s+(?:my|the|our)\s+\w+"
    r"|(?:by|before|until|no\s+later\s+than)\s+(?:mon|tue|wed|thu|fri|sat|sun|today|tonight"
    r"|tomorrow|tmrw|eod|end|noon|the|this|next|\d)\w*|today|tomorrow|tonight)\b"
    r"|\s*\b(?:aut|hom|ren)[\s-]*\d{7}\b|\s*\bclm[\s-]*\d{8}\b)",
    re.IGNORECASE,
)
# A house number with a street word after it, or a PO box: the address starts there.
_ADDRESS_START = re.compile(
    r"(?:\b(?:at|located\s+at|c/o)\s+)?(?<![\w-])(?=\d+[a-z]?(?:-\d+)?\s+[a-z]|p\.?\s?o\.?\s+box\b)",
    re.IGNORECASE,
)
# A name never starts with these: "for my truck", "to the landlord", "for it", "for AUT-…".
_NOT_A_NAME_START = frozenset(
    "my our your his her their the a an this that these those it its me us them him you which"
    " what whom who when where why how car auto truck home house condo renters policy vehicle"
    " insurance coverage certificate coi proof evidence".split()
)
_MAX_NAME_WORDS = 8


@dataclass(frozen=True)
class CertificateHolderText:
    """The holder's name as written, and their address when the message gives it."""

    name: str
    address: str | None = None


def read_certificate_holder(text: str) -> CertificateHolderText | None:
    """The certificate holder ``text`` names, or ``None`` when it names none for sure."""
    for lead_in in _LEAD_IN.finditer(text):
        rest = text[lead_in.end() :]
        end = _END.search(rest)
        part = rest[: end.start()] if end else rest
        reading = _split(part)
        if reading is not None:
            return reading
    return None


def _split(part: str) -> CertificateHolderText | None:
    start = _ADDRESS_START.search(part)
    if start is None:
        name, address = part, None
    else:
        name, address = part[: start.start()], part[start.end() :]
    name = name.split(",")[0].strip(" \t.,:-")
    if not _plausible_name(name):
        return None
    if address is not None:
        address = address.strip(" \t,.:-")
        if not re.search(r"[a-z]", address, re.IGNORECASE):
            address = None
    return CertificateHolderText(name=name, address=address or None)


def _plausible_name(name: str) -> bool:
    words = name.split()
    if not words or len(words) > _MAX_NAME_WORDS:
        return False
    if words[0].lower().strip(".,'") in _NOT_A_NAME_START:
        return False
    if re.search(r"@|https?:|www\.", name, re.IGNORECASE):
        return False  # an email or web address is where to send it, not who it is for
    return readable_name(name)


def readable_name(text: str) -> bool:
    """Whether ``text`` has at least one word a person could read out (letters with a vowel):
    "Lone Star Apartments", "XYZ Holdings", but not "zzzz ??" or "!!!"."""
    words = ["".join(ch for ch in w if ch.isalpha()) for w in text.lower().split()]
    return any(len(w) >= 2 and any(v in w for v in "aeiouy") for w in words)
