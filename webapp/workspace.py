"""The counsellors' workspace: every document of the library, new rule sets (from the starter,
a copy of any version, or an uploaded file), the editor, and every version to download.

Saving stores a new version, even one that does not load (its errors are shown at their lines,
in the CLI's words); the public keeps the published version until a change is published
(webapp/review.py). A save carries the version it was based on: if someone saved since, it is
refused with "changed since you opened it" and what they changed, never overwritten silently.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Response, abort, g, make_response, redirect, render_template, request, url_for

from assessments.analysis.guarantees import scenario_case
from assessments.analysis.lines import text_diff
from assessments.models.base import ID_PATTERN
from webapp import audit
from webapp.accounts import AUTHOR, REVIEWER, may
from webapp.counsellor import role_required
from webapp.documents import KINDS, Stale, Version, document_path
from webapp.published import identify, unidentified
from webapp.publishing import analysis_of, approvals_needed, change_authors, check, members, newest, pending
from webapp.starters import copy_text, starter_texts
from webapp.state import AppState, state
from webapp.uploads import NAMES, Refused, checked_text, described, posted_file
from webapp.workbench import described_answers

bp = Blueprint("workspace", __name__, url_prefix="/counsellor/library")


def _kind(kind: str) -> str:
    if kind not in KINDS:
        abort(404)
    return kind


def versions_or_404(kind: str, name: str) -> list[Version]:
    """Give the newest versions of a document and its members, or abort with 404."""
    found = newest(state().documents, _kind(kind), name)
    if not found or found[0].kind != kind or found[0].name != name:
        abort(404)
    return found


@bp.get("/")
@role_required(AUTHOR)
def library() -> str:
    """List every document with its published and newest version, and what waits for review."""
    current = state()
    return render_template(
        "workspace/library.html",
        summaries=current.documents.summaries(),
        waiting=_waiting(current),
        needed=approvals_needed(current.documents),
        questionnaires=sorted(current.library.questionnaires.values(), key=lambda q: q.title),
        names=NAMES,
        imports=current.imports,
    )


def _waiting(current: AppState) -> list[Version]:
    """Give what waits for review, a rule set's scenario file under its rule set."""
    found = current.documents.in_review()
    rulesets = {v.name for v in found if v.kind == "ruleset"}
    return [v for v in found if not (v.kind == "scenarios" and v.name in rulesets)]


# --- new documents --------------------------------------------------------------------------
@bp.post("/new")
@role_required(AUTHOR)
def new_ruleset() -> Response | tuple[str, int]:
    """Start a rule set from the starter for a questionnaire, with a starter scenario file."""
    current = state()
    ruleset_id = request.form.get("ruleset_id", "").strip()
    questionnaire = current.library.questionnaires.get(request.form.get("questionnaire", ""))
    try:
        if questionnaire is None:
            raise Refused("Choose a questionnaire that is published.")
        _new_id(ruleset_id, "ruleset")
        texts = starter_texts(current.library, questionnaire, ruleset_id)
    except Refused as refused:
        return _library_with(str(refused), refused.status)
    for kind, text in texts:
        current.documents.save(
            kind, ruleset_id, text, author=g.counsellor, based_on=0, origin=f"starter for {questionnaire.id}"
        )
    return redirect(url_for("workspace.edit", kind="ruleset", name=ruleset_id), 303)


def _new_id(name: str, kind: str) -> None:
    if not re.fullmatch(ID_PATTERN, name):
        raise Refused(f"'{name}' is not a valid id: use lowercase letters, digits and hyphens, e.g. 'my-red-flags'.")
    if any(state().documents.latest(k, name) for k in ({kind, "scenarios"} if kind == "ruleset" else {kind})):
        raise Refused(f"{described(kind, name)} exists already: open it, or choose another id.")


def _library_with(message: str, status: int) -> tuple[str, int]:
    g.refusal = message
    return library(), status


@bp.post("/upload")
@role_required(AUTHOR)
def upload_new() -> Response | tuple[str, int]:
    """Store an uploaded file as the first draft of a new document of the kind chosen."""
    kind = request.form.get("kind", "")
    try:
        if kind not in KINDS:
            raise Refused("Choose what the file is: a rule set, questionnaire, scenario file or policy.", 400)
        filename, text = posted_file()
        checked_text(text, kind, None)
        identity = identify(text.encode("utf-8"))
        if identity is None:
            raise Refused(unidentified(text.encode("utf-8"), filename) + ". Nothing was stored.")
        _new_id(identity[1], kind)
    except Refused as refused:
        return _library_with(str(refused), refused.status)
    state().documents.save(kind, identity[1], text, author=g.counsellor, based_on=0, origin=f"uploaded {filename}")
    return redirect(url_for("workspace.edit", kind=kind, name=identity[1]), 303)


