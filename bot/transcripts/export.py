"""CSV exports of conversations, streamed, redacted, and safe to open in a spreadsheet.

``conversation_rows`` yields one line per conversation; ``turn_rows`` one line per message (the
text redacted exactly as the transcript view shows it). Both are generators over the archive's
keyset-paginated ``iterate``, so an export of a month never sits in memory.

Spreadsheets run a cell that starts with ``=``, ``+``, ``-``, ``@`` (or a tab or carriage return
before one) as a formula (CSV injection, OWASP). Every text cell that starts with one of those is
prefixed with ``'`` so it stays text; numbers we write ourselves are left alone.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime

from bot.transcripts.conversations import ConversationArchive, ConversationFilter

CONVERSATION_COLUMNS = (
    "conversation_id",
    "channel",
    "started_at",
    "ended_at",
    "user_turns",
    "verified",
    "intents",
    "outcomes",
    "handoff_tickets",
)
TURN_COLUMNS = ("conversation_id", "channel", "at", "speaker", "intent", "text")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> str:
    """A cell value that a spreadsheet will not evaluate as a formula."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_lines(header: Sequence[str], rows: Iterable[Sequence[object]]) -> Iterator[str]:
    """CSV text, one line per yielded string (RFC 4180 quoting, CRLF line ends)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(values: Sequence[object]) -> str:
        writer.writerow([spreadsheet_safe(v) for v in values])
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate(0)
        return text

    yield line(header)
    for row in rows:
        yield line(row)


def conversation_rows(
    archive: ConversationArchive, filters: ConversationFilter
) -> Iterator[tuple[object, ...]]:
    """One row per matching conversation (``CONVERSATION_COLUMNS``)."""
    for c in archive.iterate(filters):
        yield (
            c.conversation_id,
            c.channel,
            c.started_at,
            c.ended_at,
            c.user_turns,
            c.verified,
            " ".join(c.intents),
            " ".join(f"{o.intent}:{o.outcome}" for o in c.outcomes),
            " ".join(c.handoff_tickets),
        )


def turn_rows(
    archive: ConversationArchive, filters: ConversationFilter
) -> Iterator[tuple[object, ...]]:
    """One row per message of every matching conversation (``TURN_COLUMNS``), redacted."""
    for c in archive.iterate(filters):
        transcript = archive.transcript(c.conversation_id)
        if transcript is None:  # deleted between the list and the read
            continue
        for turn in transcript.turns:
            text = turn.text
            if turn.extras:
                text = " | ".join([text, *turn.extras]) if text else " | ".join(turn.extras)
            yield (c.conversation_id, c.channel, turn.at, turn.kind, turn.intent or "", text)
