"""The library the public sees: built from the published versions in the database with the
engine's own checks and guard (assessments.build_library), the same for every app instance.

Each process checks the library generation at most once every REKINDLE_LIBRARY_CHECK_SECONDS,
before a request, and rebuilds when it moved: a version published on one instance is served by
every instance within a second or two, without a restart. Proofs are memoised by content, so a
rebuild costs a few tens of milliseconds. A rebuild that fails (the database is away) leaves the
library being served as it is.

Files come in as versions (`import_files`): the bundled library and REKINDLE_LIBRARY folders at
start-up, `rekindle library import`, and live reload. Importing is idempotent by content hash: a
file is stored only when its content differs from the document's newest version and from what
was last read from the same file (so a file put back to an earlier content is a change too). A
file is published only if the library with it may be published (assessments.changes) and the
document's published version, if any, came from a file too (a change made in the browser is
never overwritten by a file: the file becomes a draft to review). Anything else becomes a draft,
so a broken file never takes a rule set away from the public. Two files that claim one document
are settled as the commands settle them (assessments.duplicate_ids): neither is stored and each
is named, or, against a bundled file, the bundled one is kept and the folder's copy refused.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from flask import Flask

from assessments import Library, build_library
from assessments.changes import ChangeReport, review_change
from assessments.duplicate_ids import duplicate_message, settle
from assessments.errors import GuaranteeFailure, Problem
from assessments.library import bundled_dirs, yaml_files
from assessments.loading import content_hash
from assessments.models.base import ID_PATTERN
from assessments.yamlload import MAX_FILE_BYTES, parse_yaml
from webapp.documents import KINDS, Documents, LostRace, Stale, Version, document_path
from webapp.flows import build_flows
from webapp.state import AppState, state

log = logging.getLogger(__name__)
IMPORTED = "imported from "  # how a version made from a file says where it came from
_rebuilding = threading.Lock()


def files_of(versions: Iterable[Version]) -> dict[Path, bytes]:
    """Give each version's document path and its bytes."""
    return {version.path: version.raw for version in versions}


def build(files: dict[Path, bytes]) -> Library:
    """Give the library these files make, checked together."""
    return build_library(sorted(files.items()))


def identify(raw: bytes) -> tuple[str, str] | None:
    """Give the (kind, name) a file says it is — `kind` and `id` (scenarios: the rule set they
    test) — or None when it does not get that far."""
    parsed = parse_yaml(raw)
    if isinstance(parsed, list) or not isinstance(parsed.data, dict):
        return None
    kind = parsed.data.get("kind")
    name = parsed.data.get("ruleset" if kind == "scenarios" else "id")
    if kind not in KINDS or not isinstance(name, str):
        return None
    return (str(kind), name) if re.fullmatch(ID_PATTERN, name) else None


def unidentified(raw: bytes, shown: str) -> str:
    """Say why a file cannot be told apart as a document: the loader's own words where it has them."""
    parsed = parse_yaml(raw)
    if isinstance(parsed, list) and parsed:
        return parsed[0].format(shown)
    kinds = ", ".join(KINDS)
    return f"{shown}: not a library file: it must start with 'kind:' (one of: {kinds}) and have an id"


# --- serving ---------------------------------------------------------------------------------
def install(current: AppState, library: Library, generation: int) -> None:
    """Serve a library: its public flows replace the old ones at once."""
    # the library first: a request on another thread never finds a new check without its library
    flows = build_flows(library, current.public, current.combined)
    current.library = library
    current.flows = flows
    current.generation = generation
    current.analyses.clear()
    current.partials.clear()


def refresh(current: AppState, documents: Documents, *, interval: float, force: bool = False) -> bool:
    """Rebuild the library if the generation moved (checked at most every `interval` seconds)."""
    clock = time.monotonic()
    if not force and clock - current.checked_at < interval:
        return False
    current.checked_at = clock
    if documents.generation() == current.generation:
        return False
    if not _rebuilding.acquire(blocking=force):
        return False  # another thread of this process is rebuilding; serve what is there meanwhile
    try:
        seen, versions = documents.published()
        if seen == current.generation:
            return False
        install(current, build(files_of(versions)), seen)
        return True
    finally:
        _rebuilding.release()


def init_app(app: Flask) -> None:
    """Check the library generation before requests, so every instance serves what is published."""
    interval = float(app.config["REKINDLE_LIBRARY_CHECK_SECONDS"])

    @app.before_request
    def _published() -> None:
        current = state()
        try:
            refresh(current, current.documents, interval=interval)
        except sa.exc.SQLAlchemyError as error:  # keep serving the library there is
            cause = error.orig if isinstance(error, sa.exc.DBAPIError) else error
            log.error(
                "library check failed: %s: %s", type(error).__name__, str(cause).splitlines()[0] if str(cause) else ""
            )


