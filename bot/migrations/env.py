"""Alembic's environment: runs the revisions on the application database (``bot.migrations``).

SQLite gets batch mode (``render_as_batch``): it cannot alter a column in place, so a changed
column copies the table. Tables the product does not own (Rasa's tracker store, a PAS replica
sharing the database) are left out of autogenerate's comparison.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from bot.db import make_engine
from bot.migrations import application_metadata, owned_table_names

target_metadata = application_metadata()
owned = owned_table_names(target_metadata)


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Compare only the product's tables (and everything inside them)."""
    return type_ != "table" or name in owned


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=list(target_metadata),
        include_name=include_name,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    given: Connection | None = context.config.attributes.get("connection")
    if given is not None:  # bot.migrations.upgrade(engine)
        run_migrations(given)
        return
    database_url = context.config.attributes["database_url"]
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            run_migrations(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise RuntimeError("offline (SQL script) migrations are not supported: run `policyline db`")
run_online()
