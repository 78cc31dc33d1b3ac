"""Long answers are split into numbered parts of at most 320 characters, at natural boundaries."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from channels.sms_splitting import split_sms

NUMBERED = re.compile(r"^\((\d+)/(\d+)\) ")


def test_a_message_that_fits_is_sent_as_is_without_numbering():
    text = "Your balance is $412.50, due Dec 5, 2026. " * 7  # 294 characters
    assert split_sms(text) == [text.strip()]


def test_a_message_of_exactly_the_limit_is_one_part():
    assert split_sms("x" * 320) == ["x" * 320]


def test_an_empty_message_has_no_parts():
    assert split_sms("   \n ") == []


def test_parts_break_between_sentences_when_possible():
    sentences = [f"Sentence number {i} says something useful about your policy." for i in range(12)]
    parts = split_sms(" ".join(sentences))
    for part in parts:
        body = NUMBERED.sub("", part)
        assert body.endswith("."), part
        assert body.startswith("Sentence number"), part


def test_a_link_is_never_cut():
    url = "https://app.policyline.example/d/" + "t" * 120
    text = ("Here is a long explanation of your coverage. " * 5) + f"Your card: {url} " + "Thanks."
    parts = split_sms(text)
    assert len(parts) > 1
    assert sum(url in part for part in parts) == 1


def test_a_word_longer_than_a_part_is_cut_hard_rather_than_overflowing():
    parts = split_sms("z" * 1000)
    assert all(len(p) <= 320 for p in parts)
    assert "".join(NUMBERED.sub("", p) for p in parts) == "z" * 1000


words = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Zs", "Cc")), min_size=1, max_size=40
)


@given(st.lists(st.tuples(words, st.sampled_from([" ", ". ", "\n", "! ", "\n\n"])), max_size=120))
def test_every_part_fits_is_numbered_in_order_and_no_word_is_lost(pieces):
    text = "".join(w + sep for w, sep in pieces)
    parts = split_sms(text)
    assert all(len(p) <= 320 for p in parts)
    if len(parts) > 1:
        numbers = [NUMBERED.match(p) for p in parts]
        assert all(numbers)
        assert [(int(m.group(1)), int(m.group(2))) for m in numbers] == [
            (i, len(parts)) for i in range(1, len(parts) + 1)
        ]
        bodies = [NUMBERED.sub("", p) for p in parts]
    else:
        bodies = parts
    assert "".join("".join(bodies).split()) == "".join(text.split())