@bp.post("/<kind>/<name>/copy")
@role_required(AUTHOR)
def copy(kind: str, name: str) -> Response | tuple[str, int]:
    """Start a new document from a copy of any version (a rule set brings its scenario file)."""
    documents = state().documents
    number = request.form.get("version", type=int) or 0
    source = documents.version(_kind(kind), name, number) or abort(404)
    new_name = request.form.get("new_id", "").strip()
    try:
        _new_id(new_name, kind)
    except Refused as refused:
        return document_page(kind, name, alert=str(refused), status=refused.status)
    copies = [(kind, copy_text(source.text, kind, new_name))]
    if kind == "ruleset":
        cases = documents.current_at("scenarios", name, source.published_in or 0) or documents.latest("scenarios", name)
        if cases is not None:
            copies.append(("scenarios", copy_text(cases.text, "scenarios", new_name)))
    for copy_kind, text in copies:
        origin = f"copy of {described(kind, name)} v{number}"
        documents.save(copy_kind, new_name, text, author=g.counsellor, based_on=0, origin=origin, action="copied")
    return redirect(url_for("workspace.edit", kind=kind, name=new_name), 303)


# --- one document ---------------------------------------------------------------------------
def document_page(kind: str, name: str, *, alert: str | None = None, status: int = 200, **extra: Any) -> Any:
    """Render a document's page: its state, the actions open to this counsellor, its checks and history."""
    current = state()
    documents = current.documents
    shown = versions_or_404(kind, name)
    change = pending(documents, kind, name)
    checked = check(current, change)
    approvers = documents.approvals(change[0]) if change else []
    history = [(k, n, documents.versions(k, n)) for k, n in members(kind, name)]
    html = render_template(
        "workspace/document.html",
        kind=kind,
        name=name,
        shown=shown,
        change=change,
        checked=checked,
        published=[documents.current(k, n) for k, n in members(kind, name)],
        approvers=approvers,
        needed=approvals_needed(documents),
        authors=change_authors(documents, kind, name),
        history=history,
        reviews=documents.reviews(kind, name),
        entries=sorted(
            (e for k, n in members(kind, name) for e in audit.entries(documents.engine, kind=k, name=n)),
            key=lambda e: e.id,
            reverse=True,
        ),
        answers_shown=lambda answers: described_answers(checked.library, answers),
        case_text=scenario_case,
        may_review=may(g.role, REVIEWER),
        alert=alert,
        described=described,
        names=NAMES,
        **extra,
    )
    return html if status == 200 else (html, status)


@bp.get("/<kind>/<name>")
@role_required(AUTHOR)
def document(kind: str, name: str) -> Any:
    """Show a document: published and pending versions, actions, checks, history and audit."""
    return document_page(kind, name)


def editor(current: AppState, kind: str, name: str, *, texts: dict[str, str] | None = None, **extra: Any) -> str:
    """Render the editor for a document (a rule set with its scenario file beside it)."""
    shown = versions_or_404(kind, name)
    members_shown = {k: next((v for v in shown if v.kind == k), None) for k, _ in members(kind, name)}
    checked = check(current, pending(current.documents, kind, name))
    analysis = analysis_of(current, checked.library, name) if kind == "ruleset" else None
    return render_template(
        "workspace/edit.html",
        kind=kind,
        name=name,
        members=members_shown,
        texts=texts or {k: (v.text if v else "") for k, v in members_shown.items()},
        checked=checked,
        analysis=analysis,
        path_of=document_path,
        line_id=line_id,
        anchor=lambda problem: _anchor(problem, checked, members_shown),
        answers_shown=lambda answers: described_answers(checked.library, answers),
        case_text=scenario_case,
        excerpts=excerpts,
        names=NAMES,
        described=described,
        **extra,
    )


def _anchor(problem: str, checked: Any, shown: dict[str, Version | None]) -> str | None:
    """Give where a problem's line is listed on the editor page, if it is."""
    found = _POSITION.match(problem)
    if not found:
        return None
    for version in shown.values():
        if version is not None and str(version.path) == found["path"]:
            lines = checked.by_line.get(version.path, {})
            return line_id(version.path, int(found["line"])) if int(found["line"]) in lines else None
    return None


@bp.get("/<kind>/<name>/edit")
@role_required(AUTHOR)
def edit(kind: str, name: str) -> str:
    """Edit the newest version: its checks (errors at their lines, cases, guarantees, analysis)."""
    return editor(state(), kind, name)


