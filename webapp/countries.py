"""Which country's services a person sees first: chosen by them, kept only in their session.

Until they choose, the browser's language (en-GB, en-AU, ...) suggests one when it names a
country we list services for; "all countries" is a choice too. Nothing is stored elsewhere.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import Blueprint, abort, redirect, request, session
from werkzeug.wrappers import Response

from assessments.models import Resource
from assessments.presentation import COUNTRY_NAMES

bp = Blueprint("countries", __name__)

ALL = "all"  # the person chose to see every country's services


def country_name(code: str) -> str:
    """Give a country's name for a two-letter code (the code itself when we have no name)."""
    return COUNTRY_NAMES.get(code, code)


def listed(resources: Iterable[Resource]) -> list[str]:
    """Give the countries these services are for, by name, `any` left out."""
    codes = {r.country for r in resources if r.country != "any"}
    return sorted(codes, key=country_name)


def chosen_country(available: Iterable[str]) -> str | None:
    """Give the country whose services come first, or None for every country alike."""
    codes = set(available)
    picked = session.get("country")
    if picked == ALL:
        return None
    if picked in codes:
        return str(picked)
    for language in request.accept_languages.values():
        region = language.split("-")[1].upper() if "-" in language else ""
        if region == "UK":
            region = "GB"
        if region in codes:
            return region
    return None


def _local(target: str | None) -> str:
    """Give a path on this site to go back to (never another site)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


@bp.post("/country")
def choose() -> Response:
    """Remember, in this visit's session only, which country's services to show first."""
    code = request.form.get("country", "")
    if code != ALL and (len(code) != 2 or not code.isalpha() or not code.isupper()):
        abort(400)
    session["country"] = code
    return redirect(_local(request.form.get("next")))
