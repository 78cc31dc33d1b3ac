"""A reply while "Which one?" waits: the choice, unless it clearly asks for something else."""

from __future__ import annotations

import pytest

from bot.conversation.pending_choice import asks_something_else


@pytest.mark.parametrize(
    ("reply", "intent", "pending"),
    [
        ("homeowners", "get_quote", "request_declarations"),  # a line word read as a quote
        ("auto", "autopay_status", "request_id_card"),
        ("the car", "request_id_card", "request_declarations"),  # "car" is not "card"
        ("my truck", "change_policy", "check_balance"),
        ("the hail claim", "report_claim", "claim_status"),
        ("the cancelled one", "autopay_cancel", "request_declarations"),  # a status, not a verb
        ("pay the house one", "make_payment", "make_payment"),  # the waiting task's own verb
        ("the second", "nlu_fallback", "make_payment"),
        ("get me the condo one", "get_quote", "policy_summary"),
        # the NLU reads polite replies as a handoff: asking for a person is read from the words
        ("the auto", "human_handoff", "check_balance"),
        ("the hail damage one if you could", "human_handoff", "claim_status"),
        ("can i have the home one", "autopay_cancel", "check_balance"),  # "can" is not "cancel"
    ],
)
def test_a_reply_that_only_chooses_is_the_choice(reply, intent, pending):
    assert not asks_something_else(reply, intent, pending)


@pytest.mark.parametrize(
    ("reply", "intent", "pending"),
    [
        ("I want a quote for homeowners", "get_quote", "request_declarations"),
        ("pay the house one", "make_payment", "request_id_card"),
        ("balance on the house", "check_balance", "request_declarations"),
        ("update my address on the house", "change_policy", "request_declarations"),
        ("home, and also cancel my autopay", "autopay_cancel", "check_balance"),
        ("the home one, actually get me an agent", "inform", "check_balance"),
        ("real person please", "nlu_fallback", "make_payment"),
        ("start over", "inform", "make_payment"),
        ("never mind the car", "inform", "request_id_card"),
        ("stop", "deny", "request_id_card"),
        ("the house one, can i talk to someone", "human_handoff", "check_balance"),
        ("just transfer me", "human_handoff", "make_payment"),
        ("can I speak with a rep about the car", "inform", "check_balance"),
    ],
)
def test_a_person_start_over_stop_or_another_task_in_words_is_something_else(
    reply, intent, pending
):
    assert asks_something_else(reply, intent, pending)
