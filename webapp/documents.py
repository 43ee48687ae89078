"""The library as versioned documents in the database: questionnaires, rule sets, scenario files
and policies, each version the YAML text exactly as written, with who wrote it, when, and its
status — draft, in review, published (the one the public sees), superseded (a later version
replaced it: published before, or a draft or review overtaken by a newer save) or retired. Only
a document's newest version can be a draft or in review.

Every change is one transaction that also appends to the audit log. Races are settled by the
database: two saves based on the same version cannot both become the next one (a unique
number per document), and every publish, rollback and retire moves the library generation on
with a conditional UPDATE, so of two racing publishes exactly one wins and the other is told.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from assessments.loading import content_hash
from webapp import audit
from webapp.schema import PUBLISHED, document_versions, documents, library_state, now, reviews, settings

KINDS = ("ruleset", "questionnaire", "scenarios", "policy")
FOLDERS = {"questionnaire": "questionnaires", "ruleset": "rules", "scenarios": "rules", "policy": "policies"}
DRAFT, IN_REVIEW, SUPERSEDED, RETIRED = "draft", "in review", "superseded", "retired"
APPROVED, SENT_BACK = "approved", "sent back"
APPROVALS_NEEDED = "approvals_needed"


def document_path(kind: str, name: str) -> Path:
    """Give the path a document has in messages and exports, as in the bundled library's folders."""
    return Path(FOLDERS[kind]) / (f"{name}.scenarios.yaml" if kind == "scenarios" else f"{name}.yaml")


@dataclass(frozen=True)
class Version:
    """One version of a document."""

    id: int
    kind: str
    name: str
    number: int
    text: str
    content_hash: str
    author: str
    created_at: dt.datetime
    status: str
    origin: str
    published_in: int | None  # the library generation that published it, if it ever was

    @property
    def path(self) -> Path:
        """Give the document's path (rules/ID.yaml and so on)."""
        return document_path(self.kind, self.name)

    @property
    def raw(self) -> bytes:
        """Give the text as the bytes the loader reads."""
        return self.text.encode("utf-8")


@dataclass(frozen=True)
class Summary:
    """A document as the library page lists it: its published version and its latest one."""

    kind: str
    name: str
    published: Version | None
    latest: Version


@dataclass(frozen=True)
class Review:
    """A reviewer's decision on a version."""

    version: int
    reviewer: str
    decision: str
    comment: str
    created_at: dt.datetime


class Stale(Exception):
    """A save based on a version that is no longer the latest."""

    def __init__(self, latest: Version | None) -> None:
        self.latest = latest
        super().__init__("changed since you opened it")


class LostRace(Exception):
    """A publish, rollback or retire that another one overtook; nothing was changed."""


_COLUMNS = (
    document_versions.c.id,
    documents.c.kind,
    documents.c.name,
    document_versions.c.number,
    document_versions.c.text,
    document_versions.c.content_hash,
    document_versions.c.author,
    document_versions.c.created_at,
    document_versions.c.status,
    document_versions.c.origin,
    document_versions.c.published_in,
)
_JOIN = documents.c.id == document_versions.c.document_id
_VERSION = sa.select(*_COLUMNS).join(documents, _JOIN)
# for lists of versions: every column but the text, which may be up to a megabyte each
_LISTED = sa.select(*(c for c in _COLUMNS if c.name != "text"), sa.literal("").label("text")).join(documents, _JOIN)


def _doc(kind: str, name: str) -> sa.ColumnElement[bool]:
    return sa.and_(documents.c.kind == kind, documents.c.name == name)


