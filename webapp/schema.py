"""The database: its tables, engines that keep SQLite files private, and Alembic upgrades.

SQLAlchemy Core over SQLite by default (a file in the instance folder) or PostgreSQL by URL.
Schema changes go through Alembic (webapp/migrations); `upgrade()` runs them at start-up.

Everything a person answered lives in rows that belong to a visit and is sealed with the
visit's key (webapp/crypto.py): `drafts.sealed`, `results.sealed` and `pdf_cache.sealed`. What
is stored in clear is only what the server needs to find, expire and delete rows: random ids,
times, and which rule-set version scored a result (its text is the library's, not an answer).
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

METADATA = sa.MetaData()

visits = sa.Table(
    "visits",
    METADATA,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("last_seen_at", sa.DateTime, nullable=False, index=True),
)
drafts = sa.Table(
    "drafts",
    METADATA,
    sa.Column("visit_id", sa.String(64), sa.ForeignKey("visits.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("slot", sa.String(64), primary_key=True),  # keyed hash of the check's id (crypto.label)
    sa.Column("sealed", sa.LargeBinary, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False, index=True),
)
ruleset_versions = sa.Table(
    "ruleset_versions",
    METADATA,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("ruleset_id", sa.String(200), nullable=False),
    sa.Column("ruleset_hash", sa.String(64), nullable=False),
    sa.Column("ruleset_text", sa.Text, nullable=False),
    sa.Column("questionnaires", sa.Text, nullable=False),  # JSON: {id: {"hash": ..., "text": ...}}
    sa.Column("created_at", sa.DateTime, nullable=False),
)
results = sa.Table(
    "results",
    METADATA,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("visit_id", sa.String(64), sa.ForeignKey("visits.id", ondelete="CASCADE"), nullable=False, index=True),
    # one result per submitted draft: a second submit of the same draft finds the first result
    sa.Column("submission", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False, index=True),
    sa.Column("version_key", sa.String(64), sa.ForeignKey("ruleset_versions.key"), nullable=False),
    sa.Column("sealed", sa.LargeBinary, nullable=False),
    sa.UniqueConstraint("visit_id", "submission", name="uq_results_visit_submission"),
)
pdf_cache = sa.Table(
    "pdf_cache",
    METADATA,
    sa.Column("result_id", sa.String(64), sa.ForeignKey("results.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("version_key", sa.String(64), primary_key=True),
    sa.Column("sealed", sa.LargeBinary, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
)
pdf_jobs = sa.Table(  # summaries being made, or that failed (webapp/pdfjobs.py); no answers, no key
    "pdf_jobs",
    METADATA,
    sa.Column("result_id", sa.String(64), sa.ForeignKey("results.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("version_key", sa.String(64), primary_key=True),
    sa.Column("state", sa.String(16), nullable=False),  # queued, rendering or failed
    sa.Column("reason", sa.String(16), nullable=True),  # why it failed: timeout, failed, busy, restart
    sa.Column("via", sa.String(8), nullable=True),  # where it was handed: local or redis
    sa.Column("updated_at", sa.DateTime, nullable=False),
)
counsellors = sa.Table(
    "counsellors",
    METADATA,
    sa.Column("username", sa.String(100), primary_key=True),
    sa.Column("password_hash", sa.String(300), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("role", sa.String(20), nullable=False, server_default="author"),  # author, reviewer or admin
)
counsellor_sessions = sa.Table(
    "counsellor_sessions",
    METADATA,
    sa.Column("token_hash", sa.String(64), primary_key=True),  # SHA-256 of the cookie's token, never the token
    sa.Column(
        "username",
        sa.String(100),
        sa.ForeignKey("counsellors.username", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("last_seen_at", sa.DateTime, nullable=False, index=True),
)
login_attempts = sa.Table(  # failed sign-ins counted per window (webapp/throttle.py)
    "login_attempts",
    METADATA,
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("count", sa.Integer, nullable=False),
    sa.Column("expires_at", sa.Float, nullable=False, index=True),  # seconds since the epoch, as `limits` uses
)
housekeeping = sa.Table(  # when each periodic job is next due, claimed by one process at a time
    "housekeeping",
    METADATA,
    sa.Column("name", sa.String(50), primary_key=True),
    sa.Column("next_run_at", sa.DateTime, nullable=False),
)


# The library: every questionnaire, rule set, scenario file and policy as versioned documents
# (webapp/documents.py). Versions are never changed but for their status; the audit log is
# append-only (triggers refuse UPDATE and DELETE, migration 0005).
PUBLISHED = "published"
documents = sa.Table(
    "documents",
    METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(20), nullable=False),  # questionnaire, ruleset, scenarios, policy
    sa.Column("name", sa.String(200), nullable=False),  # its id (scenarios: the rule set they test)
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.UniqueConstraint("kind", "name", name="uq_documents_kind_name"),
)
document_versions = sa.Table(
    "document_versions",
    METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id"), nullable=False),
    # 1, 2, 3... per document: two saves based on the same version cannot both become the next
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("text", sa.Text, nullable=False),  # exactly as written
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("author", sa.String(100), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("status", sa.String(20), nullable=False),  # draft, in review, published, superseded, retired
    sa.Column("origin", sa.String(300), nullable=False),  # saved, uploaded, imported from a file, rolled back...
    # the library generation that published it: what else was published with it, for a rollback
    sa.Column("published_in", sa.Integer, nullable=True),
    sa.UniqueConstraint("document_id", "number", name="uq_document_versions_number"),
    # at most one published version per document, whatever races
    sa.Index(
        "uq_document_versions_published",
        "document_id",
        unique=True,
        sqlite_where=sa.text(f"status = '{PUBLISHED}'"),
        postgresql_where=sa.text(f"status = '{PUBLISHED}'"),
    ),
)
reviews = sa.Table(
    "reviews",
    METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("version_id", sa.Integer, sa.ForeignKey("document_versions.id"), nullable=False, index=True),
    sa.Column("reviewer", sa.String(100), nullable=False),
    sa.Column("decision", sa.String(20), nullable=False),  # approved, sent back
    sa.Column("comment", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
)
audit_log = sa.Table(
    "audit_log",
    METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Column("actor", sa.String(100), nullable=False),
    sa.Column("action", sa.String(40), nullable=False),
    sa.Column("kind", sa.String(20), nullable=True),
    sa.Column("name", sa.String(200), nullable=True),
    sa.Column("version", sa.Integer, nullable=True),
    sa.Column("detail", sa.Text, nullable=False),
)
library_state = sa.Table(  # one row: bumped by every publish, rollback and retire
    "library_state",
    METADATA,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("generation", sa.Integer, nullable=False),
)
settings = sa.Table(  # settings an admin changes in the browser
    "settings",
    METADATA,
    sa.Column("name", sa.String(50), primary_key=True),
    sa.Column("value", sa.String(200), nullable=False),
)

MIGRATIONS = Path(__file__).parent / "migrations"


def now() -> dt.datetime:
    """Give the current UTC time without tzinfo (stored as naive UTC in every database)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def new_id() -> str:
    """Give an unguessable id (192 random bits, URL-safe)."""
    return secrets.token_urlsafe(24)


