"""What a change does, before anyone sees it: the semantic diff (lines, scenario cases, and how
many answer sets move from each outcome to another), and "try it" on a draft.

A rule set is compared with its published version; one never published, with the rule set the
public now gets for its questionnaire (or any published rule set over the same questionnaires).
Any two versions of a document can be compared too. No stored person's answers are used.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, g, render_template, request, url_for

from assessments import Library
from assessments.analysis.diff import OutcomeDiff, case_changes, outcome_diff
from assessments.analysis.lines import text_diff
from assessments.engine import Scorer
from webapp.accounts import AUTHOR
from webapp.counsellor import role_required
from webapp.documents import Version
from webapp.published import build, files_of
from webapp.publishing import check, pending
from webapp.state import AppState, state
from webapp.uploads import described
from webapp.workbench import described_answers, try_page
from webapp.workspace import document_page, versions_or_404

bp = Blueprint("compare", __name__, url_prefix="/counsellor/library")


def _library_with(current: AppState, version: Version) -> Library:
    """Give the published library with this version in it (the checked draft's, when it is the change)."""
    change = pending(current.documents, version.kind, version.name)
    if any(v.id == version.id for v in change):
        return check(current, change).library
    if version.status == "published":
        return current.library
    _, published = current.documents.published()
    files = files_of(published)
    files[version.path] = version.raw
    return build(files)


def _scorer(library: Library, ruleset_id: str) -> Scorer | None:
    return library.scorer(ruleset_id) if ruleset_id in library.rulesets else None


def _old_version(current: AppState, kind: str, name: str, new: Version) -> tuple[Version | None, list[str]]:
    """Give the version to compare with, and the published rule sets one may choose instead."""
    documents = current.documents
    choices: list[str] = []
    library = current.library
    if kind == "ruleset":
        over = library.rulesets[name].questionnaires if name in library.rulesets else None
        if over is None:
            new_library = _library_with(current, new)
            over = new_library.rulesets[name].questionnaires if name in new_library.rulesets else ()
        choices = [r for r, rs in library.rulesets.items() if rs.questionnaires == over and r != name]
    number = request.args.get("old", type=int)
    if number is not None:
        return documents.version(kind, name, number) or abort(404), choices
    against = request.args.get("against")
    if against:
        if against not in choices:
            abort(404)
        return documents.current("ruleset", against), choices
    published = documents.current(kind, name)
    if published is not None and published.id != new.id:
        return published, choices
    if kind == "ruleset" and choices:  # never published: against what the public gets now
        first = library.rulesets[name].questionnaires[0] if name in library.rulesets else None
        default = library.questionnaires[first].default_ruleset if first in library.questionnaires else None
        return documents.current("ruleset", default if default in choices else choices[0]), choices
    return published, choices


@bp.get("/<kind>/<name>/diff")
@role_required(AUTHOR)
def diff(kind: str, name: str) -> Any:
    """Show what changes from one version (by default the published one) to another (the newest)."""
    current = state()
    newest = versions_or_404(kind, name)[0]
    number = request.args.get("new", type=int)
    new = current.documents.version(kind, name, number) if number else newest
    if new is None:
        abort(404)
    old, choices = _old_version(current, kind, name, new)
    outcomes: OutcomeDiff | None = None
    cases: list[Any] = []
    why_not = ""
    new_library = _library_with(current, new)
    if kind == "ruleset":
        new_scorer = _scorer(new_library, name)
        old_library = _library_with(current, old) if old is not None else None
        old_scorer = _scorer(old_library, old.name) if old is not None and old_library is not None else None
        if new_scorer is None or (old is not None and old_scorer is None):
            why_not = "Both versions must load to compare what they do; fix the errors first."
        elif old_scorer is not None and old_scorer.ruleset.questionnaires != new_scorer.ruleset.questionnaires:
            why_not = "The two rule sets score different questionnaires, so their answers cannot be compared."
        else:
            if old_scorer is not None and old is not None and old_library is not None:
                key = f"diff:{old_library.content_key(old.name)}:{new_library.content_key(name)}"
                outcomes = _outcome_diff(current, key, old_scorer, new_scorer)
            answers = [c for f in new_library.scenarios if f.ruleset == name for c in f.cases]
            cases = case_changes(old_scorer, new_scorer, answers)
    return render_template(
        "compare/diff.html",
        kind=kind,
        name=name,
        old=old,
        new=new,
        hunks=text_diff(old.text if old else "", new.text),
        outcomes=outcomes,
        cases=cases,
        why_not=why_not,
        choices=choices,
        described=described,
        answers_shown=lambda answers: described_answers(new_library, answers),
        titles=_titles(current.library, new_library),
    )


def _outcome_diff(current: AppState, key: str, old: Scorer, new: Scorer) -> OutcomeDiff:
    """Give the answer-space diff, once per pair of contents (it may walk 200,000 answer classes)."""
    found: OutcomeDiff | None = current.analyses.get(key)
    if found is None:
        found = current.analyses[key] = outcome_diff(old, new)
    return found


def _titles(*libraries: Library) -> dict[str, str]:
    """Give outcome titles by id, for showing moves in words as well as ids."""
    found: dict[str, str] = {}
    for library in libraries:
        for ruleset in library.rulesets.values():
            for outcome_id in ruleset.outcome_ids():
                found.setdefault(outcome_id, ruleset.outcome(outcome_id).title)
    return found


@bp.route("/ruleset/<name>/try", methods=["GET", "POST"])
@role_required(AUTHOR)
def try_draft(name: str) -> Any:
    """Try the newest version of a rule set (its draft, or the published one) with your own answers."""
    current = state()
    versions_or_404("ruleset", name)
    library = check(current, pending(current.documents, "ruleset", name)).library
    if name not in library.rulesets:
        return document_page(
            "ruleset", name, alert="The draft does not load, so it cannot be tried: fix its errors first.", status=409
        )
    back = url_for("workspace.edit", kind="ruleset", name=name)
    return try_page(library, name, cache=current.form_classes, back=back, what=f"Try the draft as {g.counsellor}")
