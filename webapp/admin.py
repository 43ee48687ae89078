"""For admins: counsellor accounts and their roles, the approvals a publish needs, and the audit
log of every action (to read here or download as CSV). Every change here is in the log too."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, g, make_response, redirect, render_template, request, url_for

from webapp import audit
from webapp.accounts import ADMIN, ROLES
from webapp.counsellor import role_required
from webapp.documents import APPROVALS_NEEDED
from webapp.passwords import password_problem
from webapp.publishing import approvals_needed
from webapp.state import state

bp = Blueprint("admin", __name__, url_prefix="/counsellor/admin")

MAX_APPROVALS = 5
SHOWN_ENTRIES = 500  # on the page; the CSV has every entry


def _page(alert: str | None = None, status: int = 200, **extra: Any) -> Any:
    current = state()
    html = render_template(
        "admin/accounts.html",
        accounts=current.accounts.listed(),
        roles=ROLES,
        needed=approvals_needed(current.documents),
        max_approvals=MAX_APPROVALS,
        alert=alert,
        **extra,
    )
    return html if status == 200 else (html, status)


def _done() -> Response:
    return redirect(url_for("admin.accounts"), 303)  # type: ignore[return-value]


@bp.get("/")
@role_required(ADMIN)
def accounts() -> Any:
    """Show the accounts with their roles, and the settings."""
    return _page()


@bp.post("/accounts")
@role_required(ADMIN)
def add_account() -> Any:
    """Create an account with a role (the password rules are those of `rekindle counsellor add`)."""
    from werkzeug.security import generate_password_hash

    username = request.form.get("username", "").strip()
    role = request.form.get("role", "")
    password = request.form.get("password", "")
    problem = None
    if not username or len(username) > 100:
        problem = "Enter a name of at most 100 characters."
    elif state().accounts.role(username) is not None:
        problem = f"There is already an account '{username}'."
    elif role not in ROLES:
        problem = "Choose a role."
    elif password != request.form.get("password_again", ""):
        problem = "The two passwords differ."
    else:
        problem = password_problem(password, username)
    if problem:
        return _page(problem, 422, username=username)
    state().accounts.add(username, generate_password_hash(password), role, actor=g.counsellor)
    return _done()


def _other_admins(username: str) -> bool:
    return any(name != username and role == ADMIN for name, role, _ in state().accounts.listed())


@bp.post("/accounts/<username>/role")
@role_required(ADMIN)
def change_role(username: str) -> Any:
    """Change an account's role; the last admin cannot stop being one."""
    role = request.form.get("role", "")
    if role not in ROLES or state().accounts.role(username) is None:
        return _page("Choose an existing account and a role.", 400)
    if role != ADMIN and not _other_admins(username):
        return _page(f"'{username}' is the only admin: make another account an admin first.", 409)
    state().accounts.set_role(username, role, actor=g.counsellor)
    return _done()


@bp.post("/accounts/<username>/remove")
@role_required(ADMIN)
def remove_account(username: str) -> Any:
    """Delete an account (its sessions end at once); the last admin cannot be removed."""
    if not _other_admins(username) and state().accounts.role(username) == ADMIN:
        return _page(f"'{username}' is the only admin: make another account an admin first.", 409)
    if not state().accounts.remove(username, actor=g.counsellor):
        return _page(f"There is no account '{username}'.", 404)
    return _done()


@bp.post("/settings")
@role_required(ADMIN)
def change_settings() -> Any:
    """Set how many approvals a publish needs (0 lets an author publish their own changes)."""
    value = request.form.get("approvals", "")
    if not value.isdigit() or not 0 <= int(value) <= MAX_APPROVALS:
        return _page(f"Approvals must be a whole number from 0 to {MAX_APPROVALS}.", 422)
    state().documents.set_setting(APPROVALS_NEEDED, str(int(value)), actor=g.counsellor)
    return _done()


@bp.get("/audit")
@role_required(ADMIN)
def audit_log() -> str:
    """Show the audit log, newest first."""
    engine = state().documents.engine
    return render_template("admin/audit.html", entries=audit.entries(engine, limit=SHOWN_ENTRIES), shown=SHOWN_ENTRIES)


@bp.get("/audit.csv")
@role_required(ADMIN)
def audit_csv() -> Response:
    """Give the whole audit log as CSV."""
    response = make_response(audit.as_csv(state().documents.engine))
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = 'attachment; filename="rekindle-audit.csv"'
    return response