def sqlite_path(url: str) -> Path | None:
    """Give the file of an SQLite URL, or None for another database or an in-memory one."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def private_sqlite_files(path: Path) -> None:
    """Create the database file readable by its owner only, and keep it and its -wal/-shm so.

    SQLite gives the -wal and -shm files the database file's permissions; the chmod after the
    fact covers files made by an older version of the app.
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    for name in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            if name.stat().st_mode & 0o077:
                name.chmod(0o600)
        except FileNotFoundError:
            continue


def sqlite_pragmas(connection: Any) -> None:
    """Set what every SQLite connection needs: WAL, waiting for a busy file, foreign keys, and
    overwriting deleted content with zeros (`secure_delete`), so deleted rows leave no trace in
    the file's free pages."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def make_engine(url: str) -> sa.Engine:
    """Give an engine; SQLite gets private files, WAL, secure_delete and a busy timeout."""
    path = sqlite_path(url)
    if url.startswith("sqlite"):
        if path is not None:
            private_sqlite_files(path)
        engine = sa.create_engine(url, connect_args={"timeout": 30})

        @sa.event.listens_for(engine, "connect")
        def _sqlite_setup(connection: Any, _record: Any) -> None:
            sqlite_pragmas(connection)
            if path is not None:
                private_sqlite_files(path)  # the -wal and -shm appear with the first connection

        return engine
    return sa.create_engine(url, pool_pre_ping=True)


def upgrade(url: str) -> None:
    """Bring the database at `url` to the latest schema with Alembic."""
    path = sqlite_path(url)
    if path is not None:
        private_sqlite_files(path)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    command.upgrade(config, "head")
