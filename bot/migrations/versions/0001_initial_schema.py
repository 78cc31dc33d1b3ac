"""Initial schema: every application table (the schema as it stood before migrations).

Creates the tables of bot/ (accounts, conversation, documents, notifications, claim alerts,
payments, transcripts), sms_inbound and pas_audit. A database made by the processes' own
``create_all`` (before migrations) keeps the tables it has and gets the missing ones.

Revision ID: 0001_initial
Revises:
Create Date: 2026-12-07 11:20:21.341634
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A database made before migrations (by the processes' own create_all) already has some
    # or all of these tables: keep them and create the rest, so its first upgrade adopts it.
    existing = set(sa.inspect(op.get_bind()).get_table_names())

    if "account_audit" not in existing:
        op.create_table(
            "account_audit",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("account_id", sa.Integer(), nullable=True),
            sa.Column("event", sa.String(length=40), nullable=False),
            sa.Column("detail", sa.Text(), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(
            op.f("ix_account_audit_account_id"), "account_audit", ["account_id"], unique=False
        )
        op.create_index(op.f("ix_account_audit_at"), "account_audit", ["at"], unique=False)

    if "account_codes" not in existing:
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
        op.create_index(
            op.f("ix_account_codes_subject"), "account_codes", ["subject"], unique=False
        )

    if "autopay_methods" not in existing:
        op.create_table(
            "autopay_methods",
            sa.Column("policy_number", sa.String(length=32), nullable=False),
            sa.Column("customer_id", sa.String(length=64), nullable=False),
            sa.Column("payment_method_id", sa.String(length=64), nullable=False),
            sa.Column("method", sa.String(length=24), nullable=False),
            sa.Column("mandate_id", sa.String(length=64), nullable=True),
            sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("policy_number"),
        )

    if "autopay_setups" not in existing:
        op.create_table(
            "autopay_setups",
            sa.Column("setup_intent_id", sa.String(length=64), nullable=False),
            sa.Column("link_id", sa.String(length=43), nullable=False),
            sa.Column("policy_number", sa.String(length=32), nullable=False),
            sa.Column("customer_id", sa.String(length=64), nullable=False),
            sa.Column("conversation_id", sa.String(length=128), nullable=True),
            sa.Column("channel", sa.String(length=16), nullable=True),
            sa.Column("status", sa.String(length=16), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("setup_intent_id"),
            sa.UniqueConstraint("link_id"),
        )

    if "claim_alert_cursor" not in existing:
        op.create_table(
            "claim_alert_cursor",
            sa.Column("feed", sa.String(length=32), nullable=False),
            sa.Column("last_event_id", sa.BigInteger(), nullable=False),
            sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("feed"),
        )

    if "claim_alert_deliveries" not in existing:
        op.create_table(
            "claim_alert_deliveries",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("change_key", sa.String(length=96), nullable=False),
            sa.Column("channel", sa.String(length=8), nullable=False),
            sa.Column("claim_number", sa.String(length=32), nullable=False),
            sa.Column("policy_number", sa.String(length=32), nullable=False),
            sa.Column("recipient_key", sa.String(length=64), nullable=False),
            sa.Column("destination", sa.String(length=254), nullable=True),
            sa.Column("time_zone", sa.String(length=48), nullable=False),
            sa.Column("subject", sa.Text(), nullable=True),
            sa.Column("body", sa.Text(), nullable=False),
            sa.Column("state", sa.String(length=16), nullable=False),
            sa.Column("not_before", sa.DateTime(timezone=True), nullable=False),
            sa.Column("attempts", sa.Integer(), nullable=False),
            sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
            sa.Column("claimed_by", sa.String(length=64), nullable=True),
            sa.Column("provider_ref", sa.String(length=128), nullable=True),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("change_key", "channel", name="uq_claim_alert_once_per_channel"),
        )
        op.create_index(
            "ix_claim_alert_due", "claim_alert_deliveries", ["state", "not_before"], unique=False
        )
        op.create_index(
            "ix_claim_alert_recipient", "claim_alert_deliveries", ["recipient_key"], unique=False
        )

    if "claim_alert_opt_ins" not in existing:
        op.create_table(
            "claim_alert_opt_ins",
            sa.Column("policy_number", sa.String(length=32), nullable=False),
            sa.Column("channel", sa.String(length=8), nullable=False),
            sa.Column("opted_in_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("source", sa.String(length=24), nullable=False),
            sa.Column("opted_out_at", sa.DateTime(timezone=True), nullable=True),
            sa.PrimaryKeyConstraint("policy_number", "channel", name="pk_claim_alert_opt_ins"),
        )

    if "documents_issued" not in existing:
        op.create_table(
            "documents_issued",
            sa.Column("document_id", sa.String(length=40), nullable=False),
            sa.Column("kind", sa.String(length=20), nullable=False),
            sa.Column("policy_ref", sa.String(length=32), nullable=False),
            sa.Column("policy_digest", sa.String(length=64), nullable=False),
            sa.Column("line", sa.String(length=16), nullable=False),
            sa.Column("state", sa.String(length=2), nullable=False),
            sa.Column("channel", sa.String(length=20), nullable=False),
            sa.Column("conversation_id", sa.String(length=255), nullable=False),
            sa.Column("issued_at", sa.DateTime(), nullable=False),
            sa.Column("size_bytes", sa.Integer(), nullable=False),
            sa.Column("page_count", sa.Integer(), nullable=False),
            sa.Column("template", sa.String(length=20), nullable=True),
            sa.Column("certificate_number", sa.String(length=40), nullable=True),
            sa.Column("certificate_holder", sa.String(length=200), nullable=True),
            sa.PrimaryKeyConstraint("document_id"),
        )
        op.create_index(
            op.f("ix_documents_issued_conversation_id"),
            "documents_issued",
            ["conversation_id"],
            unique=False,
        )
        op.create_index(
            op.f("ix_documents_issued_issued_at"), "documents_issued", ["issued_at"], unique=False
        )
        op.create_index(
            op.f("ix_documents_issued_policy_digest"),
            "documents_issued",
            ["policy_digest"],
            unique=False,
        )

    if "email_outbox" not in existing:
        op.create_table(
            "email_outbox",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("to_address", sa.String(length=254), nullable=False),
            sa.Column("subject", sa.Text(), nullable=False),
            sa.Column("body", sa.Text(), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(
            op.f("ix_email_outbox_to_address"), "email_outbox", ["to_address"], unique=False
        )

    if "handoffs" not in existing:
        op.create_table(
            "handoffs",
            sa.Column("ticket", sa.String(length=16), nullable=False),
            sa.Column("reason", sa.String(length=64), nullable=False),
            sa.Column("intent", sa.String(length=64), nullable=True),
            sa.Column("assurance", sa.String(length=16), nullable=False),
            sa.Column("policy_ref", sa.String(length=32), nullable=True),
            sa.Column("queue", sa.String(length=16), nullable=False),
            sa.Column("urgent", sa.Boolean(), nullable=False),
            sa.Column("summary", sa.Text(), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("channel", sa.String(length=16), nullable=False),
            sa.Column("conversation_id", sa.String(length=128), nullable=False),
            sa.PrimaryKeyConstraint("ticket"),
        )
        op.create_index(
            op.f("ix_handoffs_conversation_id"), "handoffs", ["conversation_id"], unique=False
        )

    if "one_time_code_sends" not in existing:
        op.create_table(
            "one_time_code_sends",
            sa.Column("subject", sa.String(length=64), nullable=False),
            sa.Column("sent_at", sa.Text(), nullable=False),
            sa.PrimaryKeyConstraint("subject"),
        )

    if "one_time_codes" not in existing:
        op.create_table(
            "one_time_codes",
            sa.Column("subject", sa.String(length=64), nullable=False),
            sa.Column("holder_id", sa.String(length=64), nullable=False),
            sa.Column("code_digest", sa.String(length=64), nullable=False),
            sa.Column("expires_at", sa.Float(), nullable=False),
            sa.Column("attempts", sa.Integer(), nullable=False),
            sa.PrimaryKeyConstraint("subject"),
        )

    if "payment_links" not in existing:
        op.create_table(
            "payment_links",
            sa.Column("link_id", sa.String(length=43), nullable=False),
            sa.Column("policy_number", sa.String(length=32), nullable=False),
            sa.Column("amount_cents", sa.Integer(), nullable=False),
            sa.Column("purpose", sa.String(length=16), nullable=False),
            sa.Column("conversation_id", sa.String(length=128), nullable=False),
            sa.Column("channel", sa.String(length=16), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
            sa.PrimaryKeyConstraint("link_id"),
        )

    if "payments" not in existing:
        op.create_table(
            "payments",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("idempotency_key", sa.String(length=128), nullable=False),
            sa.Column("kind", sa.String(length=16), nullable=False),
            sa.Column("policy_number", sa.String(length=32), nullable=False),
            sa.Column("amount_cents", sa.Integer(), nullable=False),
            sa.Column("link_id", sa.String(length=43), nullable=True),
            sa.Column("conversation_id", sa.String(length=128), nullable=True),
            sa.Column("channel", sa.String(length=16), nullable=True),
            sa.Column("payment_intent_id", sa.String(length=64), nullable=True),
            sa.Column("status", sa.String(length=16), nullable=False),
            sa.Column("method", sa.String(length=24), nullable=True),
            sa.Column("failure_code", sa.String(length=64), nullable=True),
            sa.Column("pas_confirmation", sa.String(length=32), nullable=True),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("posted_at", sa.DateTime(timezone=True), nullable=True),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("idempotency_key"),
            sa.UniqueConstraint("payment_intent_id"),
        )
        op.create_index(
            op.f("ix_payments_policy_number"), "payments", ["policy_number"], unique=False
        )

    if "sign_in_lockouts" not in existing:
        op.create_table(
            "sign_in_lockouts",
            sa.Column("subject", sa.String(length=64), nullable=False),
            sa.Column("failures", sa.Integer(), nullable=False),
            sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
            sa.PrimaryKeyConstraint("subject"),
        )

    if "sms_delivery_status" not in existing:
        op.create_table(
            "sms_delivery_status",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("message_sid", sa.String(length=64), nullable=False),
            sa.Column("status", sa.String(length=24), nullable=False),
            sa.Column("error_code", sa.Integer(), nullable=True),
            sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(
            op.f("ix_sms_delivery_status_message_sid"),
            "sms_delivery_status",
            ["message_sid"],
            unique=False,
        )

    if "sms_inbound" not in existing:
        op.create_table(
            "sms_inbound",
            sa.Column("message_sid", sa.String(length=64), nullable=False),
            sa.Column("sealed", sa.Text(), nullable=False),
            sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("lease_until", sa.DateTime(timezone=True), nullable=False),
            sa.Column("attempts", sa.Integer(), nullable=False),
            sa.PrimaryKeyConstraint("message_sid"),
        )
        op.create_index(
            op.f("ix_sms_inbound_lease_until"), "sms_inbound", ["lease_until"], unique=False
        )

    if "sms_outbox" not in existing:
        op.create_table(
            "sms_outbox",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("to_number", sa.String(length=32), nullable=False),
            sa.Column("body", sa.Text(), nullable=False),
            sa.Column("media_url", sa.Text(), nullable=True),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("status", sa.String(length=16), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(op.f("ix_sms_outbox_to_number"), "sms_outbox", ["to_number"], unique=False)

    if "sms_suppression" not in existing:
        op.create_table(
            "sms_suppression",
            sa.Column("phone_key", sa.String(length=64), nullable=False),
            sa.Column("opted_out_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("source", sa.String(length=16), nullable=False),
            sa.PrimaryKeyConstraint("phone_key"),
        )

    if "staff_access_audit" not in existing:
        op.create_table(
            "staff_access_audit",
            sa.Column("id", sa.String(length=36), nullable=False),
            sa.Column("staff_account_id", sa.Integer(), nullable=False),
            sa.Column("action", sa.String(length=32), nullable=False),
            sa.Column("conversation_id", sa.String(length=255), nullable=True),
            sa.Column("detail", sa.Text(), nullable=True),
            sa.Column("at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(
            "ix_staff_access_audit_conversation",
            "staff_access_audit",
            ["conversation_id", "at"],
            unique=False,
        )
        op.create_index(
            "ix_staff_access_audit_staff",
            "staff_access_audit",
            ["staff_account_id", "at"],
            unique=False,
        )

    if "stripe_customers" not in existing:
        op.create_table(
            "stripe_customers",
            sa.Column("policy_number", sa.String(length=32), nullable=False),
            sa.Column("customer_id", sa.String(length=64), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("policy_number"),
            sa.UniqueConstraint("customer_id"),
        )

    if "stripe_events" not in existing:
        op.create_table(
            "stripe_events",
            sa.Column("event_id", sa.String(length=64), nullable=False),
            sa.Column("type", sa.String(length=64), nullable=False),
            sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True),
            sa.PrimaryKeyConstraint("event_id"),
        )

    if "task_outcomes" not in existing:
        op.create_table(
            "task_outcomes",
            sa.Column("id", sa.String(length=36), nullable=False),
            sa.Column("conversation_id", sa.String(length=128), nullable=False),
            sa.Column("channel", sa.String(length=16), nullable=False),
            sa.Column("intent", sa.String(length=64), nullable=False),
            sa.Column("category", sa.String(length=16), nullable=False),
            sa.Column("outcome", sa.String(length=16), nullable=False),
            sa.Column("reason", sa.String(length=64), nullable=True),
            sa.Column("holder_hash", sa.String(length=32), nullable=True),
            sa.Column("at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index("ix_task_outcomes_at", "task_outcomes", ["at"], unique=False)
        op.create_index(
            "ix_task_outcomes_holder_at", "task_outcomes", ["holder_hash", "at"], unique=False
        )

    if "verification_failures" not in existing:
        op.create_table(
            "verification_failures",
            sa.Column("subject", sa.String(length=64), nullable=False),
            sa.Column("failures", sa.Integer(), nullable=False),
            sa.Column("last_failure_at", sa.Float(), nullable=False),
            sa.Column("locked_until", sa.Float(), nullable=True),
            sa.PrimaryKeyConstraint("subject"),
        )

    if "verified_conversations" not in existing:
        op.create_table(
            "verified_conversations",
            sa.Column("subject", sa.String(length=64), nullable=False),
            sa.Column("holder_id", sa.String(length=64), nullable=False),
            sa.Column("assurance", sa.String(length=16), nullable=False),
            sa.Column("verified_at", sa.Float(), nullable=False),
            sa.Column("last_seen_at", sa.Float(), nullable=False),
            sa.PrimaryKeyConstraint("subject"),
        )

    if "web_accounts" not in existing:
        op.create_table(
            "web_accounts",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("kind", sa.String(length=16), nullable=False),
            sa.Column("email", sa.String(length=254), nullable=False),
            sa.Column("holder_id", sa.String(length=64), nullable=True),
            sa.Column("roles", sa.String(length=64), nullable=False),
            sa.Column("password_hash", sa.Text(), nullable=False),
            sa.Column("totp_secret", sa.Text(), nullable=True),
            sa.Column("totp_pending_secret", sa.Text(), nullable=True),
            sa.Column("totp_last_step", sa.Integer(), nullable=True),
            sa.Column("sms_mfa_enabled", sa.Boolean(), nullable=False),
            sa.Column("failed_logins", sa.Integer(), nullable=False),
            sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("email", name="uq_web_accounts_email"),
            sa.UniqueConstraint("holder_id"),
        )

    if "web_handover_grants" not in existing:
        op.create_table(
            "web_handover_grants",
            sa.Column("jti", sa.String(length=64), nullable=False),
            sa.Column("web_session", sa.String(length=64), nullable=False),
            sa.Column("minted_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
            sa.PrimaryKeyConstraint("jti"),
        )
        op.create_index(
            op.f("ix_web_handover_grants_expires_at"),
            "web_handover_grants",
            ["expires_at"],
            unique=False,
        )
        op.create_index(
            op.f("ix_web_handover_grants_web_session"),
            "web_handover_grants",
            ["web_session"],
            unique=False,
        )

    if "web_sessions" not in existing:
        op.create_table(
            "web_sessions",
            sa.Column("id_hash", sa.String(length=64), nullable=False),
            sa.Column("account_id", sa.Integer(), nullable=True),
            sa.Column("data", sa.Text(), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("id_hash"),
        )
        op.create_index(
            op.f("ix_web_sessions_account_id"), "web_sessions", ["account_id"], unique=False
        )

    if "account_devices" not in existing:
        op.create_table(
            "account_devices",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("account_id", sa.Integer(), nullable=False),
            sa.Column("device_hash", sa.String(length=64), nullable=False),
            sa.Column("fingerprint_hash", sa.String(length=64), nullable=False),
            sa.Column("label", sa.String(length=80), nullable=False),
            sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
            sa.ForeignKeyConstraint(
                ["account_id"],
                ["web_accounts.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("account_id", "device_hash", name="uq_account_devices"),
        )
        op.create_index(
            op.f("ix_account_devices_account_id"), "account_devices", ["account_id"], unique=False
        )

    if "account_recovery_codes" not in existing:
        op.create_table(
            "account_recovery_codes",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("account_id", sa.Integer(), nullable=False),
            sa.Column("code_hash", sa.String(length=64), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
            sa.ForeignKeyConstraint(
                ["account_id"],
                ["web_accounts.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(
            op.f("ix_account_recovery_codes_account_id"),
            "account_recovery_codes",
            ["account_id"],
            unique=False,
        )

    if "document_links" not in existing:
        op.create_table(
            "document_links",
            sa.Column("link_id", sa.String(length=64), nullable=False),
            sa.Column("document_id", sa.String(length=40), nullable=False),
            sa.Column("kind", sa.String(length=20), nullable=False),
            sa.Column("policy_number", sa.String(length=32), nullable=False),
            sa.Column("conversation_id", sa.String(length=255), nullable=False),
            sa.Column("channel", sa.String(length=20), nullable=False),
            sa.Column("created_at", sa.DateTime(), nullable=False),
            sa.Column("expires_at", sa.DateTime(), nullable=False),
            sa.Column("single_use", sa.Boolean(), nullable=False),
            sa.Column("used_at", sa.DateTime(), nullable=True),
            sa.Column("use_count", sa.Integer(), nullable=False),
            sa.Column("filename", sa.String(length=120), nullable=False),
            sa.Column("content_type", sa.String(length=60), nullable=False),
            sa.Column("content", sa.LargeBinary(), nullable=False),
            sa.ForeignKeyConstraint(
                ["document_id"], ["documents_issued.document_id"], ondelete="CASCADE"
            ),
            sa.PrimaryKeyConstraint("link_id"),
        )
        op.create_index(
            op.f("ix_document_links_expires_at"), "document_links", ["expires_at"], unique=False
        )

    if "pas_audit" not in existing:
        op.create_table(
            "pas_audit",
            sa.Column(
                "id",
                sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                autoincrement=True,
                nullable=False,
            ),
            sa.Column("at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("operation", sa.String(length=40), nullable=False),
            sa.Column("policy_ref", sa.String(length=16), nullable=True),
            sa.Column("policy_ref_masked", sa.String(length=24), nullable=True),
            sa.Column("outcome", sa.String(length=16), nullable=False),
            sa.Column("status_code", sa.Integer(), nullable=True),
            sa.Column("latency_ms", sa.Float(), nullable=False),
            sa.Column("cache", sa.String(length=8), nullable=False),
            sa.Column("attempts", sa.Integer(), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(op.f("ix_pas_audit_at"), "pas_audit", ["at"], unique=False)
        op.create_index(op.f("ix_pas_audit_policy_ref"), "pas_audit", ["policy_ref"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_pas_audit_policy_ref"), table_name="pas_audit")
    op.drop_index(op.f("ix_pas_audit_at"), table_name="pas_audit")

    op.drop_table("pas_audit")
    op.drop_index(op.f("ix_document_links_expires_at"), table_name="document_links")

    op.drop_table("document_links")
    op.drop_index(op.f("ix_account_recovery_codes_account_id"), table_name="account_recovery_codes")

    op.drop_table("account_recovery_codes")
    op.drop_index(op.f("ix_account_devices_account_id"), table_name="account_devices")

    op.drop_table("account_devices")
    op.drop_index(op.f("ix_web_sessions_account_id"), table_name="web_sessions")

    op.drop_table("web_sessions")
    op.drop_index(op.f("ix_web_handover_grants_web_session"), table_name="web_handover_grants")
    op.drop_index(op.f("ix_web_handover_grants_expires_at"), table_name="web_handover_grants")

    op.drop_table("web_handover_grants")
    op.drop_table("web_accounts")
    op.drop_table("verified_conversations")
    op.drop_table("verification_failures")
    op.drop_index("ix_task_outcomes_holder_at", table_name="task_outcomes")
    op.drop_index("ix_task_outcomes_at", table_name="task_outcomes")

    op.drop_table("task_outcomes")
    op.drop_table("stripe_events")
    op.drop_table("stripe_customers")
    op.drop_index("ix_staff_access_audit_staff", table_name="staff_access_audit")
    op.drop_index("ix_staff_access_audit_conversation", table_name="staff_access_audit")

    op.drop_table("staff_access_audit")
    op.drop_table("sms_suppression")
    op.drop_index(op.f("ix_sms_outbox_to_number"), table_name="sms_outbox")

    op.drop_table("sms_outbox")
    op.drop_index(op.f("ix_sms_inbound_lease_until"), table_name="sms_inbound")

    op.drop_table("sms_inbound")
    op.drop_index(op.f("ix_sms_delivery_status_message_sid"), table_name="sms_delivery_status")

    op.drop_table("sms_delivery_status")
    op.drop_table("sign_in_lockouts")
    op.drop_index(op.f("ix_payments_policy_number"), table_name="payments")

    op.drop_table("payments")
    op.drop_table("payment_links")
    op.drop_table("one_time_codes")
    op.drop_table("one_time_code_sends")
    op.drop_index(op.f("ix_handoffs_conversation_id"), table_name="handoffs")

    op.drop_table("handoffs")
    op.drop_index(op.f("ix_email_outbox_to_address"), table_name="email_outbox")

    op.drop_table("email_outbox")
    op.drop_index(op.f("ix_documents_issued_policy_digest"), table_name="documents_issued")
    op.drop_index(op.f("ix_documents_issued_issued_at"), table_name="documents_issued")
    op.drop_index(op.f("ix_documents_issued_conversation_id"), table_name="documents_issued")

    op.drop_table("documents_issued")
    op.drop_table("claim_alert_opt_ins")
    op.drop_index("ix_claim_alert_recipient", table_name="claim_alert_deliveries")
    op.drop_index("ix_claim_alert_due", table_name="claim_alert_deliveries")

    op.drop_table("claim_alert_deliveries")
    op.drop_table("claim_alert_cursor")
    op.drop_table("autopay_setups")
    op.drop_table("autopay_methods")
    op.drop_index(op.f("ix_account_codes_subject"), table_name="account_codes")

    op.drop_table("account_codes")
    op.drop_index(op.f("ix_account_audit_at"), table_name="account_audit")
    op.drop_index(op.f("ix_account_audit_account_id"), table_name="account_audit")

    op.drop_table("account_audit")
