"""The ``sms_inbound`` table: texts acknowledged to Twilio and not answered yet.

Declared here, in the core, so the application schema (``bot.migrations``) lists every table
without importing an adapter; ``channels/sms_inbox.py`` reads and writes it.
"""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Integer, String, Table, Text

from bot.db import metadata

sms_inbound = Table(
    "sms_inbound",
    metadata,
    Column("message_sid", String(64), primary_key=True),
    Column("sealed", Text, nullable=False),  # Fernet: {"from", "body", "num_media"}
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("lease_until", DateTime(timezone=True), nullable=False, index=True),
    Column("attempts", Integer, nullable=False),
)
