"""Start-up work done by one process at a time: migrating the database, and the purge after it.

Every gunicorn worker builds the app at the same moment, and with several machines every
instance does, as does each `rekindle worker`. Two Alembic upgrades at once would both try to
create the same tables. On SQLite (one machine by nature) an exclusive lock on a file in the
instance folder serialises them. A file lock cannot reach other machines, so on PostgreSQL the
lock is the database's own: a session-level advisory lock keyed by the database and schema,
taken on a connection of its own before Alembic runs and released after. Whoever comes second
waits, then finds the schema up to date and does nothing.
"""

from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Iterator
from pathlib import Path

LOCK_KEY = "SELECT hashtext(current_database() || '.' || coalesce(current_schema(), '') || '.rekindle-startup')"


@contextlib.contextmanager
def startup_lock(url: str, instance: Path) -> Iterator[None]:
    """Hold the lock that lets one process at a time migrate the database at `url`."""
    if url.startswith("postgresql"):
        with _advisory_lock(url):
            yield
        return
    instance.mkdir(mode=0o700, parents=True, exist_ok=True)
    with (instance / ".startup.lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextlib.contextmanager
def _advisory_lock(url: str) -> Iterator[None]:
    import sqlalchemy as sa
    from sqlalchemy.pool import NullPool

    engine = sa.create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            key = conn.execute(sa.text(LOCK_KEY)).scalar_one()
            conn.execute(sa.text("SELECT pg_advisory_lock(:key)"), {"key": key})
            conn.commit()  # the lock belongs to the session; no transaction is left open meanwhile
            try:
                yield
            finally:
                conn.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                conn.commit()
    finally:
        engine.dispose()
