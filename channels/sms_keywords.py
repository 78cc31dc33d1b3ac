"""SMS compliance keywords: opt-out, opt-in and help, as carriers and the FCC expect them.

- Opt-out keywords (whole message, any case, surrounding punctuation ignored): STOP, STOPALL,
  UNSUBSCRIBE, END, QUIT, CANCEL, REVOKE, OPTOUT. "CANCEL" alone opts out; "cancel my autopay"
  is a request for the assistant.
- Plain-language opt-outs anywhere in the message ("stop texting me", "dont text me anymore",
  "unsubscribe me", "remove me from your list"): the FCC (April 2025) requires honouring any
  reasonable way of saying it. The phrases all name texting or messaging *me*, so "stop my
  autopay" or "stop the payment" are not opt-outs.
- Opt-in: START, UNSTOP always; YES only from an opted-out number (otherwise it is an answer).
- Help: HELP, INFO.
- Claim alert replies: STATUS, ADJUSTER (whole message). Not compliance keywords: they are
  answered before the assistant only for numbers that receive claim alerts
  (``bot.notifications.claim_alerts_replies``); for anyone else they go on to the assistant.
"""

from __future__ import annotations

import enum
import re
import unicodedata

from bot.notifications.claim_alerts_replies import ClaimKeyword
from bot.notifications.suppression import OptOutSource


class SmsKeyword(enum.Enum):
    OPT_OUT = "opt_out"
    OPT_IN = "opt_in"
    HELP = "help"


OPT_OUT_KEYWORDS = frozenset(
    {"STOP", "STOPALL", "UNSUBSCRIBE", "END", "QUIT", "CANCEL", "REVOKE", "OPTOUT"}
)
OPT_IN_KEYWORDS = frozenset({"START", "UNSTOP"})
OPT_IN_WHEN_OPTED_OUT = frozenset({"YES"})
HELP_KEYWORDS = frozenset({"HELP", "INFO"})
CLAIM_ALERT_KEYWORDS: dict[str, ClaimKeyword] = {"STATUS": "status", "ADJUSTER": "adjuster"}

_TEXTING = r"(?:text(?:ing|s)?|txt(?:ing)?|messag(?:e|es|ing)|sms(?:ing)?|contact(?:ing)?)"
_PLAIN_LANGUAGE_OPT_OUTS = [
    # stop / quit / cease texting me (anymore)
    rf"\b(?:stop|quit|cease|end)\s+(?:sending\s+(?:me\s+)?)?{_TEXTING}(?:\s+to)?\s+me\b",
    rf"\b(?:stop|quit)\s+sending\s+(?:me\s+)?(?:these\s+|any\s+|your\s+)?{_TEXTING}\b",
    # do not / don't / never text me
    rf"\b(?:dont|do\s+not|never)\s+(?:ever\s+)?{_TEXTING}\s+me\b",
    rf"\bno\s+more\s+{_TEXTING}\b",
    r"\bunsubscribe\s+me\b",
    r"\bopt\s*[- ]?\s*me\s+out\b",
    r"\bopt\s+out\s+of\s+(?:these\s+|your\s+|all\s+)?(?:texts?|messages|sms)\b",
    r"\bremove\s+me\s+from\s+(?:your|this|the)\s+(?:list|texts?|messages|mailing\s+list)\b",
    r"\btake\s+me\s+off\s+(?:your|this|the)\s+(?:list|texts?|messages)\b",
]
_PLAIN_LANGUAGE = re.compile("|".join(f"(?:{p})" for p in _PLAIN_LANGUAGE_OPT_OUTS))


def _fold(text: str) -> str:
    """Lower case, apostrophes dropped (don't → dont), punctuation as spaces, spaces collapsed."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"['\u2019\u2018`]", "", text)
    text = re.sub(r"[^\w\s-]", " ", text)
    return " ".join(text.split())


def _whole_word(text: str) -> str:
    """The message as one upper-case word with surrounding punctuation and spaces removed."""
    stripped = unicodedata.normalize("NFKC", text).strip().strip(".!?,;:'\"()[]* \t\r\n")
    return stripped.upper()


def is_plain_language_opt_out(text: str) -> bool:
    """True for opt-outs in words, e.g. "please stop texting me"."""
    return _PLAIN_LANGUAGE.search(_fold(text)) is not None


def classify_sms_keyword(text: str, *, opted_out: bool = False) -> SmsKeyword | None:
    """Which compliance keyword ``text`` is, if any. ``opted_out``: the sender is suppressed."""
    word = _whole_word(text)
    if word in OPT_OUT_KEYWORDS:
        return SmsKeyword.OPT_OUT
    if word in OPT_IN_KEYWORDS or (opted_out and word in OPT_IN_WHEN_OPTED_OUT):
        return SmsKeyword.OPT_IN
    if word in HELP_KEYWORDS:
        return SmsKeyword.HELP
    if is_plain_language_opt_out(text):
        return SmsKeyword.OPT_OUT
    return None


def claim_alert_keyword(text: str) -> ClaimKeyword | None:
    """``status`` / ``adjuster`` when the whole message is that keyword (replies to an alert)."""
    return CLAIM_ALERT_KEYWORDS.get(_whole_word(text))


def opt_out_source(text: str) -> OptOutSource:
    """``keyword`` for a keyword opt-out, ``plain_language`` otherwise (for the record)."""
    return "keyword" if _whole_word(text) in OPT_OUT_KEYWORDS else "plain_language"
