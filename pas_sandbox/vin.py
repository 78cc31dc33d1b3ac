"""Vehicle identification numbers with a correct North American check digit (49 CFR 565).

A VIN is WMI (3) + vehicle descriptor (5) + check digit (position 9) + model-year code
(position 10) + plant (position 11) + serial (6). Letters I, O and Q never appear.
"""

from __future__ import annotations

import random

VIN_ALPHABET = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
_TRANSLITERATION = {
    **{str(d): d for d in range(10)},
    "A": 1,
    "B": 2,
    "C": 3,
    "D": 4,
    "E": 5,
    "F": 6,
    "G": 7,
    "H": 8,
    "J": 1,
    "K": 2,
    "L": 3,
    "M": 4,
    "N": 5,
    "P": 7,
    "R": 9,
    "S": 2,
    "T": 3,
    "U": 4,
    "V": 5,
    "W": 6,
    "X": 7,
    "Y": 8,
    "Z": 9,
}
_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
# Model-year codes repeat every 30 years; 2010 restarts the letter cycle at "A".
_YEAR_CODES = "ABCDEFGHJKLMNPRSTVWXY123456789"


def model_year_code(year: int) -> str:
    """The position-10 character for a model year (1980-2039)."""
    if not 1980 <= year <= 2039:
        raise ValueError(f"model year out of range: {year}")
    return _YEAR_CODES[(year - 1980) % 30]


def check_digit(vin: str) -> str:
    """The position-9 check character of a 17-character VIN (position 9 itself is ignored)."""
    if len(vin) != 17:
        raise ValueError("a VIN has 17 characters")
    total = sum(_TRANSLITERATION[ch] * weight for ch, weight in zip(vin, _WEIGHTS, strict=True))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def is_valid_vin(vin: str) -> bool:
    """True when ``vin`` has 17 allowed characters and a matching check digit."""
    if len(vin) != 17 or any(ch not in VIN_ALPHABET for ch in vin):
        return False
    return vin[8] == check_digit(vin)


def build_vin(wmi: str, descriptor: str, year: int, plant: str, serial: str) -> str:
    """Assemble a VIN from its parts and fill in the check digit."""
    body = f"{wmi}{descriptor}0{model_year_code(year)}{plant}{serial}"
    if len(body) != 17 or any(ch not in VIN_ALPHABET for ch in body):
        raise ValueError(f"malformed VIN parts: {body!r}")
    return body[:8] + check_digit(body) + body[9:]


def random_vin(rng: random.Random, wmi: str, year: int) -> str:
    """A VIN for a vehicle of manufacturer ``wmi`` and model ``year``, drawn from ``rng``."""
    letters = VIN_ALPHABET
    descriptor = "".join(rng.choice(letters) for _ in range(5))
    plant = rng.choice(letters[:24])
    serial = f"{rng.randrange(1_000_000):06d}"
    return build_vin(wmi, descriptor, year, plant, serial)
