"""Redaction of handoff summaries: property tests over generated personal data."""

from __future__ import annotations

import re
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from bot.conversation.redaction import luhn_valid, redact

words = st.text(alphabet="abcdefghijklmnopqrstuvwxyz ,?!'", max_size=40)


def luhn_complete(body: str) -> str:
    for check in "0123456789":
        if luhn_valid(body + check):
            return body + check
    raise AssertionError("unreachable: one check digit always fits")


@st.composite
def card_numbers(draw) -> str:
    length = draw(st.sampled_from([15, 16, 19]))
    body = draw(st.text(alphabet="0123456789", min_size=length - 1, max_size=length - 1))
    number = luhn_complete(draw(st.sampled_from("3456")) + body[1:])
    sep = draw(st.sampled_from(["", " ", "-"]))
    return sep.join(number[i : i + 4] for i in range(0, len(number), 4))


@st.composite
def birth_dates(draw) -> str:
    d = draw(st.dates(min_value=date(1920, 1, 1), max_value=date(2008, 12, 31)))
    form = draw(
        st.sampled_from(
            [
                "{d.month}/{d.day}/{d.year}",
                "{d.month:02d}-{d.day:02d}-{d.year}",
                "{d.year}-{d.month:02d}-{d.day:02d}",
                "{d:%B} {d.day} {d.year}",
                "{d:%b} {d.day}, {d.year}",
                "{d.day} {d:%B} {d.year}",
                "{d.month:02d}{d.day:02d}{d.year}",
            ]
        )
    )
    return form.format(d=d)


policy_numbers = st.builds(
    lambda prefix, n, sep: f"{prefix}{sep}{n}",
    st.sampled_from(["AUT", "HOM", "REN", "aut"]),
    st.integers(1000000, 9999999),
    st.sampled_from(["-", " ", ""]),
)
claim_numbers = st.integers(10000000, 99999999).map(lambda n: f"CLM-{n}")
codes = st.integers(0, 999999).map(lambda n: f"{n:06d}")
phones = st.builds(
    lambda area, line, fmt: fmt.format(a=area, l=line),
    st.integers(201, 989),
    st.integers(0, 9999).map(lambda n: f"{n:04d}"),
    st.sampled_from(["({a}) 555-{l}", "{a}-555-{l}", "+1{a}555{l}", "{a}.555.{l}"]),
)
secrets_ = st.one_of(card_numbers(), birth_dates(), policy_numbers, claim_numbers, codes, phones)


def digits_of(value: str) -> str:
    return re.sub(r"\D", "", value)


@given(before=words, secret=secrets_, after=words)
def test_no_digit_of_personal_data_survives(before, secret, after):
    redacted = redact(f"{before} {secret} {after}")
    assert not re.search(r"\d{4}", redacted), redacted
    assert digits_of(secret) not in digits_of(redacted)


@given(text=words)
def test_text_without_digits_is_unchanged(text):
    assert redact(text) == text


@given(before=words, secret=secrets_, after=words)
def test_redaction_is_idempotent(before, secret, after):
    once = redact(f"{before} {secret} {after}")
    assert redact(once) == once


@given(card=card_numbers())
def test_luhn_valid_cards_become_card_marker(card):
    assert redact(f"my card is {card}") == "my card is [CARD]"


@given(dollars=st.integers(0, 9999), cents=st.integers(0, 99))
def test_payment_amounts_stay_readable(dollars, cents):
    text = f"I want to pay ${dollars:,}.{cents:02d} today"
    assert redact(text) == text


def test_words_around_the_data_stay_for_staff():
    redacted = redact("my dob is april 12 1985, policy AUT-1000001, card 4242 4242 4242 4242")
    assert redacted == "my dob is [DATE], policy [POLICY], card [CARD]"
