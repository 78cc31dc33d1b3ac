"""Money as policyholders and staff read it, the one way: ``$1,234.50``, ``-$84.00``, ``$350,000``.

Amounts are ``Decimal`` dollars everywhere in the product; this module only writes them.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

CENT = Decimal("0.01")


def money(amount: Decimal) -> str:
    """Dollars and cents with thousands separators: ``$1,234.50``; negative ``-$84.00``."""
    quantized = amount.quantize(CENT)
    sign = "-" if quantized < 0 else ""
    return f"{sign}${abs(quantized):,.2f}"


def whole_dollars(amount: Decimal) -> str:
    """Limits and deductibles: ``$350,000``, with cents only when there are some."""
    if amount == amount.to_integral_value():
        sign = "-" if amount < 0 else ""
        return f"{sign}${abs(amount):,.0f}"
    return money(amount)


def money_text(text: str) -> str | None:
    """A decimal string from a wire payload (``"412.50"``) written as money, or ``None``."""
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return None
    return money(amount) if amount.is_finite() else None
