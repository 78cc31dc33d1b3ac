"""The conversation list and transcripts, read from a tracker database Rasa itself wrote."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.conversation.outcomes import Outcome
from bot.transcripts.conversations import ConversationArchive, ConversationFilter, InvalidFilter
from tests.staff.tracker_writer import Script
from tests.staff.world import BASE, DOC_TOKEN, World, us_date
from tests.support.app_database import upgrade

ALL = ConversationFilter()


def ids(archive: ConversationArchive, filters: ConversationFilter) -> list[str]:
    return [c.conversation_id for c in archive.page(filters, per_page=100).items]


def test_list_shows_every_conversation_newest_first_without_empty_trackers(
    archive: ConversationArchive, world: World
) -> None:
    page = archive.page(ALL)
    assert [c.conversation_id for c in page.items] == [
        world.ids["weather_rest"],
        world.ids["coverage_sms"],
        world.ids["declarations_web"],
        world.ids["claim_call"],
        world.ids["balance_sms"],
    ]
    assert page.total == 5


def test_list_rows_carry_channel_times_intents_outcomes_and_verification(
    archive: ConversationArchive, world: World
) -> None:
    rows = {c.conversation_id: c for c in archive.page(ALL).items}
    balance = rows[world.ids["balance_sms"]]
    assert balance.channel == "sms"
    assert balance.started_at == BASE
    assert balance.ended_at == BASE + timedelta(minutes=4)
    assert balance.intents == ("check_balance", "inform", "thank")
    assert [(o.intent, o.outcome) for o in balance.outcomes] == [("check_balance", "contained")]
    assert balance.verified is True
    assert balance.user_turns == 5

    call = rows[world.ids["claim_call"]]
    assert (call.channel, call.verified, call.outcome_names) == ("voice", False, ("handoff",))
    assert call.handoff_tickets == (world.tickets["claim_call"],)
    assert rows[world.ids["declarations_web"]].channel == "webchat"
    assert rows[world.ids["declarations_web"]].verified is True  # mfa counts as verified
    assert rows[world.ids["weather_rest"]].outcomes == ()


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (ConversationFilter(channel="sms"), ["coverage_sms", "balance_sms"]),
        (ConversationFilter(channel="voice"), ["claim_call"]),
        (ConversationFilter(channel="webchat"), ["declarations_web"]),
        (ConversationFilter(verified=True), ["coverage_sms", "declarations_web", "balance_sms"]),
        (ConversationFilter(verified=False), ["weather_rest", "claim_call"]),
        (ConversationFilter(intent="report_claim"), ["claim_call"]),
        (ConversationFilter(intent="inform"), ["balance_sms"]),
        (ConversationFilter(outcome=Outcome.HANDOFF), ["coverage_sms", "claim_call"]),
        (ConversationFilter(outcome=Outcome.CONTAINED), ["declarations_web", "balance_sms"]),
        (ConversationFilter(outcome=Outcome.FAILED), []),
        (
            ConversationFilter(since=BASE + timedelta(minutes=30), until=BASE + timedelta(hours=3)),
            ["declarations_web", "claim_call"],
        ),
        (ConversationFilter(channel="sms", outcome=Outcome.HANDOFF), ["coverage_sms"]),
        (ConversationFilter(search="accident"), ["claim_call"]),
        (ConversationFilter(search="DECLARATIONS"), ["declarations_web"]),
        (ConversationFilter(search="sms-9a8b"), ["coverage_sms"]),
        (ConversationFilter(search="HO-CLAIM234"), ["claim_call"]),
        (ConversationFilter(search="HO-NOSUCH99"), []),
    ],
)
def test_filters_and_search_narrow_the_list(
    archive: ConversationArchive,
    world: World,
    filters: ConversationFilter,
    expected: list[str],
) -> None:
    assert ids(archive, filters) == [world.ids[name] for name in expected]


@pytest.mark.parametrize(
    "filters",
    [
        ConversationFilter(intent="inform"),
        ConversationFilter(channel="sms", verified=True),
        ConversationFilter(search="balance"),
        ConversationFilter(since=BASE - timedelta(hours=1), until=BASE + timedelta(hours=1)),
    ],
)
def test_filtered_rows_describe_the_whole_conversation(
    archive: ConversationArchive, world: World, filters: ConversationFilter
) -> None:
    """A filter picks conversations; it never trims the events a row is computed from."""
    (row,) = [
        c for c in archive.page(filters).items if c.conversation_id == world.ids["balance_sms"]
    ]
    assert row == archive.summary(world.ids["balance_sms"])
    assert (row.user_turns, row.verified, row.started_at) == (5, True, BASE)
    assert row.intents == ("check_balance", "inform", "thank")


def test_search_never_matches_digits_hidden_by_redaction(
    archive: ConversationArchive, world: World
) -> None:
    maria = world.personas["maria"]
    # The date of birth and the policy number are in the stored text, yet searching for them
    # must not confirm which conversation holds them.
    assert ids(archive, ConversationFilter(search=us_date(maria["date_of_birth"]))) == []
    assert ids(archive, ConversationFilter(search=maria["policy_number"])) == []
    assert ids(archive, ConversationFilter(search=maria["zip"])) == []


def test_pages_split_the_list_and_iterate_walks_all_of_it(
    archive: ConversationArchive, world: World
) -> None:
    first = archive.page(ALL, page=1, per_page=2)
    second = archive.page(ALL, page=2, per_page=2)
    third = archive.page(ALL, page=3, per_page=2)
    assert (first.total, first.pages, first.has_next, third.has_next) == (5, 3, True, False)
    paged = [c.conversation_id for p in (first, second, third) for c in p.items]
    assert paged == [c.conversation_id for c in archive.iterate(ALL, batch=2)]
    assert len(set(paged)) == 5


@pytest.mark.parametrize(
    "kwargs",
    [
        {"channel": "fax"},
        {"intent": "DROP TABLE"},
        {"since": BASE, "until": BASE},
        {"search": "x" * 65},
    ],
)
def test_bad_filters_are_refused_with_a_reason(kwargs: dict[str, object]) -> None:
    with pytest.raises(InvalidFilter):
        ConversationFilter(**kwargs)  # type: ignore[arg-type]


def test_transcript_has_user_and_bot_turns_in_order_with_pii_masked(
    archive: ConversationArchive, world: World
) -> None:
    maria = world.personas["maria"]
    transcript = archive.transcript(world.ids["balance_sms"])
    assert transcript is not None
    kinds = [t.kind for t in transcript.turns]
    assert kinds == ["user", "bot", "user", "bot", "user", "user", "verified", "bot", "user"]
    assert transcript.turns[0].text == "hi whats my balance"
    assert transcript.turns[0].intent == "check_balance"
    shown = "\n".join(t.text for t in transcript.turns)
    assert maria["policy_number"] not in shown
    assert "AUT-****001" in shown
    assert us_date(maria["date_of_birth"]) not in shown and "1985" not in shown
    assert maria["zip"] not in shown
    assert "555-0101" not in shown.replace("***-0101", "")
    assert "(***) ***-0101" in shown
    assert "$84.00" in shown  # amounts stay readable


def test_transcript_describes_payloads_without_links_or_card_numbers(
    archive: ConversationArchive, world: World
) -> None:
    web = archive.transcript(world.ids["declarations_web"])
    assert web is not None
    bot_turn = next(t for t in web.turns if t.kind == "bot")
    assert DOC_TOKEN not in bot_turn.text and "[LINK]" in bot_turn.text
    assert bot_turn.extras == ("Document link sent (declarations)",)
    assert web.turns[0].text == "Policyholder signed in with MFA"

    coverage = archive.transcript(world.ids["coverage_sms"])
    assert coverage is not None
    said = next(t for t in coverage.turns if t.kind == "user").text
    assert "4242" not in said and "[CARD]" in said and "REN-****001" in said
    handoff_note = next(t for t in coverage.turns if t.kind == "bot").extras
    assert handoff_note == ("Handoff HO-COVER567 to coverage",)


def test_transcript_of_an_unknown_conversation_is_none(archive: ConversationArchive) -> None:
    assert archive.transcript("no-such-conversation") is None
    assert archive.summary("no-such-conversation") is None


def test_sms_conversation_over_several_sessions_marks_each_new_session(dbs) -> None:  # type: ignore[no-untyped-def]
    dbs.writer.write(
        Script("sms-two-sessions", "sms", BASE)
        .user(0, "balance please", "check_balance")
        .bot(0.5, "What's your policy number?")
        .new_session(60 * 24)
        .user(60 * 24, "id card", "request_id_card")
    )
    transcript = dbs.archive.transcript("sms-two-sessions")
    assert [t.kind for t in transcript.turns] == ["user", "bot", "session", "user"]
    assert transcript.summary.ended_at - transcript.summary.started_at == timedelta(days=1)


def test_very_long_transcripts_are_cut_and_say_so(dbs) -> None:  # type: ignore[no-untyped-def]
    script = Script("sms-chatty", "sms", BASE)
    for minute in range(30):
        script.user(minute, f"message {minute}", "inform")
    dbs.writer.write(script)
    transcript = dbs.archive.transcript("sms-chatty", max_events=10)
    assert transcript.truncated is True
    assert len(transcript.turns) <= 10


def test_before_rasa_has_written_anything_the_list_is_empty(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from bot.db import make_engine

    app = make_engine(f"sqlite:///{tmp_path / 'app.sqlite'}")
    upgrade(app)
    archive = ConversationArchive(make_engine(f"sqlite:///{tmp_path / 'no_tracker.sqlite'}"), app)
    assert archive.page(ALL).total == 0
    assert list(archive.iterate(ALL)) == []
    assert archive.transcript("anything") is None
