"""The handoff summary builder: one test per rule (bot/conversation/handoff_summary.py)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.conversation.handoff_summary import (
    ASKED_CHARS,
    ASKED_MESSAGES,
    FRUSTRATION_WORDS,
    LEFT_BY_REASON,
    LEFT_OTHERWISE,
    URGENT_WORDS,
    ConversationRecord,
    HandoffSummary,
    Said,
    TaskDone,
    build_summary,
    lexicon_words,
    whisper_text,
)
from bot.conversation.tasks import ROUTED

RECORD = ConversationRecord(
    reason="coverage_question",
    task="coverage_question",
    assurance="verified",
    policy_number="AUT-1000001",
    said=[Said("am I covered for hail?", "coverage_question")],
    done=[],
    channel="sms",
)


def summary(**changes: object) -> HandoffSummary:
    return build_summary(replace(RECORD, **changes))  # type: ignore[arg-type]


def test_who_is_the_assurance_level_and_the_policy_masked_like_everywhere_else() -> None:
    built = summary()
    assert (built.assurance, built.policy) == ("verified", "AUT-****001")
    assert summary(assurance="mfa").assurance == "mfa"


def test_an_anonymous_person_has_no_policy_in_the_summary() -> None:
    built = summary(assurance="anonymous", policy_number=None)
    assert (built.assurance, built.policy) == ("anonymous", None)


def test_asked_keeps_their_own_words_and_leaves_out_greetings_answers_and_buttons() -> None:
    said = [
        Said("hi there", "greet"),
        Said("what's my balance", "check_balance"),
        Said("AUT-1000001", "inform"),
        Said("/affirm", "affirm"),
        Said("yes", "affirm"),
        Said("does my policy cover a cracked windshield", "coverage_question"),
        Said("thanks", "thank"),
    ]
    assert summary(said=said).asked == (
        "what's my balance",
        "does my policy cover a cracked windshield",
    )


def test_asked_never_holds_a_date_of_birth_zip_code_or_card_number() -> None:
    said = [
        Said("my birthday is 04/12/1985 and zip 78704", None),
        Said("the code is 123456", None),
        Said("pay with 4242 4242 4242 4242 on AUT-1000001 please", None),
    ]
    asked = " ".join(summary(said=said).asked)
    for secret in ("04/12/1985", "1985", "78704", "123456", "4242", "1000001"):
        assert secret not in asked
    assert "[DATE]" in asked and "[CODE]" in asked and "[CARD]" in asked


def test_a_message_with_no_words_left_after_redaction_is_not_asked() -> None:
    said = [Said("04/12/1985", None), Said("78704", None), Said("need a person", "human_handoff")]
    assert summary(said=said).asked == ("need a person",)


def test_asked_keeps_the_newest_messages_trimmed() -> None:
    said = [Said(f"question number {word}", None) for word in ("one", "two", "three", "four")]
    said.append(Said("why " * 100, None))
    asked = summary(said=said).asked
    assert len(asked) == ASKED_MESSAGES
    assert asked[:2] == ("question number three", "question number four")
    assert len(asked[-1]) == ASKED_CHARS and asked[-1].endswith("…")


def test_misunderstood_messages_are_kept_because_they_are_what_staff_need() -> None:
    said = [Said("my gutter fell on the neighbours car", "nlu_fallback")]
    built = summary(reason="repeated_misunderstanding", task="nlu_fallback", said=said)
    assert built.asked == ("my gutter fell on the neighbours car",)
    assert built.left == LEFT_BY_REASON["repeated_misunderstanding"]


def test_done_lists_the_tasks_already_handled_and_how_they_ended() -> None:
    done = [
        TaskDone("check_balance", "contained"),
        TaskDone("request_id_card", "failed", "pas_unavailable"),
    ]
    built = summary(done=done)
    assert [d.text for d in built.done] == ["your balance: done", "ID cards: could not finish"]


def test_left_says_what_every_routed_reason_leaves_to_the_person() -> None:
    reasons = {task.handoff_reason for task in ROUTED}
    assert reasons <= set(LEFT_BY_REASON)
    for reason in reasons:
        assert summary(reason=reason, task=None).left == LEFT_BY_REASON[reason]
    assert summary(reason="something_new", task=None).left == LEFT_OTHERWISE


def test_left_names_the_self_service_task_a_request_for_a_person_interrupted() -> None:
    built = summary(reason="requested_person", task="check_balance")
    assert built.left == "They asked for a person. Not finished: your balance."
    assert summary(reason="requested_person", task="human_handoff").left == (
        "They asked for a person."
    )


def test_a_routed_urgent_task_is_urgent_without_any_urgent_word() -> None:
    built = summary(reason="first_notice_of_loss", task="report_claim", urgent=True)
    assert built.urgent and built.urgent_words == ()


def test_injury_or_emergency_words_make_any_handoff_urgent() -> None:
    built = summary(said=[Said("my son is hurt and we called an ambulance", None)])
    assert built.urgent and built.urgent_words == ("ambulance", "hurt")


def test_a_negated_injury_word_is_not_urgent() -> None:
    for text in ("no one was hurt", "nobody got injured", "I wasn't hurt", "I’m not hurt"):
        assert not summary(said=[Said(text, None)]).urgent, text


def test_urgent_words_are_whole_words_only() -> None:
    # "hurtle" is not "hurt"; "fire damage" is a coverage question, not a house on fire
    built = summary(said=[Said("will the tree hurtle down? is fire damage covered", None)])
    assert not built.urgent


def test_frustration_words_set_the_frustrated_flag() -> None:
    built = summary(said=[Said("this bot is useless, I'm fed up", None)])
    assert built.frustrated and built.frustration_words == ("fed up", "useless")
    assert not summary().frustrated


def test_a_negated_frustration_word_is_no_flag() -> None:
    assert not summary(said=[Said("I'm not angry, just confused", None)]).frustrated


@pytest.mark.parametrize("word", URGENT_WORDS + FRUSTRATION_WORDS)
def test_every_lexicon_entry_is_found_in_a_sentence(word: str) -> None:
    lexicon = URGENT_WORDS if word in URGENT_WORDS else FRUSTRATION_WORDS
    assert lexicon_words([f"well {word.upper()} today"], lexicon) == (word,)


def test_flag_words_come_from_the_lexicon_never_from_their_text() -> None:
    built = summary(said=[Said("Maria at 12 Elm St is injured", None)])
    assert built.urgent_words == ("injured",)


def test_channel_is_the_conversation_channel() -> None:
    assert summary(channel="voice").channel == "voice"


def test_same_record_gives_the_same_summary() -> None:
    assert build_summary(RECORD) == build_summary(RECORD)


def test_the_json_form_reads_back_as_the_same_summary() -> None:
    built = summary(
        said=[Said("this is ridiculous, my wife is injured", None)],
        done=[TaskDone("check_balance", "contained")],
    )
    data = built.as_json()
    assert set(data) == {"who", "asked", "done", "left", "flags", "channel"}
    assert data["flags"] == {
        "urgent": True,
        "urgent_words": ["injured"],
        "frustrated": True,
        "frustration_words": ["ridiculous"],
    }
    assert HandoffSummary.from_json(data) == built


def test_the_whisper_says_flags_who_what_is_left_their_last_words_and_what_is_done() -> None:
    built = summary(
        reason="requested_person",
        task="check_balance",
        said=[Said("this is useless, my card 4242 4242 4242 4242 was refused", None)],
        done=[TaskDone("request_id_card", "contained")],
    )
    assert whisper_text(built) == (
        "Policyline handoff. The caller sounds upset. They proved who they are. Policy ends in "
        "0 0 1. They asked for a person. Not finished: your balance. They said: this is useless, "
        "my card a card number was refused. Already: ID cards, done."
    )


def test_the_whisper_for_an_unverified_caller_with_nothing_done_is_short() -> None:
    built = summary(
        reason="first_notice_of_loss",
        task="report_claim",
        assurance="anonymous",
        policy_number=None,
        said=[Said("I hit a deer on 04/12/2026", "report_claim")],
        urgent=True,
    )
    assert whisper_text(built) == (
        "Policyline handoff. Urgent. They did not prove who they are. Take the report of a new "
        "claim. They said: I hit a deer on a date."
    )