# --- importing files -------------------------------------------------------------------------
def library_files(dirs: Iterable[Path]) -> list[tuple[Path, str]]:
    """Give the bundled library's files and those in `dirs`, each with the name it is shown by:
    its folder's name and its path inside (never where the folder is on the server)."""
    return [
        (path, f"{folder.name}/{path.relative_to(folder).as_posix()}")
        for folder in [*bundled_dirs(), *dirs]
        if folder.is_dir()
        for path in yaml_files(folder)
    ]


@dataclass
class Imported:
    """What an import did with each file."""

    published: list[str] = field(default_factory=list)  # "kind name vN"
    drafts: list[tuple[str, list[str]]] = field(default_factory=list)  # ("kind name vN", why not published)
    unchanged: int = 0
    unreadable: list[tuple[str, str]] = field(default_factory=list)  # (file, why it cannot be imported)
    library: Library | None = None  # the library as published by this import
    generation: int | None = None


@dataclass(frozen=True)
class _File:
    shown: str  # the file as named on disk
    kind: str
    name: str
    text: str

    @property
    def path(self) -> Path:
        return document_path(self.kind, self.name)


def read_files(paths: Iterable[tuple[Path, str]], imported: Imported) -> list[_File]:
    """Give the files (path, name shown) that can be stored as versions; note the others and why."""
    claims: dict[tuple[str, str], list[tuple[_File, Path]]] = {}
    for path, shown in paths:
        try:
            raw = path.read_bytes() if path.stat().st_size <= MAX_FILE_BYTES else None
        except OSError as error:
            imported.unreadable.append((shown, f"{shown}: cannot read the file: {error.strerror or error}"))
            continue
        if raw is None:
            imported.unreadable.append((shown, f"{shown}: file is over {MAX_FILE_BYTES:,} bytes (1 MiB); split it"))
            continue
        identity = identify(raw)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            identity = None
        if identity is None:
            imported.unreadable.append((shown, unidentified(raw, shown)))
            continue
        claims.setdefault(identity, []).append((_File(shown, identity[0], identity[1], text), path))
    # two files with one id: settled as the commands settle them, never by which is read first
    shipped = bundled_dirs()
    files = []
    for group in claims.values():
        settled = settle(group, bundled=lambda claim: any(claim[1].is_relative_to(d) for d in shipped))
        if settled.kept is not None:
            files.append(settled.kept[0])
        for (file, _), others in settled.refused:
            why = _duplicate(file, [other for other, _ in others], by_bundled=settled.by_bundled)
            imported.unreadable.append((file.shown, why))
    return files


def _duplicate(file: _File, others: list[_File], *, by_bundled: bool) -> str:
    """Give `shown:line:col: id: …` for a file refused because others claim its id, naming each."""
    key = "ruleset" if file.kind == "scenarios" else "id"  # what names a scenarios document

    def place(one: _File) -> tuple[int | None, int | None]:
        parsed = parse_yaml(one.text.encode("utf-8"))
        return (None, None) if isinstance(parsed, list) else parsed.locate((key,))[1:]

    where = ", ".join(f"{other.shown}:{place(other)[0]}" for other in others)
    if file.kind == "scenarios":  # the web app keeps one scenarios document per rule set
        message = (
            f"the scenarios for rule set '{file.name}' are already in the bundled file {where}, which a library"
            " folder cannot replace: the web app keeps one scenarios file per rule set ('rekindle test FILE'"
            " runs these cases)"
            if by_bundled
            else f"the scenarios for rule set '{file.name}' are also in {where}; the web app keeps one scenarios file"
            " per rule set, so neither is stored until their cases are in one file"
        )
    else:
        message = duplicate_message(file.kind, file.name, where, by_bundled=by_bundled)
    line, column = place(file)
    return Problem(message, line, column, (key,)).format(file.shown)


def import_files(
    documents: Documents,
    paths: Iterable[tuple[Path, str]],
    *,
    actor: str,
    publish: bool,
    current: Library | None = None,
    over_browser: bool = False,
) -> Imported:
    """Store files as versions of their documents (skipping content already stored), publishing
    those that may be published when `publish` is set; see the module docstring. With
    `over_browser` (an explicit `rekindle library import --publish`), a file may replace a
    version published in the browser too."""
    imported = Imported()
    files = read_files(paths, imported)
    for _ in range(5):  # another process publishing meanwhile: look again
        try:
            _import_once(
                documents, files, imported, actor=actor, publish=publish, current=current, over_browser=over_browser
            )
            return imported
        except (LostRace, Stale):
            imported.published.clear()
            imported.drafts.clear()
            imported.unchanged = 0
            current = None
    raise LostRace("the library kept changing while files were imported; try again")


