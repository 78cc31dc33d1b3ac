"""Misses in a row (the human-exit rule): what counts as a miss before the message handled now."""

from __future__ import annotations

from actions.base import earlier_misses_in_a_row
from tests.actions.conftest import JOSE, Conversation


def _form_misses(talk: Conversation, value: float) -> Conversation:
    talk.events.append({"event": "slot", "name": "form_misses", "value": value})
    return talk


def test_two_messages_not_understood_before_this_one_are_two_misses():
    talk = Conversation(phone=JOSE.phone).user("qwrt zxv", "nlu_fallback")
    talk.user("asdf ghj", "nlu_fallback").user("and now?", "nlu_fallback")
    assert earlier_misses_in_a_row(talk.tracker()) == 2


def test_an_answer_the_form_could_not_use_is_a_miss_whatever_its_intent():
    talk = Conversation(phone=JOSE.phone).user("sometime in spring", "inform")
    _form_misses(talk, 1.0).user("hmm", "nlu_fallback")
    assert earlier_misses_in_a_row(talk.tracker()) == 1


def test_a_message_read_as_not_understood_but_taken_as_the_answer_is_no_miss():
    # "auto policy" read as nlu_fallback but taken as the choice of policy (form_misses back to 0)
    talk = Conversation(phone=JOSE.phone).user("auto policy", "nlu_fallback")
    _form_misses(talk, 0.0).user("fifty-ish?", "nlu_fallback")
    assert earlier_misses_in_a_row(talk.tracker()) == 0


def test_the_count_stops_at_the_first_understood_message():
    talk = Conversation(phone=JOSE.phone).user("gibberish", "nlu_fallback")
    talk.user("what's my balance", "check_balance").user("blah", "nlu_fallback")
    talk.user("and again", "nlu_fallback")
    assert earlier_misses_in_a_row(talk.tracker()) == 1
