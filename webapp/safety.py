"""Leaving quickly and finding help: on every page, with or without JavaScript."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, session
from werkzeug.wrappers import Response

from assessments.models import Resource
from assessments.presentation import by_country, unique_resources
from webapp.countries import chosen_country, listed
from webapp.state import state

bp = Blueprint("safety", __name__)


@bp.get("/exit")
def leave() -> Response:
    """Forget this visit (session and draft) and go to a neutral site."""
    draft_id = session.get("draft")
    if draft_id:
        state().store.delete_draft(draft_id)
    session.clear()
    response = redirect(current_app.config["REKINDLE_EXIT_URL"])
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


def helplines() -> tuple[Resource, ...]:
    """Give the safety resources of every rule set the public pages use, each once."""
    flows = state().flows
    rulesets = [r for r in state().library.rulesets.values() if r.id in flows]
    return unique_resources(r for ruleset in rulesets for flag in ruleset.flags if flag.safety for r in flag.resources)


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