def _import_once(
    documents: Documents,
    files: list[_File],
    imported: Imported,
    *,
    actor: str,
    publish: bool,
    current: Library | None,
    over_browser: bool,
) -> None:
    seen, published = documents.published()
    by_file = {(v.kind, v.name): v for v in published}
    new, stored = [], set()
    for file in files:
        digest = _hash(file.text)
        served = by_file.get((file.kind, file.name))
        latest = documents.latest(file.kind, file.name)
        read_before = documents.last_from(file.kind, file.name, IMPORTED + file.shown)
        if latest is not None and latest.content_hash == digest:
            if over_browser and publish and (served is None or served.content_hash != digest):
                new.append(file)  # stored as a draft before: asked now to publish it
                stored.add(file)
            else:
                imported.unchanged += 1
        elif read_before is not None and read_before.content_hash == digest:
            imported.unchanged += 1  # the file has not changed since it was read; the document has
        else:
            new.append(file)  # new, or changed since it was last read (a revert too)
    if not new:
        return
    before_files = files_of(published)

    def may_publish(file: _File) -> bool:  # a change made in the browser is not overwritten by a file unasked
        now_served = by_file.get((file.kind, file.name))
        return publish and (over_browser or now_served is None or now_served.origin.startswith(IMPORTED))

    chosen = [f for f in new if may_publish(f)]
    reasons: dict[Path, list[str]] = {}
    after: Library | None = None
    if chosen:
        before = current if current is not None else build(before_files)
        chosen, after, reasons = _publishable(before, before_files, chosen)
    for file in new:
        if file in chosen:
            continue
        why = reasons.get(file.path) or [
            "not published: " + ("a change made in the browser is published" if publish else "imported as a draft")
        ]
        if file in stored:
            imported.drafts.append((f"{file.kind} {file.name} (stored before)", why))
            continue
        latest = documents.latest(file.kind, file.name)
        version = documents.save(
            file.kind,
            file.name,
            file.text,
            author=actor,
            based_on=latest.number if latest else 0,
            origin=IMPORTED + file.shown,
            action="imported",
        )
        imported.drafts.append((f"{file.kind} {file.name} v{version.number}", why))
    if chosen:
        texts = [(f.kind, f.name, f.text, IMPORTED + f.shown) for f in chosen]
        generation, made = documents.publish_texts(texts, actor=actor, seen=seen, action="imported and published")
        imported.published += [f"{v.kind} {v.name} v{v.number}" for v in made]
        imported.library, imported.generation = after, generation


def _hash(text: str) -> str:
    return content_hash(text.encode("utf-8"))


def _publishable(
    before: Library, before_files: dict[Path, bytes], chosen: list[_File]
) -> tuple[list[_File], Library | None, dict[Path, list[str]]]:
    """Give the files that may be published together, the library they make, and why the rest may not.

    Files to blame for a problem are set aside one round at a time until what is left may be
    published (or nothing is left).
    """
    reasons: dict[Path, list[str]] = {}
    while chosen:
        files = dict(before_files)
        files.update({f.path: f.text.encode("utf-8") for f in chosen})
        after = build(files)
        report = review_change(before, after, {f.path for f in chosen})
        if report.publishable:
            return chosen, after, reasons
        blamed = _blame(report, chosen)
        for file in blamed:
            reasons[file.path] = _reasons_for(report, file) or report.problems()
        chosen = [f for f in chosen if f not in blamed]
    return [], None, reasons


def _blame(report: ChangeReport, chosen: list[_File]) -> list[_File]:
    """Give the chosen files a report's problems point at (all of them when none is named)."""
    blamed = [f for f in chosen if _reasons_for(report, f)]
    return blamed or list(chosen)


def _reasons_for(report: ChangeReport, file: _File) -> list[str]:
    lines = [str(e) for e in report.errors if e.path == file.path and not isinstance(e, GuaranteeFailure)]
    if file.kind in ("ruleset", "scenarios"):
        lines += report.refused.get(file.name, [])
        lines += [
            f"scenario '{c.name}': {'; '.join(c.failures)}" for c in report.failed_cases if c.ruleset == file.name
        ]
    return lines
