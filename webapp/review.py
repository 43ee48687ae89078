"""A second pair of eyes: submit a change for review, approve it or send it back with a comment,
publish it, roll back to an earlier version, retire a document.

An author cannot approve a change they wrote any part of. A publish needs as many approvals as
the admins' setting (1 unless changed; 0 lets an author publish their own change). Every publish,
rollback and retire is refused while any scenario case fails or any guarantee or policy is broken
or undecided, or when it would break another document; a refusal shows why, counterexamples
included. Two publishes at once: exactly one wins, the other is told (Documents.publish).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g, redirect, request, url_for

from webapp import publishing
from webapp.accounts import AUTHOR, REVIEWER
from webapp.counsellor import role_required
from webapp.documents import DRAFT, IN_REVIEW, SENT_BACK, LostRace
from webapp.state import state
from webapp.uploads import described
from webapp.workspace import document_page, versions_or_404

bp = Blueprint("review", __name__, url_prefix="/counsellor/library/<kind>/<name>")

MAX_COMMENT = 2000


def _done(kind: str, name: str) -> Any:
    return redirect(url_for("workspace.document", kind=kind, name=name), 303)


def _refused(kind: str, name: str, what: str, problems: list[str], status: int = 409) -> Any:
    return document_page(kind, name, alert=what, problems=problems, status=status)


def _change(kind: str, name: str) -> list[Any]:
    versions_or_404(kind, name)  # 404 for a document that does not exist
    return publishing.pending(state().documents, kind, name)


@bp.post("/submit")
@role_required(AUTHOR)
def submit(kind: str, name: str) -> Any:
    """Put the change up for review, if it could be published as it is."""
    current = state()
    change = [v for v in _change(kind, name) if v.status == DRAFT]
    if not change:
        return _refused(kind, name, "There is no draft to submit.", [])
    problems = publishing.check(current, publishing.pending(current.documents, kind, name)).problems
    if problems:
        publishing.refused(current, g.counsellor, "submit", change[0], problems)
        return _refused(kind, name, "Not submitted: fix these first (publishing would be refused).", problems)
    current.documents.submit(change, actor=g.counsellor)
    return _done(kind, name)


def _reviewable(kind: str, name: str) -> tuple[list[Any], str | None]:
    change = _change(kind, name)
    if not change or any(v.status != IN_REVIEW for v in change):
        return change, "There is no change in review here."
    if g.counsellor in publishing.change_authors(state().documents, kind, name):
        return change, "You wrote part of this change, so another reviewer must review it."
    return change, None


@bp.post("/approve")
@role_required(REVIEWER)
def approve(kind: str, name: str) -> Any:
    """Approve the change; publish it when it has the approvals it needs."""
    change, why_not = _reviewable(kind, name)
    if why_not:
        return _refused(kind, name, why_not, [], 403 if "wrote" in why_not else 409)
    comment = request.form.get("comment", "").strip()[:MAX_COMMENT]
    try:
        _published, problems = publishing.approve(state(), change, reviewer=g.counsellor, comment=comment)
    except LostRace as race:
        return _refused(kind, name, f"Approved, but not published: {race}. Look again, then publish.", [])
    if problems:
        return _refused(kind, name, "Approved, but publishing was refused:", problems)
    return _done(kind, name)


@bp.post("/send-back")
@role_required(REVIEWER)
def send_back(kind: str, name: str) -> Any:
    """Send the change back to its authors as a draft, with a comment saying why."""
    change, why_not = _reviewable(kind, name)
    comment = request.form.get("comment", "").strip()[:MAX_COMMENT]
    if why_not or not comment:
        return _refused(
            kind, name, why_not or "Say in the comment what should change.", [], 400 if not why_not else 409
        )
    state().documents.review(change, reviewer=g.counsellor, decision=SENT_BACK, comment=comment)
    return _done(kind, name)


@bp.post("/publish")
@role_required(AUTHOR)
def publish(kind: str, name: str) -> Any:
    """Publish the change: with no approval needed, or once it has the approvals it needs."""
    current = state()
    change = _change(kind, name)
    if not change:
        return _refused(kind, name, "There is nothing waiting to be published.", [])
    needed = publishing.approvals_needed(current.documents)
    approvers = current.documents.approvals(change[0])
    if len(approvers) < needed:
        return _refused(
            kind, name, f"Publishing needs {needed} approval(s) from a reviewer; it has {len(approvers)}.", [], 403
        )
    try:
        problems = publishing.publish(current, change, actor=g.counsellor, detail=_approved(approvers))
    except LostRace as race:
        return _refused(kind, name, f"Not published: {race}. Look at the library again, then publish.", [])
    if problems:
        return _refused(kind, name, "Publishing was refused:", problems)
    return _done(kind, name)


def _approved(approvers: list[str]) -> str:
    return "approved by " + ", ".join(approvers) if approvers else "no approval needed"


@bp.post("/rollback/<int:number>")
@role_required(REVIEWER)
def rollback(kind: str, name: str, number: int) -> Any:
    """Publish an earlier published version again, as a new version."""
    current = state()
    versions_or_404(kind, name)
    target = current.documents.version(kind, name, number)
    if target is None or target.published_in is None or target.status == "published":
        return _refused(kind, name, f"v{number} was never published, or is published now: nothing to roll back to.", [])
    try:
        problems = publishing.rollback(current, target, actor=g.counsellor)
    except LostRace as race:
        return _refused(kind, name, f"Not rolled back: {race}. Look again, then roll back.", [])
    if problems:
        return _refused(kind, name, f"Rolling back to v{number} was refused:", problems)
    return _done(kind, name)


@bp.post("/retire")
@role_required(REVIEWER)
def retire(kind: str, name: str) -> Any:
    """Take the document off the public pages (stored results keep their own copy)."""
    current = state()
    versions_or_404(kind, name)
    try:
        problems = publishing.retire(current, kind, name, actor=g.counsellor)
    except LostRace as race:
        return _refused(kind, name, f"Not retired: {race}. Look again, then retire.", [])
    if problems:
        return _refused(kind, name, f"Retiring {described(kind, name)} was refused:", problems)
    return _done(kind, name)
