"""Storage of visits: their drafts, results and cached PDFs, and the rule-set versions results used.

Every value handed in here is already sealed with its visit's key (webapp/visits.py does that);
this module keeps, finds, expires and deletes rows. A visit's rows go together: exit, "Delete
my answers" and expiry delete every draft, result and cached PDF of the visit, however many.
Expiry is enforced on every read (an expired row is deleted, never given back) and by `purge`,
which a background thread runs while the server runs (webapp/housekeeping.py).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from webapp.schema import (
    MIGRATIONS,
    drafts,
    housekeeping,
    make_engine,
    new_id,
    now,
    pdf_cache,
    results,
    ruleset_versions,
    upgrade,
    visits,
)

__all__ = ["MIGRATIONS", "Purged", "Store", "StoredResult", "new_id", "now", "upgrade"]


@dataclass(frozen=True)
class StoredResult:
    """A submitted result as stored: its sealed answers and the exact rule-set version that scored them."""

    id: str
    created_at: dt.datetime
    sealed: bytes
    version_key: str
    ruleset_id: str
    ruleset_hash: str
    ruleset_text: str
    questionnaires: dict[str, dict[str, str]]
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)  # filled in once opened with the visit's key


@dataclass(frozen=True)
class RulesetVersion:
    """The rule set and questionnaire texts a result was scored with (library files, not answers)."""

    key: str
    ruleset_id: str
    ruleset_hash: str
    ruleset_text: str
    questionnaires: dict[str, dict[str, str]]


@dataclass(frozen=True)
class Purged:
    """How many rows a purge deleted."""

    results: int
    drafts: int
    visits: int


class Store:
    """The app's storage of visits: one per app, safe to share across threads and forked workers."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)

    def dispose(self) -> None:
        """Close the connections (for tests and worker shutdown)."""
        self.engine.dispose()

    # visits -------------------------------------------------------------------------------
    def touch_visit(self, visit_id: str, conn: sa.Connection | None = None) -> bool:
        """Note that a visit was active now; give False when the visit no longer exists."""
        if conn is None:
            with self.engine.begin() as own:
                return self.touch_visit(visit_id, own)
        done = conn.execute(visits.update().where(visits.c.id == visit_id).values(last_seen_at=now()))
        return bool(done.rowcount)

    def create_visit(self, visit_id: str) -> None:
        """Record a new visit."""
        at = now()
        with self.engine.begin() as conn:
            conn.execute(visits.insert().values(id=visit_id, created_at=at, last_seen_at=at))

    def visit_exists(self, visit_id: str) -> bool:
        """Give whether a visit is still recorded."""
        with self.engine.connect() as conn:
            return conn.execute(sa.select(visits.c.id).where(visits.c.id == visit_id)).first() is not None

    def delete_visit(self, visit_id: str) -> int:
        """Delete a visit with every draft, result and cached PDF it has; give how many rows went."""
        mine = sa.select(results.c.id).where(results.c.visit_id == visit_id)
        with self.engine.begin() as conn:
            gone = conn.execute(pdf_cache.delete().where(pdf_cache.c.result_id.in_(mine))).rowcount
            gone += conn.execute(results.delete().where(results.c.visit_id == visit_id)).rowcount
            gone += conn.execute(drafts.delete().where(drafts.c.visit_id == visit_id)).rowcount
            gone += conn.execute(visits.delete().where(visits.c.id == visit_id)).rowcount
        return gone

    # drafts -------------------------------------------------------------------------------
    def save_draft(self, visit_id: str, slot: str, sealed: bytes) -> bool:
        """Keep a sealed draft in a visit's slot; give False (saving nothing) when the visit is gone."""
        with self.engine.begin() as conn:
            if not self.touch_visit(visit_id, conn):
                return False
            done = conn.execute(
                drafts.update()
                .where(drafts.c.visit_id == visit_id, drafts.c.slot == slot)
                .values(sealed=sealed, updated_at=now())
            )
            if not done.rowcount:
                conn.execute(drafts.insert().values(visit_id=visit_id, slot=slot, sealed=sealed, updated_at=now()))
        return True

    def load_draft(self, visit_id: str, slot: str, *, max_idle: dt.timedelta) -> bytes | None:
        """Give a visit's sealed draft in a slot if it has not expired (an expired one is deleted)."""
        where = (drafts.c.visit_id == visit_id, drafts.c.slot == slot)
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(drafts.c.sealed, drafts.c.updated_at).where(*where)).first()
        if row is None:
            return None
        if row.updated_at < now() - max_idle:
            with self.engine.begin() as conn:
                conn.execute(drafts.delete().where(*where, drafts.c.updated_at < now() - max_idle))
            return None
        return bytes(row.sealed)

    def delete_draft(self, visit_id: str, slot: str) -> None:
        """Delete a draft (no error when it is already gone)."""
        with self.engine.begin() as conn:
            conn.execute(drafts.delete().where(drafts.c.visit_id == visit_id, drafts.c.slot == slot))

    # results ------------------------------------------------------------------------------
    def save_result(
        self,
        visit_id: str,
        result_id: str,
        *,
        submission: str,
        sealed: bytes,
        version: RulesetVersion,
        draft_slot: str | None = None,
    ) -> str | None:
        """Store a result of a visit and the rule-set version it used, and delete the draft it came
        from, all at once. Give the id of the result of this submission: the new one, or the one a
        concurrent or earlier submit of the same draft stored. None when the visit is gone."""
        self._keep_version(version)
        try:
            with self.engine.begin() as conn:
                if not self.touch_visit(visit_id, conn):
                    return None
                conn.execute(
                    results.insert().values(
                        id=result_id,
                        visit_id=visit_id,
                        submission=submission,
                        created_at=now(),
                        version_key=version.key,
                        sealed=sealed,
                    )
                )
                if draft_slot is not None:
                    conn.execute(drafts.delete().where(drafts.c.visit_id == visit_id, drafts.c.slot == draft_slot))
        except sa.exc.IntegrityError:
            existing = self.result_of_submission(visit_id, submission)
            if existing is None:
                raise  # not the double submit this guards against
            return existing
        return result_id

    def _keep_version(self, version: RulesetVersion) -> None:
        with self.engine.connect() as conn:
            known = conn.execute(sa.select(ruleset_versions.c.key).where(ruleset_versions.c.key == version.key))
            if known.first() is not None:
                return
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    ruleset_versions.insert().values(
                        key=version.key,
                        ruleset_id=version.ruleset_id,
                        ruleset_hash=version.ruleset_hash,
                        ruleset_text=version.ruleset_text,
                        questionnaires=json.dumps(version.questionnaires),
                        created_at=now(),
                    )
                )
        except sa.exc.IntegrityError:
            pass  # another worker stored the same version first

    def result_of_submission(self, visit_id: str, submission: str) -> str | None:
        """Give the id of the result a visit's submission stored, if any."""
        query = sa.select(results.c.id).where(results.c.visit_id == visit_id, results.c.submission == submission)
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return None if row is None else str(row.id)

    def load_result(self, visit_id: str, result_id: str, *, retention: dt.timedelta) -> StoredResult | None:
        """Give a visit's stored result with its rule-set version, or None (an expired one is deleted)."""
        query = (
            sa.select(results, ruleset_versions)
            .join(ruleset_versions, results.c.version_key == ruleset_versions.c.key)
            .where(results.c.id == result_id, results.c.visit_id == visit_id)
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        if row is None:
            return None
        if row.created_at < now() - retention:
            self._delete_results(results.c.id == result_id, results.c.created_at < now() - retention)
            return None
        return StoredResult(
            id=row.id,
            created_at=row.created_at,
            sealed=bytes(row.sealed),
            version_key=row.version_key,
            ruleset_id=row.ruleset_id,
            ruleset_hash=row.ruleset_hash,
            ruleset_text=row.ruleset_text,
            questionnaires=json.loads(row.questionnaires),
        )

    def _delete_results(self, *where: sa.ColumnElement[bool]) -> int:
        chosen = sa.select(results.c.id).where(*where)
        with self.engine.begin() as conn:
            conn.execute(pdf_cache.delete().where(pdf_cache.c.result_id.in_(chosen)))
            return int(conn.execute(results.delete().where(*where)).rowcount)

    def cached_pdf(self, result_id: str, version_key: str) -> bytes | None:
        """Give the sealed cached PDF of this result rendered with this rule-set version, or None."""
        query = sa.select(pdf_cache.c.sealed).where(
            pdf_cache.c.result_id == result_id, pdf_cache.c.version_key == version_key
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return None if row is None else bytes(row.sealed)

    def cache_pdf(self, result_id: str, version_key: str, sealed: bytes) -> None:
        """Keep a sealed rendered PDF for the next download (a concurrent identical render is fine)."""
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    pdf_cache.insert().values(
                        result_id=result_id, version_key=version_key, sealed=sealed, created_at=now()
                    )
                )
        except sa.exc.IntegrityError:
            pass  # another worker cached it first, or the result was deleted meanwhile

    # expiry -------------------------------------------------------------------------------
    def purge(self, *, retention: dt.timedelta, draft_idle: dt.timedelta) -> Purged:
        """Delete results past the retention period, idle drafts, and visits left with nothing."""
        at = now()
        old = self._delete_results(results.c.created_at < at - retention)
        with self.engine.begin() as conn:
            idle = conn.execute(drafts.delete().where(drafts.c.updated_at < at - draft_idle)).rowcount
            # a visit with nothing left and no activity for as long as a draft is kept is over
            empty = visits.c.last_seen_at < at - draft_idle
            has_rows = sa.or_(
                sa.exists().where(drafts.c.visit_id == visits.c.id),
                sa.exists().where(results.c.visit_id == visits.c.id),
            )
            ended = conn.execute(visits.delete().where(empty, ~has_rows)).rowcount
            # rule-set versions no result uses any more hold no answers, but need not be kept either
            used = sa.select(results.c.version_key)
            conn.execute(ruleset_versions.delete().where(ruleset_versions.c.key.not_in(used)))
        return Purged(results=old, drafts=idle, visits=ended)

    def claim(self, job: str, every: dt.timedelta) -> bool:
        """Give True to exactly one caller, across processes and machines, each time `job` is due.

        The due time is moved on with a conditional UPDATE, which the database runs for one
        caller at a time; the others see it already moved and get False.
        """
        at = now()
        with self.engine.begin() as conn:
            done = conn.execute(
                housekeeping.update()
                .where(housekeeping.c.name == job, housekeeping.c.next_run_at <= at)
                .values(next_run_at=at + every)
            )
            if done.rowcount:
                return True
            if conn.execute(sa.select(housekeeping.c.name).where(housekeeping.c.name == job)).first() is not None:
                return False
        try:
            with self.engine.begin() as conn:
                conn.execute(housekeeping.insert().values(name=job, next_run_at=at + every))
        except sa.exc.IntegrityError:
            return False  # another process made the row, and so has the claim
        return True
