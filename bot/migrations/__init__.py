"""The application database's schema, managed by Alembic: ``policyline db upgrade``.

Every table the product owns is declared once, in the module that uses it, on ``bot.db.metadata``
(or, for ``pas_audit``, on ``pas_connector.audit.metadata``: the connector does not import
``bot``). ``application_metadata`` imports those modules and returns both; the revisions in
``versions/`` create and change exactly that schema, and a test keeps the two equal (Alembic's
autogenerate comparison, SQLite and PostgreSQL).

``upgrade`` runs once before any process starts (``policyline run`` does it first; deployments
run ``policyline db upgrade`` as a release step): no process creates tables at start-up. The
PAS sandbox's replica and Rasa's tracker store manage their own schemas; they may share the
database, so only our own tables are compared (``include_name``).

Alembic is configured here, from the database URL, without an ``alembic.ini``; the migrations
ship inside the package, so an installed wheel can upgrade its database.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData
from sqlalchemy.engine import Engine

from bot.db import make_engine

MIGRATIONS_DIR = Path(__file__).resolve().parent
# Alembic runs a revision through module-level proxies (``alembic.context``, ``alembic.op``) that
# one ``command.upgrade`` installs and removes: two upgrades in one process at once (simulated
# phones and callers started side by side) break each other with a KeyError. One at a time.
_UPGRADE_LOCK = threading.Lock()


def application_metadata() -> tuple[MetaData, ...]:
    """Every MetaData whose tables the migrations own, with every table declared on it."""
    # Importing a module declares its tables; keep this list to the modules that declare one
    # (tests/platform/test_migrations.py fails when a product table is missing here).
    import bot.accounts.tables
    import bot.conversation.handoff
    import bot.conversation.outcomes
    import bot.conversation.send_budget
    import bot.conversation.verified_conversations
    import bot.conversation.web_handover
    import bot.documents.store
    import bot.lockouts
    import bot.notifications.claim_alerts_store
    import bot.notifications.delivery_status
    import bot.notifications.email_sender
    import bot.notifications.outbox
    import bot.notifications.sms_inbound
    import bot.notifications.suppression
    import bot.one_time_codes
    import bot.payments.links
    import bot.payments.records
    import bot.transcripts.audit  # noqa: F401
    from bot.db import metadata
    from pas_connector.audit import metadata as audit_metadata

    return (metadata, audit_metadata)


def owned_table_names(metadatas: Sequence[MetaData]) -> frozenset[str]:
    return frozenset(name for md in metadatas for name in md.tables)


def alembic_config(database_url: str) -> Config:
    """An Alembic configuration for ``database_url``, with no ini file."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # Not through set_main_option: that interpolates "%" (URL-encoded passwords).
    config.attributes["database_url"] = database_url
    return config


def upgrade(database: str | Engine, revision: str = "head") -> None:
    """Bring the application database up to ``revision`` (idempotent).

    ``database`` is its URL, or an engine to run on (tests: an in-memory SQLite engine).
    """
    with _UPGRADE_LOCK:
        if isinstance(database, str):
            command.upgrade(alembic_config(database), revision)
            return
        with database.begin() as connection:
            config = alembic_config(database.url.render_as_string(hide_password=False))
            config.attributes["connection"] = connection
            command.upgrade(config, revision)


def new_revision(database_url: str, message: str) -> None:
    """Write a revision in ``versions/`` with what the models changed since the database's
    revision (autogenerate; review it before committing). The database must be at head."""
    command.revision(alembic_config(database_url), message=message, autogenerate=True)


def current_revision(database_url: str) -> str | None:
    """The revision the database is at; None before the first upgrade."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def head_revision() -> str:
    """The newest revision in ``versions/``."""
    head = ScriptDirectory.from_config(alembic_config("")).get_current_head()
    if head is None:
        raise RuntimeError("no migrations found in bot/migrations/versions")
    return head
