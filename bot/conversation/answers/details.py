"""A generic "update my info": which detail, instead of a guess.

A change of an address, phone number, e-mail, name or vehicle is made by the service team (a
policy change); a payment method is self-service (``update_payment_method``). When a change
request names none of them ("update my info"), the assistant asks which.
"""

from __future__ import annotations

import re

# detail -> words that name it in a message
DETAIL_WORDS: dict[str, tuple[str, ...]] = {
    "address": ("address", "moved", "move", "moving", "relocated", "street", "zip"),
    "phone": ("phone", "cell", "mobile", "telephone"),
    "email": ("email", "e-mail", "mail"),
    "name": ("name", "married", "surname", "divorced"),
    "vehicle": ("vehicle", "car", "truck", "van", "suv", "driver", "drivers"),
    "payment method": ("card", "bank", "payment", "checking", "pay"),
    "policy": ("coverage", "deductible", "limit", "limits", "cancel", "renew", "add", "remove"),
}
# Words of a request to change one's details without saying which.
GENERIC_WORDS = frozenset(
    "info information details detail particulars profile record records contact personal "
    "data account".split()
)
WHICH_DETAIL = "Sure. What would you like to update?"
# (button title, payload): the payment method is its own self-service task.
DETAIL_CHOICES: tuple[tuple[str, str], ...] = (
    ("address", '/change_policy{"detail": "address"}'),
    ("phone number", '/change_policy{"detail": "phone"}'),
    ("email", '/change_policy{"detail": "email"}'),
    ("vehicle", '/change_policy{"detail": "vehicle"}'),
    ("payment method", "/update_payment_method"),
)
_WORD = re.compile(r"[a-z'-]+")


def detail_named(text: str) -> str | None:
    """The detail (or other policy change) a change request names, if any."""
    words = set(_WORD.findall(text.lower()))
    for detail, named_by in DETAIL_WORDS.items():
        if words & set(named_by):
            return detail
    return None


def asks_which_detail(text: str) -> bool:
    """Whether a change request is a generic "update my info" that names no detail."""
    words = set(_WORD.findall(text.lower()))
    return bool(words & GENERIC_WORDS) and detail_named(text) is None


def detail_lead(detail: str | None) -> str:
    if detail in ("address", "phone", "email", "name", "vehicle"):
        shown = {"phone": "phone number", "email": "e-mail address"}.get(detail, detail)
        return f"Our service team will update your {shown} for you."
    return "Our service team will make this change for you."