class Documents:
    """The library's documents over the app's database engine."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    # reading -------------------------------------------------------------------------------
    def generation(self) -> int:
        """Give the library generation: it changes whenever what is published changes."""
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(library_state.c.generation).where(library_state.c.id == 1)).scalar_one())

    def published(self) -> tuple[int, list[Version]]:
        """Give the generation and the published version of every document, read together."""
        with self.engine.connect() as conn:
            generation = conn.execute(sa.select(library_state.c.generation).where(library_state.c.id == 1))
            seen = int(generation.scalar_one())  # read first: a publish after it moves it on
            rows = conn.execute(_VERSION.where(document_versions.c.status == PUBLISHED).order_by(documents.c.id))
            return seen, [Version(**row._mapping) for row in rows]

    def versions(self, kind: str, name: str) -> list[Version]:
        """Give every version of a document, newest first (without their texts)."""
        query = _LISTED.where(_doc(kind, name)).order_by(document_versions.c.number.desc())
        with self.engine.connect() as conn:
            return [Version(**row._mapping) for row in conn.execute(query)]

    def version(self, kind: str, name: str, number: int) -> Version | None:
        """Give one version of a document, or None."""
        query = _VERSION.where(_doc(kind, name), document_versions.c.number == number)
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return None if row is None else Version(**row._mapping)

    def latest(self, kind: str, name: str) -> Version | None:
        """Give a document's newest version, or None when there is no such document."""
        query = _VERSION.where(_doc(kind, name)).order_by(document_versions.c.number.desc()).limit(1)
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return None if row is None else Version(**row._mapping)

    def current(self, kind: str, name: str) -> Version | None:
        """Give a document's published version, or None."""
        query = _VERSION.where(_doc(kind, name), document_versions.c.status == PUBLISHED)
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return None if row is None else Version(**row._mapping)

    def current_at(self, kind: str, name: str, generation: int) -> Version | None:
        """Give the version of a document that was published at a library generation, or None."""
        query = _VERSION.where(_doc(kind, name), document_versions.c.published_in <= generation)
        with self.engine.connect() as conn:
            row = conn.execute(query.order_by(document_versions.c.published_in.desc()).limit(1)).first()
        return None if row is None else Version(**row._mapping)

    def summaries(self) -> list[Summary]:
        """Give every document with its published and latest versions (texts left out)."""
        with self.engine.connect() as conn:
            rows = [Version(**row._mapping) for row in conn.execute(_LISTED.order_by(document_versions.c.number))]
        latest: dict[tuple[str, str], Version] = {}
        published: dict[tuple[str, str], Version] = {}
        for version in rows:
            latest[(version.kind, version.name)] = version
            if version.status == PUBLISHED:
                published[(version.kind, version.name)] = version
        order = {kind: index for index, kind in enumerate(KINDS)}
        return [
            Summary(kind, name, published.get((kind, name)), version)
            for (kind, name), version in sorted(latest.items(), key=lambda item: (order[item[0][0]], item[0][1]))
        ]

    def last_from(self, kind: str, name: str, origin: str) -> Version | None:
        """Give the newest version of a document that came from this origin (say, one file), or None."""
        query = _LISTED.where(_doc(kind, name), document_versions.c.origin == origin[:300])
        with self.engine.connect() as conn:
            row = conn.execute(query.order_by(document_versions.c.number.desc()).limit(1)).first()
        return None if row is None else Version(**row._mapping)

    def reviews(self, kind: str, name: str) -> list[Review]:
        """Give every review of a document's versions, newest first."""
        query = (
            sa.select(document_versions.c.number, reviews.c.reviewer, reviews.c.decision, reviews.c.comment)
            .add_columns(reviews.c.created_at)
            .join(document_versions, document_versions.c.id == reviews.c.version_id)
            .join(documents, documents.c.id == document_versions.c.document_id)
            .where(_doc(kind, name))
            .order_by(reviews.c.id.desc())
        )
        with self.engine.connect() as conn:
            return [Review(*row) for row in conn.execute(query)]

    def approvals(self, version: Version) -> list[str]:
        """Give who approved this version (each reviewer once)."""
        query = sa.select(reviews.c.reviewer).where(reviews.c.version_id == version.id, reviews.c.decision == APPROVED)
        with self.engine.connect() as conn:
            return list(dict.fromkeys(str(r) for r in conn.execute(query).scalars()))

    def in_review(self) -> list[Version]:
        """Give every version waiting for review, oldest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                _VERSION.where(document_versions.c.status == IN_REVIEW).order_by(document_versions.c.id)
            )
            return [Version(**row._mapping) for row in rows]

    def setting(self, name: str, default: str) -> str:
        """Give a setting an admin changed in the browser, or its default."""
        with self.engine.connect() as conn:
            value = conn.execute(sa.select(settings.c.value).where(settings.c.name == name)).scalar()
        return default if value is None else str(value)

    # writing -------------------------------------------------------------------------------
    def save(
        self, kind: str, name: str, text: str, *, author: str, based_on: int, origin: str, action: str = "saved"
    ) -> Version:
        """Store a new draft version based on version `based_on` (0: a new document); raise Stale
        when another version was stored since then."""
        try:
            with self.engine.begin() as conn:
                version = self._insert(conn, kind, name, text, author, based_on + 1, DRAFT, origin)
                detail = f"v{version.number}" + (f", based on v{based_on}" if based_on else ", a new document")
                audit.record(conn, author, action, kind=kind, name=name, version=version.number, detail=detail)
        except sa.exc.IntegrityError:
            raise Stale(self.latest(kind, name)) from None
        return version

    def _insert(
        self,
        conn: sa.Connection,
        kind: str,
        name: str,
        text: str,
        author: str,
        number: int,
        status: str,
        origin: str,
        published_in: int | None = None,
    ) -> Version:
        doc_id = conn.execute(sa.select(documents.c.id).where(_doc(kind, name))).scalar()
        if doc_id is None:
            if number != 1:
                raise Stale(None)  # based on a version of a document that is not there
            doc_id = conn.execute(
                documents.insert().values(kind=kind, name=name, created_at=now())
            ).inserted_primary_key[0]
        values = dict(
            document_id=doc_id,
            number=number,
            text=text,
            content_hash=content_hash(text.encode("utf-8")),
            author=author,
            created_at=now(),
            status=status,
            origin=origin[:300],
            published_in=published_in,
        )
        if status == PUBLISHED:
            self._unpublish(conn, doc_id, SUPERSEDED)
        # only the newest version can be a draft or in review: a new one replaces the one before
        conn.execute(
            document_versions.update()
            .where(document_versions.c.document_id == doc_id, document_versions.c.status.in_([DRAFT, IN_REVIEW]))
            .values(status=SUPERSEDED)
        )
        version_id = conn.execute(document_versions.insert().values(**values)).inserted_primary_key[0]
        del values["document_id"]
        return Version(id=version_id, kind=kind, name=name, **values)  # type: ignore[arg-type]

    def _unpublish(self, conn: sa.Connection, doc_id: int, status: str) -> None:
        conn.execute(
            document_versions.update()
            .where(document_versions.c.document_id == doc_id, document_versions.c.status == PUBLISHED)
            .values(status=status)
        )

    def _status(self, conn: sa.Connection, version: Version, wanted: Iterable[str], status: str) -> None:
        done = conn.execute(
            document_versions.update()
            .where(document_versions.c.id == version.id, document_versions.c.status.in_(list(wanted)))
            .values(status=status)
        )
        if not done.rowcount:
            raise LostRace(f"{version.kind} '{version.name}' v{version.number} changed status meanwhile")

    def submit(self, versions: list[Version], *, actor: str) -> None:
        """Put draft versions up for review."""
        with self.engine.begin() as conn:
            for version in versions:
                self._status(conn, version, [DRAFT], IN_REVIEW)
                audit.record(conn, actor, "submitted", kind=version.kind, name=version.name, version=version.number)

    def review(self, versions: list[Version], *, reviewer: str, decision: str, comment: str) -> None:
        """Record an approval, or send versions back to their authors as drafts with a comment."""
        with self.engine.begin() as conn:
            for version in versions:
                if decision == SENT_BACK:
                    self._status(conn, version, [IN_REVIEW], DRAFT)
                conn.execute(
                    reviews.insert().values(
                        version_id=version.id, reviewer=reviewer, decision=decision, comment=comment, created_at=now()
                    )
                )
                audit.record(
                    conn,
                    reviewer,
                    decision,
                    kind=version.kind,
                    name=version.name,
                    version=version.number,
                    detail=comment,
                )

    def _advance(self, conn: sa.Connection, seen: int) -> int:
        """Move the generation on from `seen`, or raise LostRace when another change moved it first."""
        try:
            done = conn.execute(
                library_state.update()
                .where(library_state.c.id == 1, library_state.c.generation == seen)
                .values(generation=seen + 1)
            )
        except sa.exc.OperationalError as error:
            # SQLite: a transaction whose snapshot another publish has just overtaken cannot wait
            # for the lock and is refused at once; that is the same lost race, not a fault
            if "locked" not in str(error.orig):
                raise
            raise LostRace("someone else was changing the library at the same moment") from error
        if not done.rowcount:
            raise LostRace("the library was changed by someone else while this was checked")
        return seen + 1

    def publish(self, versions: list[Version], *, actor: str, seen: int, detail: str = "") -> int:
        """Publish versions (drafts or in review) checked against generation `seen`; give the new one."""
        with self.engine.begin() as conn:
            generation = self._advance(conn, seen)
            for version in versions:
                doc_id = conn.execute(sa.select(documents.c.id).where(_doc(version.kind, version.name))).scalar_one()
                self._unpublish(conn, doc_id, SUPERSEDED)
                self._status(conn, version, [DRAFT, IN_REVIEW], PUBLISHED)
                conn.execute(
                    document_versions.update()
                    .where(document_versions.c.id == version.id)
                    .values(published_in=generation)
                )
                audit.record(
                    conn,
                    actor,
                    "published",
                    kind=version.kind,
                    name=version.name,
                    version=version.number,
                    detail=detail,
                )
        return generation

    def publish_texts(
        self, texts: list[tuple[str, str, str, str]], *, actor: str, seen: int, action: str, detail: str = ""
    ) -> tuple[int, list[Version]]:
        """Publish new versions (kind, name, text, origin) at once, as a rollback or an import does."""
        try:
            with self.engine.begin() as conn:
                generation = self._advance(conn, seen)
                made = []
                for kind, name, text, origin in texts:
                    number = 1 + (
                        conn.execute(
                            sa.select(sa.func.max(document_versions.c.number))
                            .join(documents, documents.c.id == document_versions.c.document_id)
                            .where(_doc(kind, name))
                        ).scalar()
                        or 0
                    )
                    version = self._insert(conn, kind, name, text, actor, number, PUBLISHED, origin, generation)
                    audit.record(conn, actor, action, kind=kind, name=name, version=number, detail=detail or origin)
                    made.append(version)
        except sa.exc.IntegrityError:
            raise LostRace("another version was stored at the same moment") from None
        return generation, made

    def retire(self, versions: list[Version], *, actor: str, seen: int) -> int:
        """Take published versions off the public pages; give the new generation."""
        with self.engine.begin() as conn:
            generation = self._advance(conn, seen)
            for version in versions:
                self._status(conn, version, [PUBLISHED], RETIRED)
                audit.record(conn, actor, "retired", kind=version.kind, name=version.name, version=version.number)
        return generation

    def set_setting(self, name: str, value: str, *, actor: str) -> None:
        """Change a setting, recording who did."""
        with self.engine.begin() as conn:
            if not conn.execute(settings.update().where(settings.c.name == name).values(value=value)).rowcount:
                conn.execute(settings.insert().values(name=name, value=value))
            audit.record(conn, actor, "changed setting", detail=f"{name} = {value}")
