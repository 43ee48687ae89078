"""Storage: drafts in progress, submitted results, the rule-set versions they used, counsellors.

SQLAlchemy Core over SQLite by default (a file in the instance folder) or PostgreSQL by URL.
Schema changes go through Alembic (webapp/migrations); `upgrade()` runs them at start-up.
Answers are kept only as long as needed: drafts expire after inactivity, results after the
retention period, and both are deleted on request.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

METADATA = sa.MetaData()

drafts = sa.Table(
    "drafts",
    METADATA,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("flow", sa.String(200), nullable=False),
    sa.Column("answers", sa.Text, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False, index=True),
)
results = sa.Table(
    "results",
    METADATA,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("created_at", sa.DateTime, nullable=False, index=True),
    sa.Column("version_key", sa.String(64), sa.ForeignKey("ruleset_versions.key"), nullable=False),
    sa.Column("answers", sa.Text, nullable=False),
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
counsellors = sa.Table(
    "counsellors",
    METADATA,
    sa.Column("username", sa.String(100), primary_key=True),
    sa.Column("password_hash", sa.String(300), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
)

pdf_cache = sa.Table(
    "pdf_cache",
    METADATA,
    sa.Column("result_id", sa.String(64), sa.ForeignKey("results.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("version_key", sa.String(64), primary_key=True),
    sa.Column("pdf", sa.LargeBinary, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
)

MIGRATIONS = Path(__file__).parent / "migrations"


def now() -> dt.datetime:
    """Give the current UTC time without tzinfo (stored as naive UTC in every database)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def new_id() -> str:
    """Give an unguessable id (192 random bits, URL-safe)."""
    return secrets.token_urlsafe(24)


def make_engine(url: str) -> sa.Engine:
    """Give an engine; SQLite gets WAL and a busy timeout so concurrent workers wait, not fail."""
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"timeout": 30})

        @sa.event.listens_for(engine, "connect")
        def _sqlite_pragmas(connection: Any, _record: Any) -> None:
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    return sa.create_engine(url, pool_pre_ping=True)


