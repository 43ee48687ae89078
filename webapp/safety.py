"""Leaving quickly and finding help: on every page, with or without JavaScript."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, session
from werkzeug.wrappers import Response

from assessments.models import Resource
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


def helplines() -> dict[str, list[Resource]]:
    """Give the safety resources of every loaded rule set, by country (`any` first), without repeats."""
    by_country: dict[str, list[Resource]] = {}
    seen: set[tuple[str, str]] = set()
    for ruleset in state().library.rulesets.values():
        for flag in ruleset.flags:
            if not flag.safety:
                continue
            for resource in flag.resources:
                if (resource.name, resource.country) not in seen:
                    seen.add((resource.name, resource.country))
                    by_country.setdefault(resource.country, []).append(resource)
    return dict(sorted(by_country.items(), key=lambda item: (item[0] != "any", item[0])))


COUNTRIES = {"any": "Anywhere", "GB": "United Kingdom", "US": "United States", "AU": "Australia", "IE": "Ireland"}


@bp.get("/help")
def get_help() -> str:
    """Give crisis and abuse helplines by country."""
    return render_template("safety/help.html", helplines=helplines(), countries=COUNTRIES)
