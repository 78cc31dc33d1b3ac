"""Handoffs keep a structured summary (who, asked, already done, left, flags, channel) as JSON,
and a table of the files sent with a handoff (counted in the queue; claim photos fill it).

Revision ID: 0004_handoff_summary
Revises: 0003_handoff_callbacks
Create Date: 2026-12-07 23:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_handoff_summary"
down_revision = "0003_handoff_callbacks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A database whose tables a process made itself (adopted by 0001) may have them already.
    inspector = sa.inspect(op.get_bind())
    columns = {c["name"] for c in inspector.get_columns("handoffs")}
    if "structured_summary" not in columns:
        # Nullable: rows written before it have no summary (the queue shows what they have).
        op.add_column("handoffs", sa.Column("structured_summary", sa.JSON(), nullable=True))
    if not inspector.has_table("handoff_attachments"):
        op.create_table(
            "handoff_attachments",
            sa.Column("id", sa.String(length=36), nullable=False),
            sa.Column("ticket", sa.String(length=16), nullable=False),
            sa.Column("content_type", sa.String(length=64), nullable=False),
            sa.Column("byte_size", sa.Integer(), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.ForeignKeyConstraint(["ticket"], ["handoffs.ticket"]),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(
            op.f("ix_handoff_attachments_ticket"), "handoff_attachments", ["ticket"], unique=False
        )


def downgrade() -> None:
    op.drop_index(op.f("ix_handoff_attachments_ticket"), table_name="handoff_attachments")
    op.drop_table("handoff_attachments")
    op.drop_column("handoffs", "structured_summary")
