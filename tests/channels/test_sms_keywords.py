"""Compliance keywords are recognised as whole messages; plain-language opt-outs anywhere."""

from __future__ import annotations

import pytest

from channels.sms_keywords import SmsKeyword, classify_sms_keyword


@pytest.mark.parametrize(
    "text",
    [
        "STOP",
        "stop",
        " Stop! ",
        "STOPALL",
        "unsubscribe",
        "END",
        "Quit.",
        "cancel",
        "REVOKE",
        "optout",
        "OptOut",
    ],
)
def test_opt_out_keywords_as_a_whole_message(text):
    assert classify_sms_keyword(text) is SmsKeyword.OPT_OUT


@pytest.mark.parametrize(
    "text",
    [
        "stop texting me",
        "STOP TEXTING ME",
        "dont text me anymore",
        "don’t text me",
        "do not message me",
        "please unsubscribe me",
        "opt me out",
        "take me off your list",
        "quit sending me texts",
        "I said stop messaging me",
        "no more messages",
    ],
)
def test_plain_language_opt_outs(text):
    assert classify_sms_keyword(text) is SmsKeyword.OPT_OUT


@pytest.mark.parametrize(
    "text",
    [
        "cancel my autopay",
        "Cancel autopay please",
        "stop my autopay",
        "how do I stop payment",
        "end of month",
        "can you text me my ID card",
        "help me pay my bill",
        "yes",
        "information",
        "I want to quit smoking discount",
        "STOP SIGN hit my car",
    ],
)
def test_ordinary_requests_are_not_keywords(text):
    assert classify_sms_keyword(text) is None


def test_yes_opts_in_only_an_opted_out_number():
    assert classify_sms_keyword("YES") is None
    assert classify_sms_keyword("YES", opted_out=True) is SmsKeyword.OPT_IN


@pytest.mark.parametrize("text", ["START", "start", "Unstop"])
def test_start_and_unstop_opt_in(text):
    assert classify_sms_keyword(text) is SmsKeyword.OPT_IN


@pytest.mark.parametrize("text", ["HELP", "help", "Info", "help."])
def test_help_and_info(text):
    assert classify_sms_keyword(text) is SmsKeyword.HELP
