"""The audit log: who did what to the library and the accounts, and when. Append-only — the
database refuses to change or delete an entry (triggers, migration 0005) — and written in the
same transaction as the change it records, so no change goes unrecorded."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

import sqlalchemy as sa

from webapp.schema import audit_log, now

COLUMNS = ("at", "actor", "action", "kind", "name", "version", "detail")


@dataclass(frozen=True)
class Entry:
    """One line of the audit log."""

    id: int
    at: dt.datetime
    actor: str
    action: str
    kind: str | None
    name: str | None
    version: int | None
    detail: str


def record(
    conn: sa.Connection,
    actor: str,
    action: str,
    *,
    kind: str | None = None,
    name: str | None = None,
    version: int | None = None,
    detail: str = "",
) -> None:
    """Append an entry, inside the caller's transaction."""
    conn.execute(
        audit_log.insert().values(
            at=now(), actor=actor, action=action, kind=kind, name=name, version=version, detail=detail
        )
    )


def entries(
    engine: sa.Engine, *, kind: str | None = None, name: str | None = None, limit: int | None = None
) -> list[Entry]:
    """Give entries, newest first (only one document's when kind and name are given)."""
    query = sa.select(audit_log).order_by(audit_log.c.id.desc())
    if kind is not None:
        query = query.where(audit_log.c.kind == kind, audit_log.c.name == name)
    if limit is not None:
        query = query.limit(limit)
    with engine.connect() as conn:
        return [Entry(**row._mapping) for row in conn.execute(query)]


def _cell(value: object) -> str:
    """Give a CSV cell a spreadsheet will not run as a formula (OWASP's advice for CSV injection)."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def as_csv(engine: sa.Engine) -> str:
    """Give the whole log as CSV, oldest first, times in UTC (ISO 8601)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for entry in reversed(entries(engine)):
        row = [entry.at.isoformat(timespec="seconds") + "Z", entry.actor, entry.action, entry.kind or ""]
        row += [entry.name or "", "" if entry.version is None else str(entry.version), entry.detail]
        writer.writerow([_cell(value) for value in row])
    return out.getvalue()
