"""CSV export: streamed, redacted like the transcript view, never a spreadsheet formula."""

from __future__ import annotations

import csv
import io

import pytest

from bot.transcripts.conversations import ConversationArchive, ConversationFilter
from bot.transcripts.export import (
    CONVERSATION_COLUMNS,
    TURN_COLUMNS,
    conversation_rows,
    csv_lines,
    spreadsheet_safe,
    turn_rows,
)
from tests.staff.tracker_writer import Script
from tests.staff.world import BASE, World


def parse(lines: list[str]) -> list[list[str]]:
    return list(csv.reader(io.StringIO("".join(lines))))


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+1+2", "'+1+2"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("plain words", "plain words"),
        (5, "5"),
        (True, "yes"),
        (None, ""),
    ],
)
def test_cells_that_would_run_as_formulas_are_kept_as_text(value: object, cell: str) -> None:
    assert spreadsheet_safe(value) == cell


def test_csv_lines_are_one_row_each_and_quote_commas_and_newlines() -> None:
    lines = list(csv_lines(("a", "b"), [("x,y", "line1\nline2"), ("=cmd", "ok")]))
    assert len(lines) == 3  # streamed: one string per row
    assert parse(lines) == [["a", "b"], ["x,y", "line1\nline2"], ["'=cmd", "ok"]]


def test_conversation_export_has_one_row_per_conversation(
    archive: ConversationArchive, world: World
) -> None:
    rows = parse(
        list(csv_lines(CONVERSATION_COLUMNS, conversation_rows(archive, ConversationFilter())))
    )
    assert rows[0] == list(CONVERSATION_COLUMNS)
    by_id = {r[0]: dict(zip(CONVERSATION_COLUMNS, r)) for r in rows[1:]}
    assert len(by_id) == 5
    call = by_id[world.ids["claim_call"]]
    assert (call["channel"], call["verified"], call["outcomes"]) == (
        "voice",
        "no",
        "report_claim:handoff",
    )
    assert call["handoff_tickets"] == world.tickets["claim_call"]


def test_turn_export_is_redacted_like_the_transcript(
    archive: ConversationArchive, world: World
) -> None:
    maria = world.personas["maria"]
    lines = list(csv_lines(TURN_COLUMNS, turn_rows(archive, ConversationFilter(channel="sms"))))
    text = "".join(lines)
    assert maria["policy_number"] not in text and "AUT-****001" in text
    assert maria["date_of_birth"][:4] not in text
    assert "4242 4242" not in text and "[CARD]" in text
    rows = parse(lines)
    assert {r[0] for r in rows[1:]} == {world.ids["balance_sms"], world.ids["coverage_sms"]}


def test_a_message_that_is_a_formula_is_exported_as_text(dbs) -> None:  # type: ignore[no-untyped-def]
    dbs.writer.write(
        Script("web-formula", "webchat", BASE).user(0, '=IMPORTXML("x")', "out_of_scope")
    )
    rows = parse(list(csv_lines(TURN_COLUMNS, turn_rows(dbs.archive, ConversationFilter()))))
    assert rows[1][-1] == '\'=IMPORTXML("x")'
