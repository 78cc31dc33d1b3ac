"""One code store and one lockout store for chat and web sign-in.

``one_time_codes`` (chat codes) and ``account_codes`` (web codes) become one ``one_time_codes``
table whose rows carry the limits they were issued under; ``verification_failures`` (chat) and
``sign_in_lockouts`` (web) become ``lockouts``. Their rows are short-lived (codes live 10 minutes,
locks 15) and are not carried over: codes in flight must be asked for again and current locks
and failure counts start afresh.

Revision ID: 0002_one_code_store_one_lockout
Revises: 0001_initial
Create Date: 2026-12-07 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_one_code_store_one_lockout"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index(op.f("ix_account_codes_subject"), table_name="account_codes")
    op.drop_table("account_codes")
    op.drop_table("one_time_codes")
    op.drop_table("verification_failures")
    op.drop_table("sign_in_lockouts")

    op.create_table(
        "one_time_codes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("subject", sa.String(length=96), nullable=False),
        sa.Column("holder_id", sa.String(length=64), nullable=True),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_one_time_codes_subject"), "one_time_codes", ["subject"], unique=False)
    op.create_table(
        "lockouts",
        sa.Column("subject", sa.String(length=96), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("subject"),
    )


def downgrade() -> None:
    op.drop_table("lockouts")
    op.drop_index(op.f("ix_one_time_codes_subject"), table_name="one_time_codes")
    op.drop_table("one_time_codes")

    op.create_table(
        "sign_in_lockouts",
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("subject"),
    )
    op.create_table(
        "verification_failures",
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.Float(), nullable=False),
        sa.Column("locked_until", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("subject"),
    )
    op.create_table(
        "one_time_codes",
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("holder_id", sa.String(length=64), nullable=False),
        sa.Column("code_digest", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("subject"),
    )
    op.create_table(
        "account_codes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("subject", sa.String(length=96), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_account_codes_subject"), "account_codes", ["subject"], unique=False)
