"""VIN check digits and the phone-number allocation scheme."""

from __future__ import annotations

import random

import phonenumbers
from hypothesis import given
from hypothesis import strategies as st

from pas_sandbox.phones import PhoneBook
from pas_sandbox.reference_data import CITIES
from pas_sandbox.vin import VIN_ALPHABET, build_vin, check_digit, is_valid_vin, model_year_code


def test_a_published_vin_checks_out() -> None:
    # The worked example from 49 CFR 565 guides: check digit X.
    assert is_valid_vin("1M8GDM9AXKP042788")
    assert check_digit("1M8GDM9AXKP042788") == "X"
    assert not is_valid_vin("1M8GDM9A1KP042788")
    assert not is_valid_vin("1M8GDM9AXKP04278")  # 16 characters
    assert not is_valid_vin("1M8GDM9AXKP04278O")  # letter O is never used


def test_model_year_codes_follow_the_thirty_year_cycle() -> None:
    assert [model_year_code(y) for y in (2009, 2010, 2017, 2021, 2026, 2030)] == [
        "9",
        "A",
        "H",
        "M",
        "T",
        "Y",
    ]


vin_chars = st.sampled_from(VIN_ALPHABET)


@given(
    wmi=st.text(vin_chars, min_size=3, max_size=3),
    descriptor=st.text(vin_chars, min_size=5, max_size=5),
    year=st.integers(1980, 2039),
    plant=vin_chars,
    serial=st.text(vin_chars, min_size=6, max_size=6),
)
def test_every_built_vin_is_valid_and_a_changed_character_is_caught(
    wmi: str,
    descriptor: str,
    year: int,
    plant: str,
    serial: str,
) -> None:
    vin = build_vin(wmi, descriptor, year, plant, serial)
    assert is_valid_vin(vin)
    assert vin[9] == model_year_code(year)
    # Changing one serial digit to another value with a different weight product breaks it.
    position = 16  # weight 2: any change of value changes the sum mod 11
    replacement = next(
        c for c in "0123456789" if c != vin[position] and (int(c) - _value(vin[position])) % 11 != 0
    )
    assert not is_valid_vin(vin[:position] + replacement)


def _value(ch: str) -> int:
    return (
        int(ch)
        if ch.isdigit()
        else {
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
        }[ch]
    )


def test_every_area_code_in_the_table_gives_valid_us_numbers() -> None:
    for city in CITIES:
        for code in city.area_codes:
            number = phonenumbers.parse(f"+1{code}5550100")
            assert phonenumbers.is_valid_number(number), (city.name, code)
            assert phonenumbers.region_code_for_number(number) == "US", code


def test_numbers_stay_unique_and_valid_past_the_fictional_range() -> None:
    reserved = {"+15125550101"}
    book = PhoneBook(reserved=reserved)
    capacity = 100 * len({c for city in CITIES for c in city.area_codes})
    rng = random.Random(1)
    austin = next(c for c in CITIES if c.name == "Austin")
    issued = [book.allocate(rng, austin) for _ in range(capacity + 500)]
    assert len(set(issued)) == len(issued)
    assert not set(issued) & reserved
    fictional = [p for p in issued if 100 <= int(p[-4:]) <= 199]
    assert issued[: len(fictional)] == fictional  # every fictional number goes first
    assert len(fictional) == capacity - 1  # all of them but the reserved one
    assert issued[0][2:5] in austin.area_codes
    overflow = issued[len(fictional) :]
    assert all(p[2:5] in austin.area_codes and int(p[-4:]) >= 200 for p in overflow)
    assert all(phonenumbers.is_valid_number(phonenumbers.parse(p)) for p in overflow[:50])
