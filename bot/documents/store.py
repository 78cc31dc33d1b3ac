"""Tables for issued documents and their links, on the application database (``bot.db``).

``documents_issued`` is the lasting record of what was issued, for which policy, when, by which
channel and in which conversation. It holds a masked policy reference and a keyed digest (to count
documents per policy) but never the policy number itself.

``document_links`` holds each link's rendered PDF and what the link is bound to (policy number,
conversation, kind), so it can be served without calling the PAS again. Rows are deleted once the
link has expired; the policy number and the PDF go with them.

Times are stored as UTC. ``claim_link`` is the single-use guarantee: one conditional UPDATE, so of
two simultaneous clicks exactly one sees a changed row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Table,
    and_,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.types import TypeDecorator

from bot.db import metadata


# SQLAlchemy 1.4 ships no type information, so its base classes are Any to mypy.
class UtcDateTime(TypeDecorator):  # type: ignore[misc]
    """Aware UTC datetimes in, aware UTC datetimes out, stored naive-UTC on every backend.

    SQLite keeps no time zone; storing one fixed zone keeps ``expires_at > :now`` comparisons
    correct on SQLite and PostgreSQL alike.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("document store times must be timezone-aware")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Any) -> Any:
        return None if value is None else value.replace(tzinfo=timezone.utc)


documents_issued = Table(
    "documents_issued",
    metadata,
    Column("document_id", String(40), primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("policy_ref", String(32), nullable=False),  # masked: "AUT-***0001"
    Column("policy_digest", String(64), nullable=False, index=True),  # keyed HMAC, not reversible
    Column("line", String(16), nullable=False),
    Column("state", String(2), nullable=False),
    Column("channel", String(20), nullable=False),
    Column("conversation_id", String(255), nullable=False, index=True),
    Column("issued_at", UtcDateTime, nullable=False, index=True),
    Column("size_bytes", Integer, nullable=False),
    Column("page_count", Integer, nullable=False),
    Column("template", String(20)),
    Column("certificate_number", String(40)),
    Column("certificate_holder", String(200)),
)

document_links = Table(
    "document_links",
    metadata,
    Column("link_id", String(64), primary_key=True),
    Column(
        "document_id",
        String(40),
        ForeignKey("documents_issued.document_id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("kind", String(20), nullable=False),
    Column("policy_number", String(32), nullable=False),  # binding only; deleted with the link
    Column("conversation_id", String(255), nullable=False),
    Column("channel", String(20), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False, index=True),
    Column("single_use", Boolean, nullable=False),
    Column("used_at", UtcDateTime),
    Column("use_count", Integer, nullable=False, default=0),
    Column("filename", String(120), nullable=False),
    Column("content_type", String(60), nullable=False),
    Column("content", LargeBinary, nullable=False),
)

_POLICY_NUMBER = re.compile(r"^([A-Za-z]+-?)?(\d+)$")


def masked_policy_reference(policy_number: str) -> str:
    """``AUT-1000001`` → ``AUT-***0001``: enough for staff to recognise, not to look up."""
    match = _POLICY_NUMBER.match(policy_number.strip())
    if not match:
        return "***" + policy_number.strip()[-4:]
    prefix, digits = match.group(1) or "", match.group(2)
    return f"{prefix}***{digits[-4:]}"


@dataclass(frozen=True)
class LinkRecord:
    """A link's binding and state, without its PDF."""

    link_id: str
    document_id: str
    kind: str
    policy_number: str
    conversation_id: str
    channel: str
    created_at: datetime
    expires_at: datetime
    single_use: bool
    used_at: datetime | None
    use_count: int
    filename: str
    content_type: str


_RECORD_COLUMNS = [
    document_links.c[name]
    for name in LinkRecord.__dataclass_fields__  # dataclass field order
]


def insert_issued(conn: Connection, row: dict[str, Any]) -> None:
    conn.execute(insert(documents_issued).values(**row))


def insert_link(conn: Connection, row: dict[str, Any]) -> None:
    conn.execute(insert(document_links).values(**row))


def find_link(conn: Connection, link_id: str) -> LinkRecord | None:
    row = conn.execute(select(*_RECORD_COLUMNS).where(document_links.c.link_id == link_id)).first()
    return None if row is None else LinkRecord(*row)


def claim_link(conn: Connection, link_id: str, now: datetime) -> bool:
    """Count one use of a live link; for a single-use link only the first claim succeeds.

    Atomic: the conditions are in the UPDATE itself (``used_at IS NULL`` for single use), so
    concurrent claims cannot both see the link unused.
    """
    result = conn.execute(
        update(document_links)
        .where(
            and_(
                document_links.c.link_id == link_id,
                document_links.c.expires_at > now,
                or_(
                    document_links.c.single_use.is_(False),
                    document_links.c.used_at.is_(None),
                ),
            )
        )
        .values(
            used_at=func.coalesce(document_links.c.used_at, literal(now, UtcDateTime())),
            use_count=document_links.c.use_count + 1,
        )
    )
    return int(result.rowcount) == 1


def link_content(conn: Connection, link_id: str) -> bytes | None:
    row = conn.execute(
        select(document_links.c.content).where(document_links.c.link_id == link_id)
    ).first()
    return None if row is None else bytes(row[0])


def delete_expired_links(conn: Connection, now: datetime) -> int:
    """Delete every link whose expiry has passed (with its PDF and policy number)."""
    result = conn.execute(delete(document_links).where(document_links.c.expires_at <= now))
    return int(result.rowcount or 0)
