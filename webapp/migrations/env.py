"""Alembic environment: runs the migrations against the URL the app (or a test) gives."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import engine_from_config, event, pool

from webapp.schema import sqlite_pragmas

config = context.config
connectable = engine_from_config(
    config.get_section(config.config_ini_section) or {}, prefix="sqlalchemy.", poolclass=pool.NullPool
)
if connectable.dialect.name == "sqlite":
    # what a migration deletes (e.g. answers stored in clear by older versions) is overwritten too

    @event.listens_for(connectable, "connect")
    def _pragmas(connection: Any, _record: Any) -> None:
        sqlite_pragmas(connection)


with connectable.connect() as connection:
    context.configure(connection=connection, target_metadata=None, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
connectable.dispose()
