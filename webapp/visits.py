"""A visit is the unit of privacy: the drafts, results and cached PDFs of one browser session.

The session cookie holds the visit's id and its random key; the database holds the visit's
rows, sealed with that key (webapp/crypto.py). The key is never logged or stored on the
server, so once the cookie is gone — "Exit this page", "Delete my answers", expiry, or a
lost cookie — nothing the visit left behind can be read. `forget()` deletes every row of the
visit as well, however many results it has.

A cookie whose visit no longer exists (a copy kept from before an exit) opens nothing, and the
next save starts a new visit with a new id and key instead of bringing the old one back.
"""

from __future__ import annotations

import base64
import dataclasses
import secrets
from dataclasses import dataclass
from typing import Any

from flask import current_app, g, session

from webapp import crypto, draft_idle, retention
from webapp.state import state
from webapp.storage import RulesetVersion, StoredResult, new_id

_ID = "visit"
_KEY = "visit_key"


@dataclass(frozen=True)
class Visit:
    """A visit's id (stored in clear) and key (only ever in its cookie)."""

    id: str
    key: bytes


@dataclass
class Draft:
    """Answers in progress for one check, and the token that makes submitting them happen once."""

    answers: dict[str, Any]
    submission: str


def current() -> Visit | None:
    """Give the visit this session's cookie names, or None."""
    visit_id, key = session.get(_ID), session.get(_KEY)
    if not isinstance(visit_id, str) or not isinstance(key, str):
        return None
    try:
        raw = base64.urlsafe_b64decode(key.encode())
    except ValueError:
        return None
    return Visit(visit_id, raw) if len(raw) == crypto.KEY_BYTES else None


def _start() -> Visit:
    visit = Visit(new_id(), crypto.new_key())
    state().store.create_visit(visit.id)
    session[_ID] = visit.id
    session[_KEY] = base64.urlsafe_b64encode(visit.key).decode()
    return visit


def _context(*parts: str) -> bytes:
    return ":".join(parts).encode()


def result_context(visit_id: str, result_id: str) -> bytes:
    """Give what a result's sealed answers are bound to (also for a render process, webapp/pdfjobs.py)."""
    return _context("result", visit_id, result_id)


def pdf_context(visit_id: str, result_id: str, version_key: str) -> bytes:
    """Give what a cached PDF summary is bound to: its visit, result and rule-set version."""
    return _context("pdf", visit_id, result_id, version_key)


def _drafts() -> dict[str, Draft]:
    if "drafts" not in g:
        g.drafts = {}
    found: dict[str, Draft] = g.drafts
    return found


def load_draft(flow_id: str) -> Draft | None:
    """Give this visit's draft for a check, if one is kept and has not expired."""
    visit = current()
    if visit is None:
        return None
    slot = crypto.label(visit.key, "draft:" + flow_id)
    sealed = state().store.load_draft(visit.id, slot, max_idle=draft_idle(current_app))
    if sealed is None:
        return None
    try:
        payload = crypto.unseal_json(visit.key, sealed, _context("draft", visit.id, slot))
    except crypto.Unreadable:
        return None
    draft = Draft(answers=payload["answers"], submission=payload["submission"])
    _drafts()[flow_id] = draft
    return draft


def save_draft(flow_id: str, answers: dict[str, Any]) -> None:
    """Keep the answers so far for a check (each check its own draft), sealed with the visit's key."""
    known = _drafts().get(flow_id)
    draft = Draft(answers, known.submission if known else secrets.token_urlsafe(24))
    visit = current() or _start()
    if not _put_draft(visit, flow_id, draft):
        _put_draft(_start(), flow_id, draft)  # the visit ended (e.g. exit in another tab): begin anew
    _drafts()[flow_id] = draft


def _put_draft(visit: Visit, flow_id: str, draft: Draft) -> bool:
    slot = crypto.label(visit.key, "draft:" + flow_id)
    payload = {"answers": draft.answers, "submission": draft.submission}
    sealed = crypto.seal_json(visit.key, payload, _context("draft", visit.id, slot))
    return state().store.save_draft(visit.id, slot, sealed)


def save_result(flow_id: str, draft: Draft, version: RulesetVersion) -> str | None:
    """Store the result of submitting a draft and delete the draft; give the result's id.

    Submitting the same draft again (a double click, a second tab, a replayed request) gives
    the id of the result the first submit stored. None when the visit is gone.
    """
    visit = current()
    if visit is None:
        return None
    result_id = new_id()
    sealed = crypto.seal_json(visit.key, draft.answers, result_context(visit.id, result_id))
    return state().store.save_result(
        visit.id,
        result_id,
        submission=draft.submission,
        sealed=sealed,
        version=version,
        draft_slot=crypto.label(visit.key, "draft:" + flow_id),
    )


def result_of_submission(submission: str) -> str | None:
    """Give the id of the result this visit already stored for a submission token, if any."""
    visit = current()
    if visit is None or not submission:
        return None
    return state().store.result_of_submission(visit.id, submission)


def load_result(result_id: str) -> StoredResult | None:
    """Give one of this visit's results with its answers opened, or None (not this visit's, or expired)."""
    visit = current()
    if visit is None:
        return None
    stored = state().store.load_result(visit.id, result_id, retention=retention(current_app))
    if stored is None:
        return None
    try:
        answers = crypto.unseal_json(visit.key, stored.sealed, result_context(visit.id, result_id))
    except crypto.Unreadable:
        return None
    return dataclasses.replace(stored, answers=answers)


def cached_pdf(stored: StoredResult) -> bytes | None:
    """Give the PDF summary kept for one of this visit's results, if any."""
    visit = current()
    sealed = state().store.cached_pdf(stored.id, stored.version_key)
    if visit is None or sealed is None:
        return None
    try:
        return crypto.unseal(visit.key, sealed, pdf_context(visit.id, stored.id, stored.version_key))
    except crypto.Unreadable:
        return None


def cache_pdf(stored: StoredResult, body: bytes) -> None:
    """Keep a rendered PDF summary of one of this visit's results, sealed like its answers."""
    visit = current()
    if visit is not None:
        sealed = crypto.seal(visit.key, body, pdf_context(visit.id, stored.id, stored.version_key))
        state().store.cache_pdf(stored.id, stored.version_key, sealed)


def forget() -> int:
    """Delete every row of this visit and end it in the cookie; give how many rows went.

    The cookie is cleared only once the rows are gone, so a failed delete can be tried again.
    """
    visit = current()
    gone = state().store.delete_visit(visit.id) if visit is not None else 0
    session.clear()
    return gone
