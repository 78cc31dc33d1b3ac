"""Handoffs remember whether they were asked outside staffed hours (a callback is due).

Revision ID: 0003_handoff_callbacks
Revises: 0002_one_code_store_one_lockout
Create Date: 2026-12-07 14:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_handoff_callbacks"
down_revision = "0002_one_code_store_one_lockout"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A database whose tables a process made itself (adopted by 0001) may have it already.
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("handoffs")}
    if "callback" in columns:
        return
    op.add_column(
        "handoffs",
        sa.Column("callback", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    op.drop_column("handoffs", "callback")
