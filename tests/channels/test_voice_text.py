"""Bot text rewritten for the ear: no links, symbols or emoji read aloud; money and dates spoken."""

from __future__ import annotations

import pytest

from channels.voice_text import keypad_hint, speak


@pytest.mark.parametrize(
    ("written", "spoken"),
    [
        ("$412.50", "412 dollars and 50 cents."),
        ("$1,234.00", "1234 dollars."),
        ("$1.01", "1 dollar and 1 cent."),
        ("$0.50", "50 cents."),
        ("$85", "85 dollars."),
        ("-$84.00", "minus 84 dollars."),
    ],
)
def test_amounts_are_said_in_dollars_and_cents(written, spoken):
    assert speak(written) == spoken


@pytest.mark.parametrize(
    ("written", "spoken"),
    [
        ("due Dec 5, 2026", "due December 5th, 2026."),
        ("due 2026-12-05", "due December 5th, 2026."),
        ("due 12/01/2026", "due December 1st, 2026."),
        ("on March 22 2027", "on March 22nd, 2027."),
        ("as of Dec 4, 2:41 PM", "as of December 4th, 2:41 PM."),
        ("opened 2026-11-13", "opened November 13th, 2026."),
    ],
)
def test_dates_are_spoken(written, spoken):
    assert speak(written) == spoken


def test_links_are_never_read_aloud():
    said = speak(
        "Here's your ID card: https://app.policyline.example/d/AbC123?sig=x_y (expires in 15 "
        "minutes). Find it anytime at www.policyline.example/help."
    )
    assert "http" not in said and "www" not in said and "sig" not in said
    assert said == "Here's your ID card (expires in 15 minutes). Find it anytime."


def test_markdown_links_keep_their_words():
    assert speak("See [your documents](https://x.example/d) today.") == (
        "See your documents today."
    )


def test_emoji_and_decorative_symbols_are_dropped():
    said = speak("✅ Payment received! 🎉 Thanks • **Adjuster:** Jane Doe ➡️ next step")
    assert said == "Payment received! Thanks Adjuster: Jane Doe next step."


def test_symbols_become_words():
    assert speak("ID card/declarations & 100% of claims") == (
        "ID card or declarations and 100 percent of claims."
    )


def test_identifiers_are_read_digit_by_digit_and_masked_ones_say_only_the_end():
    assert speak("Policy AUT-1000001") == "Policy A U T, 1 0 0 0 0 0 1."
    assert speak("claim CLM-50000001") == "claim C L M, 5 0 0 0 0 0 0 1."
    assert speak("policy AUT-****001") == "policy A U T ending in 0 0 1."
    assert speak("card ending ***0101") == "card ending in 0 1 0 1."
    assert speak("phone ***01 on file") == "phone ending in 0 1 on file."


def test_phone_numbers_are_read_in_groups():
    assert speak("Call (800) 555-0100 or +18005550199.") == (
        "Call 8 0 0, 5 5 5, 0 1 0 0 or 8 0 0, 5 5 5, 0 1 9 9."
    )


def test_plain_sentences_are_left_alone():
    assert speak("Your claim is with an adjuster, who will call you.") == (
        "Your claim is with an adjuster, who will call you."
    )


@pytest.mark.parametrize(
    ("question", "hint_word"),
    [
        ("What's your date of birth?", "8 digits"),
        ("And your ZIP code?", "5 digits"),
        ("What's your policy number?", "7 digits"),
    ],
)
def test_questions_for_numbers_get_a_keypad_hint(question, hint_word):
    hint = keypad_hint(question)
    assert hint is not None and hint_word in hint


def test_statements_get_no_keypad_hint():
    assert keypad_hint("Thanks, your date of birth matches.") is None
    assert keypad_hint("Anything else?") is None


def test_typed_date_format_hints_are_not_read_aloud():
    assert speak("What's your date of birth? (MM/DD/YYYY)") == "What's your date of birth?"