def upgrade(url: str) -> None:
    """Bring the database at `url` to the latest schema with Alembic."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    command.upgrade(config, "head")


@dataclass(frozen=True)
class StoredResult:
    """A submitted result as stored: the answers and the exact rule-set version that scored them."""

    id: str
    created_at: dt.datetime
    answers: dict[str, dict[str, Any]]
    version_key: str
    ruleset_id: str
    ruleset_hash: str
    ruleset_text: str
    questionnaires: dict[str, dict[str, str]]


class Store:
    """The app's storage: one per app, safe to share across threads and forked workers."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)

    def dispose(self) -> None:
        """Close the connections (for tests and worker shutdown)."""
        self.engine.dispose()

    # drafts -------------------------------------------------------------------------------
    def save_draft(self, draft_id: str | None, flow: str, answers: dict[str, Any]) -> str:
        """Save a draft (a new one when draft_id is None) and give its id."""
        payload = json.dumps(answers, separators=(",", ":"))
        with self.engine.begin() as conn:
            if draft_id is not None:
                done = conn.execute(
                    drafts.update().where(drafts.c.id == draft_id).values(flow=flow, answers=payload, updated_at=now())
                )
                if done.rowcount:
                    return draft_id
            draft_id = new_id()
            conn.execute(drafts.insert().values(id=draft_id, flow=flow, answers=payload, updated_at=now()))
        return draft_id

    def load_draft(self, draft_id: str, *, max_idle: dt.timedelta) -> tuple[str, dict[str, Any]] | None:
        """Give (flow, answers) of a draft that has not expired, or None."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(drafts).where(drafts.c.id == draft_id)).first()
        if row is None:
            return None
        if row.updated_at < now() - max_idle:
            self.delete_draft(draft_id)
            return None
        return row.flow, json.loads(row.answers)

    def delete_draft(self, draft_id: str) -> None:
        """Delete a draft (no error when it is already gone)."""
        with self.engine.begin() as conn:
            conn.execute(drafts.delete().where(drafts.c.id == draft_id))

    # results ------------------------------------------------------------------------------
    def save_result(
        self,
        answers: dict[str, Any],
        *,
        version_key: str,
        ruleset_id: str,
        ruleset_hash: str,
        ruleset_text: str,
        questionnaires: dict[str, dict[str, str]],
    ) -> str:
        """Store a result and, once, the rule-set version it used; give the result's id."""
        result_id = new_id()
        with self.engine.begin() as conn:
            known = conn.execute(sa.select(ruleset_versions.c.key).where(ruleset_versions.c.key == version_key)).first()
            if known is None:
                try:
                    with conn.begin_nested():
                        conn.execute(
                            ruleset_versions.insert().values(
                                key=version_key,
                                ruleset_id=ruleset_id,
                                ruleset_hash=ruleset_hash,
                                ruleset_text=ruleset_text,
                                questionnaires=json.dumps(questionnaires),
                                created_at=now(),
                            )
                        )
                except sa.exc.IntegrityError:
                    pass  # another worker stored the same version first
            conn.execute(
                results.insert().values(
                    id=result_id, created_at=now(), version_key=version_key, answers=json.dumps(answers)
                )
            )
        return result_id

    def load_result(self, result_id: str) -> StoredResult | None:
        """Give a stored result with its rule-set version, or None."""
        query = (
            sa.select(results, ruleset_versions)
            .join(ruleset_versions, results.c.version_key == ruleset_versions.c.key)
            .where(results.c.id == result_id)
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        if row is None:
            return None
        return StoredResult(
            id=row.id,
            created_at=row.created_at,
            answers=json.loads(row.answers),
            version_key=row.version_key,
            ruleset_id=row.ruleset_id,
            ruleset_hash=row.ruleset_hash,
            ruleset_text=row.ruleset_text,
            questionnaires=json.loads(row.questionnaires),
        )

    def delete_result(self, result_id: str) -> bool:
        """Delete a result and its cached PDF; give whether it existed."""
        with self.engine.begin() as conn:
            conn.execute(pdf_cache.delete().where(pdf_cache.c.result_id == result_id))
            return bool(conn.execute(results.delete().where(results.c.id == result_id)).rowcount)

    def cached_pdf(self, result_id: str, version_key: str) -> bytes | None:
        """Give the cached PDF of this result rendered with this rule-set version, or None."""
        query = sa.select(pdf_cache.c.pdf).where(
            pdf_cache.c.result_id == result_id, pdf_cache.c.version_key == version_key
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return None if row is None else bytes(row.pdf)

    def cache_pdf(self, result_id: str, version_key: str, pdf: bytes) -> None:
        """Keep a rendered PDF for the next download (a concurrent identical render is fine)."""
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    pdf_cache.insert().values(result_id=result_id, version_key=version_key, pdf=pdf, created_at=now())
                )
        except sa.exc.IntegrityError:
            pass  # another worker cached it first, or the result was deleted meanwhile

    def purge(self, *, retention: dt.timedelta, draft_idle: dt.timedelta) -> tuple[int, int]:
        """Delete results older than the retention period and idle drafts; give (results, drafts) deleted."""
        with self.engine.begin() as conn:
            expired = sa.select(results.c.id).where(results.c.created_at < now() - retention)
            conn.execute(pdf_cache.delete().where(pdf_cache.c.result_id.in_(expired)))
            old = conn.execute(results.delete().where(results.c.created_at < now() - retention)).rowcount
            idle = conn.execute(drafts.delete().where(drafts.c.updated_at < now() - draft_idle)).rowcount
            # rule-set versions no result uses any more hold no answers, but need not be kept either
            used = sa.select(results.c.version_key)
            conn.execute(ruleset_versions.delete().where(ruleset_versions.c.key.not_in(used)))
        return old, idle

    # counsellors --------------------------------------------------------------------------
    def add_counsellor(self, username: str, password_hash: str) -> None:
        """Create or replace a counsellor account."""
        with self.engine.begin() as conn:
            conn.execute(counsellors.delete().where(counsellors.c.username == username))
            conn.execute(counsellors.insert().values(username=username, password_hash=password_hash, created_at=now()))

    def counsellor_hash(self, username: str) -> str | None:
        """Give a counsellor's password hash, or None."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(counsellors.c.password_hash).where(counsellors.c.username == username)).first()
        return None if row is None else str(row.password_hash)

    def has_counsellors(self) -> bool:
        """Give whether any counsellor account exists (the area is off otherwise)."""
        with self.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(counsellors)).scalar_one() > 0