@bp.post("/<kind>/<name>/edit")
@role_required(AUTHOR)
def save(kind: str, name: str) -> Any:
    """Store what was written as new draft versions (only the parts that changed)."""
    current = state()
    shown = {v.kind: v for v in versions_or_404(kind, name)}
    texts = {k: request.form.get(f"text_{k}", "").replace("\r\n", "\n") for k, _ in members(kind, name)}
    based = {k: int(request.form.get(f"based_{k}", "0") or 0) for k in texts}
    for member_kind, text in texts.items():
        try:
            checked_text(text, member_kind, name)
        except Refused as refused:
            refused.kind = member_kind
            return editor(current, kind, name, texts=texts, refusal=refused), refused.status
    changed = {
        k: text
        for k, text in texts.items()
        if not ((shown.get(k) is None and not text.strip()) or (shown.get(k) is not None and shown[k].text == text))
    }  # unchanged parts (or a scenario file never started and left empty) make no new version
    for member_kind in changed:  # refuse before storing anything, so a save is never half done
        latest = shown.get(member_kind)
        if (latest.number if latest else 0) != based[member_kind]:
            return _stale(current, kind, name, member_kind, texts, based[member_kind], Stale(latest))
    for member_kind, text in changed.items():
        try:
            current.documents.save(
                member_kind, name, text, author=g.counsellor, based_on=based[member_kind], origin="saved in the editor"
            )
        except Stale as stale:
            return _stale(current, kind, name, member_kind, texts, based[member_kind], stale)
    return redirect(url_for("workspace.edit", kind=kind, name=name), 303)


def _stale(
    current: AppState, kind: str, name: str, member_kind: str, texts: dict[str, str], based_on: int, stale: Stale
) -> tuple[str, int]:
    """Refuse a save made over someone else's: show what they changed, keep what this person wrote."""
    latest = stale.latest
    opened = current.documents.version(member_kind, name, based_on) if based_on else None
    changes = text_diff(opened.text if opened else "", latest.text if latest else "")
    return editor(
        current, kind, name, texts=texts, stale=latest, stale_kind=member_kind, opened=based_on, changes=changes
    ), 409


@bp.post("/<kind>/<name>/upload")
@role_required(AUTHOR)
def upload(kind: str, name: str) -> Any:
    """Store an uploaded file as the new draft of this document (it must be this document)."""
    current = state()
    latest = versions_or_404(kind, name)[0]
    try:
        filename, text = posted_file()
        checked_text(text, kind, name)
    except Refused as refused:
        refused.kind = kind
        texts = {v.kind: v.text for v in versions_or_404(kind, name)}
        if refused.line is not None:
            texts[kind] = text  # show the file where it is wrong
        return editor(current, kind, name, texts=texts, refusal=refused), refused.status
    try:
        current.documents.save(
            kind,
            name,
            text,
            author=g.counsellor,
            based_on=int(request.form.get("based_on", latest.number)),
            origin=f"uploaded {filename}",
            action="uploaded",
        )
    except Stale as stale:
        return _stale(current, kind, name, kind, {kind: text}, int(request.form.get("based_on", 0)), stale)
    return redirect(url_for("workspace.edit", kind=kind, name=name), 303)


@bp.get("/<kind>/<name>/v<int:number>.yaml")
@role_required(AUTHOR)
def download(kind: str, name: str, number: int) -> Response:
    """Give any version as the YAML file it is, exactly as written."""
    version = state().documents.version(_kind(kind), name, number) or abort(404)
    response = make_response(version.raw)
    response.headers["Content-Type"] = "application/yaml; charset=utf-8"
    filename = document_path(kind, name).name.replace(".yaml", f".v{number}.yaml")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


_POSITION = re.compile(r"^(?P<path>[\w./-]+\.ya?ml):(?P<line>\d+):")


def line_id(path: object, line: int) -> str:
    """Give the id of a listed line, for links from the problems to it."""
    return f"{str(path).replace('/', '-').replace('.', '-')}-L{line}"


def excerpts(text: str, lines: dict[int, list[str]], around: int = 2) -> list[list[tuple[int, str, list[str]]]]:
    """Give the lines with problems and a few either side, as runs of (number, text, problems there)."""
    all_lines = text.splitlines() or [""]
    wanted = sorted({n for line in lines for n in range(line - around, line + around + 1) if 1 <= n <= len(all_lines)})
    runs: list[list[tuple[int, str, list[str]]]] = []
    for number in wanted:
        if not runs or runs[-1][-1][0] != number - 1:
            runs.append([])
        runs[-1].append((number, all_lines[number - 1], lines.get(number, [])))
    return runs
