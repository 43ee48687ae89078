"""Stored results: shown exactly as scored (with the rule-set version kept beside them) and deleted on request."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, make_response, redirect, render_template, request, url_for
from markupsafe import Markup
from werkzeug.wrappers import Response

from assessments import Result, Scorer, read_source
from assessments.bounds import score_ranges
from assessments.models import Questionnaire, RuleSet
from assessments.presentation import by_country, present
from reports import RenderFailed, RenderTimeout, chart_notes, render_in_worker, render_pdf, score_chart_svg
from reports.render import warm_up
from webapp import visits
from webapp.countries import chosen_country, listed
from webapp.errors import log_storage_failure, not_deleted_page
from webapp.state import state
from webapp.storage import StoredResult

bp = Blueprint("results", __name__)


def stored_scorer(stored: StoredResult) -> Scorer:
    """Give the Scorer for the exact rule-set version a result used, built once per version."""
    cache = state().stored_scorers
    scorer = cache.get(stored.version_key)
    if scorer is None:
        ruleset = read_source(stored.ruleset_text.encode(), Path(f"{stored.ruleset_id}.yaml")).model
        questionnaires = [
            read_source(item["text"].encode(), Path(f"{qid}.yaml")).model for qid, item in stored.questionnaires.items()
        ]
        assert isinstance(ruleset, RuleSet) and all(isinstance(q, Questionnaire) for q in questionnaires)
        scorer = Scorer(
            ruleset,
            questionnaires,  # type: ignore[arg-type]
            ruleset_hash=stored.ruleset_hash,
            questionnaire_hashes={qid: item["hash"] for qid, item in stored.questionnaires.items()},
        )
        cache[stored.version_key] = scorer
    return scorer


def load(result_id: str) -> tuple[StoredResult, Scorer, Result]:
    """Give a stored result re-scored with its own rule-set version, or abort with 404.

    Only the visit that submitted the answers may see or delete the result (its key opens them).
    """
    stored = visits.load_result(result_id)
    if stored is None:
        abort(404)
    scorer = stored_scorer(stored)
    return stored, scorer, scorer.score(stored.answers)


@bp.get("/result/<result_id>")
def show(result_id: str) -> str:
    """Show a result: safety resources first when needed, the outcome, why, scores, what next.

    A result decided for safety shows no scores and no reasons towards other outcomes
    (assessments.presentation).
    """
    _, scorer, result = load(result_id)
    shown = present(result)
    chart = notes = None
    if shown.show_scores:
        ranges = score_ranges(scorer.ruleset, list(scorer.questionnaires))
        chart = Markup(score_chart_svg(result, scorer.ruleset, ranges))  # built from escaped text only
        notes = chart_notes(result, scorer.ruleset)
    countries = listed(shown.resources)
    country = chosen_country(countries)
    return render_template(
        "results/show.html",
        result=result,
        shown=shown,
        ruleset=scorer.ruleset,
        chart=chart,
        notes=notes,
        result_id=result_id,
        arranged=by_country(shown.resources, country),
        country=country,
        countries=countries,
        here=request.path,
    )


@bp.post("/result/<result_id>/delete")
def delete(result_id: str) -> Response:
    """Delete every answer of this visit for good: every result (this one too), draft and cached PDF."""
    try:
        if visits.load_result(result_id) is None:
            abort(404)
        visits.forget()
    except sa.exc.SQLAlchemyError as error:
        log_storage_failure("deleting a visit", error)
        return not_deleted_page()
    return redirect(url_for("results.deleted"))


@bp.get("/deleted")
def deleted() -> str:
    """Confirm that a result was deleted."""
    return render_template("results/deleted.html")


@bp.get("/result/<result_id>/summary.pdf")
def pdf(result_id: str) -> Response:
    """Give the result as a PDF summary to download."""
    stored, scorer, result = load(result_id)  # the same checks as the page: this visit's, still stored
    body = visits.cached_pdf(stored)
    if body is None:
        warm_up()  # once per web worker, so every forked render inherits a warm WeasyPrint
        try:
            body = render_in_worker(
                lambda: render_pdf(result, scorer.ruleset, list(scorer.questionnaires), generated_at=stored.created_at),
                timeout=float(current_app.config["REKINDLE_PDF_TIMEOUT"]),
            )
        except (RenderTimeout, RenderFailed):
            current_app.logger.warning("PDF summary could not be made in time")
            abort(503)
        visits.cache_pdf(stored, body)
    response = make_response(body)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="summary-{stored.created_at:%Y-%m-%d}.pdf"'
    return response
