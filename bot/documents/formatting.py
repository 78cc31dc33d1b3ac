"""How values read on a document: US dates, dollars, limits and deductibles."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from bot.money import whole_dollars

_AMOUNT = re.compile(r"^\$?\s*(\d{1,3}(?:,\d{3})*|\d+)(?:\.(\d{2}))?$")


def us_date(value: date) -> str:
    """``03/01/2026``: the form US policy documents use."""
    return value.strftime("%m/%d/%Y")


def parse_amount(text: str) -> Decimal | None:
    """The dollar amount in ``"350,000"`` or ``"$1,000"``; ``None`` if it is not one amount."""
    match = _AMOUNT.match(text.strip())
    if not match:
        return None
    try:
        return Decimal(match.group(1).replace(",", "") + "." + (match.group(2) or "00"))
    except InvalidOperation:
        return None


def limit(text: str | None) -> str:
    """A coverage limit for people: ``100,000/300,000`` → ``$100,000 / $300,000``.

    Anything that is not a list of amounts (``Included``, ``Actual cash value``) is kept as given.
    """
    if text is None or not text.strip():
        return "—"
    parts = [p.strip() for p in text.split("/")]
    amounts = [parse_amount(p) for p in parts]
    if all(a is not None for a in amounts):
        return " / ".join(whole_dollars(a) for a in amounts if a is not None)
    return text.strip()


def deductible(text: str | None, *, percent_of: tuple[str, Decimal] | None = None) -> str:
    """A deductible: ``500`` → ``$500``; ``2%`` → ``2% of Coverage A ($7,000)`` given the base.

    ``percent_of`` is (name of the base coverage, its limit) for percentage deductibles such as
    wind/hail on a home, where the dollar figure is what the policyholder actually pays.
    """
    if text is None or not text.strip():
        return "—"
    raw = text.strip()
    if raw.endswith("%"):
        try:
            pct = Decimal(raw[:-1].strip())
        except InvalidOperation:
            return raw
        if percent_of is None:
            return f"{pct.normalize():f}%"
        base_name, base_limit = percent_of
        share = (base_limit * pct / Decimal(100)).quantize(Decimal("1"))
        return f"{pct.normalize():f}% of {base_name} ({whole_dollars(share)})"
    amount = parse_amount(raw)
    return whole_dollars(amount) if amount is not None else raw
