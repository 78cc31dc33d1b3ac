"""Payment amounts: exactly one well-formed positive amount is read, everything else is refused
with a reason (never rounded, re-signed or guessed), and the check bounds it by the balance."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.conversation.answers.billing import amount_problem_text
from bot.conversation.user_input import (
    AmountProblem,
    amount_request_text,
    parse_amount,
    read_amount,
)
from bot.payments.amounts import check_amount
from tests.conversation.test_answers import billing

MARIA = billing(balance=Decimal("412.50"), past_due=Decimal("0.00"))
PRIYA = billing(
    policy_number="REN-3000001",
    balance=Decimal("144.00"),
    minimum_due=Decimal("144.00"),
    past_due=Decimal("96.00"),
    status="past_due",
)

# Positive amounts with at most two decimals, small enough to be a bill.
amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999999.99"), places=2)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$1,234.50", Decimal("1234.50")),
        ("1234.5", Decimal("1234.50")),
        ("96", Decimal("96.00")),
        ("$96", Decimal("96.00")),
        ("96 dollars", Decimal("96.00")),
        ("80 bucks", Decimal("80.00")),
        ("all", "full"),
        ("full", "full"),
        ("the whole thing", "full"),
        ("the past-due part", "past_due"),
        ("past due amount", "past_due"),
        # and more ways people write one amount
        ("FULL", "full"),
        ("pay the whole balance", "full"),
        ("the overdue amount", "past_due"),
        ("the whole past-due amount", "past_due"),
        ("$ 96", Decimal("96.00")),
        ("$96.5", Decimal("96.50")),
        ("1,000,000", Decimal("1000000.00")),
        ("I'll pay 75.25 today", Decimal("75.25")),
        ("$50.", Decimal("50.00")),
        ("$50, thanks", Decimal("50.00")),
        ("$50 - yes, 50.00", Decimal("50.00")),
        ("fifty bucks", Decimal("50.00")),
        ("one hundred and twenty five dollars", Decimal("125.00")),
        ("ninety six dollars and fifty cents", Decimal("96.50")),
        ("50 cents", Decimal("0.50")),
        ("$96 for REN-3000001", Decimal("96.00")),
        ("$50 on the 1st", Decimal("50.00")),
        ("$50 on 12/15", Decimal("50.00")),
        ("just the minimum", "minimum"),
        ("min payment pls", "minimum"),
        ("the minimum due", "minimum"),
    ],
)
def test_one_well_formed_amount_is_read_exactly(text, expected):
    assert read_amount(text) == expected
    assert parse_amount(text) == expected


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("-5", AmountProblem.NOT_POSITIVE),
        ("$-1", AmountProblem.NOT_POSITIVE),
        ("1e2", AmountProblem.MALFORMED),
        ("12.345", AmountProblem.TOO_PRECISE),
        ("50.5.5", AmountProblem.MALFORMED),
        ("144.004", AmountProblem.TOO_PRECISE),
        ("1,23", AmountProblem.MALFORMED),
        ("$50 or $60", AmountProblem.SEVERAL),
        ("0", AmountProblem.NOT_POSITIVE),
        # and more that must be refused
        ("$0.00", AmountProblem.NOT_POSITIVE),
        ("-$5", AmountProblem.NOT_POSITIVE),
        ("- 5", AmountProblem.NOT_POSITIVE),  # Rasa's tokenizer splits this dash off
        ("\u22125", AmountProblem.NOT_POSITIVE),  # a typographic minus sign
        ("minus five", AmountProblem.NOT_POSITIVE),
        ("negative 20 dollars", AmountProblem.NOT_POSITIVE),
        ("1E+2", AmountProblem.MALFORMED),
        ("1.5e3", AmountProblem.MALFORMED),
        ("100k", AmountProblem.MALFORMED),
        ("50%", AmountProblem.MALFORMED),
        (".5", AmountProblem.MALFORMED),
        ("1,2345", AmountProblem.MALFORMED),
        ("12,34.50", AmountProblem.MALFORMED),
        ("USD50", AmountProblem.MALFORMED),
        ("12.340", AmountProblem.TOO_PRECISE),
        ("50 and 60", AmountProblem.SEVERAL),
        ("the full $412.50", AmountProblem.SEVERAL),
        ("$96 past due", AmountProblem.SEVERAL),
        ("", AmountProblem.MISSING),
        ("no idea", AmountProblem.MISSING),
        ("\u0665\u0660", AmountProblem.MISSING),  # Arabic-Indic digits are not read as 50
    ],
)
def test_anything_else_is_refused_with_its_reason(text, problem):
    assert read_amount(text) is problem
    assert parse_amount(text) is None


def _written(amount: Decimal, style: int) -> str:
    plain = f"{amount:.2f}"
    return [
        plain,
        f"${amount:,.2f}",
        f"{plain} dollars",
        f"$ {plain}.",
        f"{amount:,.2f} bucks",
        plain.removesuffix(".00") if plain.endswith(".00") else plain,
    ][style]


@given(amounts, st.integers(min_value=0, max_value=5))
def test_any_positive_amount_with_two_decimals_reads_back_unchanged(amount, style):
    assert read_amount(_written(amount, style)) == amount


@given(amounts, st.sampled_from(["-{}", "$-{}", "-${}", "- {}", "minus {}", "\u2212{}"]))
def test_a_minus_sign_is_never_dropped(amount, layout):
    assert read_amount(layout.format(f"{amount:.2f}")) is AmountProblem.NOT_POSITIVE


@given(amounts, st.integers(min_value=0, max_value=9999))
def test_more_than_two_decimals_is_never_rounded(amount, extra):
    assert read_amount(f"${amount:.2f}{extra}") is AmountProblem.TOO_PRECISE


@given(
    st.integers(min_value=1, max_value=999),
    st.sampled_from(["e", "E", "e+", "e-", "E-"]),
    st.integers(min_value=0, max_value=20),
)
def test_scientific_notation_is_refused(mantissa, marker, exponent):
    assert read_amount(f"{mantissa}{marker}{exponent}") is AmountProblem.MALFORMED


@given(amounts, amounts, st.sampled_from(["{} or {}", "${} and ${}", "{}, no wait, {}"]))
def test_two_different_amounts_in_one_answer_are_refused(first, second, layout):
    answer = read_amount(layout.format(first, second))
    if first == second:
        assert answer == first  # the same amount said twice is still one amount
    else:
        assert answer is AmountProblem.SEVERAL


@given(st.one_of(amounts, st.sampled_from(["full", "past_due"])))
def test_the_slot_form_of_a_request_reads_back_to_the_same_request(request):
    assert read_amount(amount_request_text(request)) == request


@given(st.text(max_size=60))
def test_any_text_reads_as_a_positive_two_decimal_amount_a_word_or_a_problem(text):
    answer = read_amount(text)
    if isinstance(answer, Decimal):
        assert answer > 0 and answer.as_tuple().exponent == -2  # exactly two decimals
    else:
        assert isinstance(answer, AmountProblem) or answer in ("full", "past_due")


def test_each_problem_has_a_reply_that_asks_again():
    for problem in AmountProblem:
        assert "Please reply with one amount" in amount_problem_text(problem)


# --- the check against billing -------------------------------------------------------------


def test_full_is_the_balance_and_past_due_the_past_due_amount():
    assert (check_amount("full", PRIYA).ok, check_amount("full", PRIYA).amount) == (
        True,
        Decimal("144.00"),
    )
    past_due = check_amount(read_amount("the past-due part"), PRIYA)
    assert (past_due.ok, past_due.amount) == (True, Decimal("96.00"))


def test_past_due_is_refused_when_nothing_is_past_due():
    check = check_amount("past_due", MARIA)
    assert not check.ok
    assert check.message is not None and "Nothing is past due" in check.message
    assert "$412.50" in check.message


@pytest.mark.parametrize(
    ("requested", "words"),
    [
        (Decimal("-5.00"), "more than $0.00"),
        (Decimal("0.00"), "more than $0.00"),
        (Decimal("12.345"), "two digits after the decimal point"),
        (Decimal("412.51"), "more than your balance of $412.50"),
        (read_amount("1" * 40), "more than your balance of $412.50"),  # no overflow either
        (AmountProblem.MALFORMED, "couldn't read that as an amount"),
        (AmountProblem.SEVERAL, "which amount you mean"),
    ],
)
def test_the_check_refuses_and_never_rounds(requested, words):
    check = check_amount(requested, MARIA)
    assert (check.ok, check.amount) == (False, None)
    assert check.message is not None and words in check.message


@given(amounts)
def test_any_amount_up_to_the_balance_is_charged_exactly(amount):
    check = check_amount(amount, MARIA)
    assert check.ok is (amount <= MARIA.balance)
    assert check.amount == (amount if amount <= MARIA.balance else None)


@given(st.decimals(min_value=Decimal("0.001"), max_value=Decimal("412.50"), places=4))
def test_an_amount_with_more_than_two_decimals_is_never_charged(amount):
    check = check_amount(amount, MARIA)
    assert check.ok is (amount == amount.quantize(Decimal("0.01")))


def test_the_minimum_pays_the_minimum_due_or_the_balance_when_there_is_none():
    maria = billing(balance=Decimal("412.50"), minimum_due=Decimal("206.25"))
    assert check_amount("minimum", maria).amount == Decimal("206.25")
    no_minimum = billing(balance=Decimal("80.00"), minimum_due=Decimal("0.00"))
    assert check_amount("minimum", no_minimum).amount == Decimal("80.00")
    assert read_amount(amount_request_text("minimum")) == "minimum"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I'd like to put a hundred and fifty on the house", Decimal("150.00")),
        ("a hundred and fifty", Decimal("150.00")),
        ("two hundred twenty five", Decimal("225.00")),
        ("two hundred and fifty dollars and twenty five cents", Decimal("250.25")),
        ("fifteen hundred", Decimal("1500.00")),
        ("one thousand two hundred", Decimal("1200.00")),
        ("a thousand and fifty", Decimal("1050.00")),
        ("a grand", Decimal("1000.00")),
        ("two grand toward the bill", Decimal("2000.00")),
        ("3 grand", Decimal("3000.00")),
        ("hundred bucks", Decimal("100.00")),
        ("eighty bucks on the car", Decimal("80.00")),
        ("thirty-five dollars", Decimal("35.00")),
    ],
)
def test_an_amount_in_words_is_read_as_one_cardinal(text, expected):
    assert read_amount(text) == expected


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        # said for either of two amounts ($150 or $1.50, $1,250 or $12.50): asked again
        ("one fifty", AmountProblem.SEVERAL),
        ("twelve fifty", AmountProblem.SEVERAL),
        ("fifty sixty", AmountProblem.SEVERAL),
        ("one oh five", AmountProblem.SEVERAL),
        # vague, or no exact amount
        ("a couple hundred", AmountProblem.MALFORMED),
        ("a few grand", AmountProblem.MALFORMED),
        ("one and a half", AmountProblem.MALFORMED),
        ("half a grand", AmountProblem.MALFORMED),
        ("1.5k", AmountProblem.MALFORMED),
    ],
)
def test_an_amount_in_words_that_says_two_amounts_or_a_vague_one_is_refused(text, problem):
    assert read_amount(text) is problem


@pytest.mark.parametrize("text", ["the car one", "that one", "one", "the other one please"])
def test_one_as_a_pronoun_is_no_amount(text):
    assert read_amount(text) is AmountProblem.MISSING


def test_one_dollar_is_an_amount():
    assert read_amount("one dollar") == Decimal("1.00")
