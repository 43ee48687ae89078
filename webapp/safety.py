"""Leaving quickly and finding help: on every page, with or without JavaScript."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, current_app, redirect, render_template, request, session
from flask_wtf.csrf import CSRFError, validate_csrf
from werkzeug.wrappers import Response
from wtforms import ValidationError

from assessments.models import Resource
from assessments.presentation import by_country, unique_resources
from webapp import visits
from webapp.countries import chosen_country, listed
from webapp.errors import log_storage_failure
from webapp.security import csrf
from webapp.state import state

bp = Blueprint("safety", __name__)


def _to_neutral_site() -> Response:
    session.clear()
    response = redirect(current_app.config["REKINDLE_EXIT_URL"], code=303)
    # the browser drops this site's cookies, storage and cached pages (the back/forward cache too)
    response.headers["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    return response


@bp.post("/exit")
@csrf.exempt  # checked below instead: a person leaving is never stopped by an expired token
def leave() -> Response:
    """Delete every row of this visit and go to a neutral site ("Exit this page", with or without JavaScript).

    Without a valid CSRF token (a form on another site) nothing is deleted, but the person still
    leaves and the cookie with the visit's key is cleared, so what was stored cannot be read.
    """
    try:
        validate_csrf(request.form.get("csrf_token"))
    except (ValidationError, CSRFError):
        return _to_neutral_site()
    try:
        visits.forget()
    except sa.exc.SQLAlchemyError as error:  # leave all the same; without the key the rows are unreadable
        log_storage_failure("deleting a visit on exit", error)
    return _to_neutral_site()


@bp.get("/exit")
def leave_link() -> Response:
    """Go to the neutral site and clear this browser's cookie, deleting nothing (a link elsewhere could
    lead here); the visit's rows, unreadable without the cookie's key, go when they expire."""
    return _to_neutral_site()


def helplines() -> tuple[Resource, ...]:
    """Give the safety resources of every rule set the public pages use, each once."""
    flows = state().flows
    rulesets = [r for r in state().library.rulesets.values() if r.id in flows]
    return unique_resources(r for ruleset in rulesets for flag in ruleset.flags if flag.safety for r in flag.resources)


@bp.get("/how-it-works")
def how_it_works() -> str:
    """Give the plain-language account of what the checks ask, in what order, and what they promise."""
    library = state().library
    checks = [(flow.title, library.ruleset(flow.ruleset_id).description) for flow in state().flows.values()]
    return render_template("safety/how.html", checks=[(title, text) for title, text in checks if text])


@bp.get("/help")
def get_help() -> str:
    """Give crisis and abuse helplines, the person's country first."""
    resources = helplines()
    countries = listed(resources)
    country = chosen_country(countries)
    return render_template(
        "safety/help.html",
        arranged=by_country(resources, country),
        country=country,
        countries=countries,
        here=request.path,
    )
