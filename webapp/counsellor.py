"""The counsellors' area, behind a login: every loaded file, and every file that failed to load.

Switched off (404) while no counsellor account exists; accounts are made with
`rekindle counsellor add NAME`. Sessions live on the server (webapp/accounts.py): the cookie
holds a random token, and signing out ends every session of the account. Failed sign-ins are
throttled and password checks bounded (webapp/throttle.py).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, session, url_for
from flask_wtf import FlaskForm
from werkzeug.exceptions import ServiceUnavailable, TooManyRequests
from werkzeug.wrappers import Response
from wtforms import PasswordField, StringField
from wtforms.validators import InputRequired

from assessments.library import bundled_dirs
from webapp import counsellor_idle
from webapp.state import state

bp = Blueprint("counsellor", __name__, url_prefix="/counsellor")

# Compared against when the name is unknown, so a wrong name takes as long as a wrong password.
_DUMMY_HASH = "scrypt:32768:8:1$3Nq1HwH5m2mTt1sI$" + "0" * 128


class LoginForm(FlaskForm):
    username = StringField("Name", validators=[InputRequired("Enter your name")])
    password = PasswordField("Password", validators=[InputRequired("Enter your password")])


def _area_on() -> None:
    if not state().accounts.any():
        abort(404)


def signed_in() -> str | None:
    """Give the account whose live session this request carries, or None."""
    token = session.get("counsellor_session")
    if not isinstance(token, str):
        return None
    return state().accounts.session_user(token, max_idle=counsellor_idle(current_app))


def login_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Send anyone not signed in (or whose session was ended) to the login page."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        _area_on()
        g.counsellor = signed_in()
        if g.counsellor is None:
            session.pop("counsellor_session", None)
            return redirect(url_for("counsellor.login"))
        return view(*args, **kwargs)

    return wrapped


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | str:
    """Sign a counsellor in: throttled per account and address, one password check at a time per slot."""
    _area_on()
    form = LoginForm()
    failed = False
    if form.validate_on_submit():
        current = state()
        username, address = form.username.data or "", request.remote_addr or ""
        # the slot first: when it is taken, turning the attempt away costs no query at all
        with current.password_checks.slot() as free:
            if not free:
                raise ServiceUnavailable("password-checks-busy", retry_after=5)
            wait = current.throttle.wait(username, address)
            if wait:
                raise TooManyRequests(retry_after=wait)
            stored = current.accounts.password_hash(username)
            ok = current.password_checks.matches(stored or _DUMMY_HASH, form.password.data or "")
        if stored and ok:
            current.throttle.succeeded(username, address)
            session.clear()
            session["counsellor_session"] = current.accounts.start_session(username)
            return redirect(url_for("counsellor.rulesets"))
        current.throttle.failed(username, address)
        failed = True
    return render_template("counsellor/login.html", form=form, failed=failed)


@bp.post("/logout")
def logout() -> Response:
    """Sign out: every session of the account ends, on every device."""
    user = signed_in()
    if user is not None:
        state().accounts.end_sessions(user)
    session.pop("counsellor_session", None)
    return redirect(url_for("public.home"))


def relative(path: Path, roots: list[Path]) -> str:
    """Give a path relative to its library folder (never absolute)."""
    for root in roots:
        try:
            return f"{root.name}/{path.resolve().relative_to(root.resolve())}"
        except ValueError:
            continue
    return path.name


@bp.get("/")
@login_required
def rulesets() -> str:
    """List every loaded questionnaire and rule set, and every file that failed with its errors."""
    library = state().library
    roots = [*bundled_dirs(), *state().library_dirs]
    failed = [
        (relative(error.path, roots), [p.format(relative(error.path, roots)) for p in error.problems])
        for error in library.errors
    ]
    return render_template(
        "counsellor/rulesets.html",
        library=library,
        failed=failed,
        user=g.counsellor,
        public=set(state().flows),
        kept=set(state().kept),
        request=request,
    )
