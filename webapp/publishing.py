"""A document's change, checked as publishing would judge it, and the steps that publish it.

What the workspace shows for a draft — its errors at their lines, its scenario cases, its
guarantees — is exactly what publishing it is judged by: the published versions with this
change, built with the engine's checks and guard, reviewed by assessments.changes. Publishing
reads the published versions and the generation again, checks, and then moves the generation
on only if nobody else did meanwhile (Documents.publish), so it never publishes anything it
did not check.

A rule set and its scenario file change together: the rule set's page shows, submits,
approves and publishes the newest draft of both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from assessments import Library
from assessments.analysis import Analysis, analyze
from assessments.changes import ChangeReport, review_change
from webapp import audit
from webapp.documents import APPROVALS_NEEDED, APPROVED, DRAFT, IN_REVIEW, Documents, Version, document_path
from webapp.published import build, files_of, refresh
from webapp.schema import PUBLISHED
from webapp.state import AppState

_CACHE_LIMIT = 32  # checked changes kept per process; each holds a built library


@dataclass
class Checked:
    """A change (possibly none) with the library it makes and what publishing would say."""

    versions: list[Version]  # the versions the change would publish
    library: Library  # the published library with the change
    report: ChangeReport
    generation: int  # of the published library it was checked against
    by_line: dict[Path, dict[int, list[str]]] = field(default_factory=dict)  # problems where they are written

    @property
    def problems(self) -> list[str]:
        """Give every reason not to publish."""
        return self.report.problems()


def approvals_needed(documents: Documents) -> int:
    """Give how many approvals a publish needs (an admin's setting; 1 unless changed)."""
    return int(documents.setting(APPROVALS_NEEDED, "1"))


def members(kind: str, name: str) -> list[tuple[str, str]]:
    """Give the documents that change together: a rule set and its scenario file, or one document."""
    return [(kind, name), ("scenarios", name)] if kind == "ruleset" else [(kind, name)]


def newest(documents: Documents, kind: str, name: str) -> list[Version]:
    """Give the newest version of each member (what the editor shows)."""
    return [v for k, n in members(kind, name) if (v := documents.latest(k, n)) is not None]


def pending(documents: Documents, kind: str, name: str) -> list[Version]:
    """Give the change waiting to be published: each member's newest version that is a draft or in review."""
    return [v for v in newest(documents, kind, name) if v.status in (DRAFT, IN_REVIEW)]


def change_authors(documents: Documents, kind: str, name: str) -> set[str]:
    """Give everyone who wrote a version of the change since each member was last published."""
    found: set[str] = set()
    for k, n in members(kind, name):
        for version in documents.versions(k, n):  # newest first
            if version.status == PUBLISHED:
                break
            if version.status in (DRAFT, IN_REVIEW):
                found.add(version.author)
    return found


def published_library(current: AppState) -> tuple[int, list[Version], Library]:
    """Give the generation, the published versions and their library, read from the database now."""
    seen, versions = current.documents.published()
    library = current.library if seen == current.generation else build(files_of(versions))
    return seen, versions, library


def check(current: AppState, versions: list[Version], *, removed: tuple[Path, ...] = ()) -> Checked:
    """Check a change (versions replacing or adding documents, paths removed) against the published library."""
    seen, published, before = published_library(current)
    key = (seen, tuple(sorted((str(v.path), v.content_hash) for v in versions)), removed)
    found: Checked | None = current.drafts.get(key)
    if found is not None:
        return found
    files = files_of(published)
    files.update(files_of(versions))
    for path in removed:
        files.pop(path, None)
    after = build(files) if versions or removed else before
    report = review_change(before, after, {v.path for v in versions} | set(removed))
    found = Checked(versions, after, report, seen)
    for error in report.errors:
        for problem in error.problems:
            if problem.line is not None:
                found.by_line.setdefault(error.path, {}).setdefault(problem.line, []).append(
                    problem.format(str(error.path))
                )
    if len(current.drafts) >= _CACHE_LIMIT:
        current.drafts.clear()
    current.drafts[key] = found
    return found


def analysis_of(current: AppState, library: Library, ruleset_id: str) -> Analysis | None:
    """Give the analysis of a rule set in a (draft) library, once per content; None if it does not load."""
    if ruleset_id not in library.rulesets:
        return None
    key = library.content_key(ruleset_id) + ":" + ",".join(s.content_hash for s in library.scenario_sources)
    found: Analysis | None = current.analyses.get(key)
    if found is None:
        ruleset = library.ruleset(ruleset_id)
        found = current.analyses[key] = analyze(
            ruleset,
            library.questionnaires_for(ruleset),
            examples=library.scenario_answers(ruleset_id),
            guarantees=library.proofs.get(ruleset_id, []),
        )
    return found


def refused(current: AppState, actor: str, what: str, version: Version | None, problems: list[str]) -> list[str]:
    """Record in the audit log that a step was refused, and give the problems."""
    with current.documents.engine.begin() as conn:
        kind, name, number = (version.kind, version.name, version.number) if version else (None, None, None)
        audit.record(conn, actor, f"{what} refused", kind=kind, name=name, version=number, detail=problems[0][:500])
    return problems


def publish(current: AppState, versions: list[Version], *, actor: str, detail: str = "") -> list[str]:
    """Publish a checked change; give the problems that stopped it (raises LostRace when overtaken)."""
    checked = check(current, versions)
    if checked.problems:
        return refused(current, actor, "publish", versions[0], checked.problems)
    current.documents.publish(versions, actor=actor, seen=checked.generation, detail=detail)
    refresh(current, current.documents, interval=0, force=True)
    return []


def approve(current: AppState, versions: list[Version], *, reviewer: str, comment: str) -> tuple[bool, list[str]]:
    """Record an approval and publish when enough are in; give (published, problems that stopped it)."""
    documents = current.documents
    documents.review(versions, reviewer=reviewer, decision=APPROVED, comment=comment)
    approvers = documents.approvals(versions[0])
    if len(approvers) < approvals_needed(documents):
        return False, []
    problems = publish(current, versions, actor=reviewer, detail="approved by " + ", ".join(approvers))
    return not problems, problems


def rollback(current: AppState, target: Version, *, actor: str) -> list[str]:
    """Publish an earlier published version again (with the scenario file published beside it)."""
    documents = current.documents
    texts = [(target.kind, target.name, target.text, f"rolled back to v{target.number}")]
    if target.kind == "ruleset" and target.published_in is not None:
        cases = documents.current_at("scenarios", target.name, target.published_in)
        now = documents.current("scenarios", target.name)
        if cases is not None and (now is None or now.content_hash != cases.content_hash):
            texts.append(("scenarios", target.name, cases.text, f"rolled back with rule set v{target.number}"))
    seen, published, before = published_library(current)
    files = files_of(published)
    made = [(document_path(kind, name), text) for kind, name, text, _ in texts]
    files.update({path: text.encode("utf-8") for path, text in made})
    report = review_change(before, build(files), {path for path, _ in made})
    if report.problems():
        return refused(current, actor, "rollback", target, report.problems())
    documents.publish_texts(texts, actor=actor, seen=seen, action="rolled back", detail=f"to v{target.number}")
    refresh(current, documents, interval=0, force=True)
    return []


def retire(current: AppState, kind: str, name: str, *, actor: str) -> list[str]:
    """Take a document (and a rule set's scenario file) off the public pages, unless that breaks others."""
    documents = current.documents
    serving = [v for k, n in members(kind, name) if (v := documents.current(k, n)) is not None]
    if not serving:
        return ["it is not published"]
    checked = check(current, [], removed=tuple(v.path for v in serving))
    if checked.problems:
        return refused(current, actor, "retire", serving[0], checked.problems)
    documents.retire(serving, actor=actor, seen=checked.generation)
    refresh(current, documents, interval=0, force=True)
    return []
