"""Stored results: shown exactly as scored (with the rule-set version kept beside them) and deleted on request."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, make_response, redirect, render_template, request, url_for
from markupsafe import Markup
from werkzeug.wrappers import Response

from assessments import Result, Scorer
from assessments.bounds import score_ranges
from assessments.presentation import by_country, present
from reports.chart import chart_notes, score_chart_svg
from webapp import visits
from webapp.countries import chosen_country, listed
from webapp.errors import log_storage_failure, not_deleted_page
from webapp.pdfjobs import FAILED, RenderJob, Summaries, scorer_for
from webapp.state import state
from webapp.storage import StoredResult

bp = Blueprint("results", __name__)


def stored_scorer(stored: StoredResult) -> Scorer:
    """Give the Scorer for the exact rule-set version a result used, built once per version."""
    scorer: Scorer = scorer_for(stored, state().stored_scorers)
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
    """Give the result's PDF summary to download when it is made; otherwise get it made and say so.

    The request never makes the PDF itself (webapp/pdfjobs.py): it hands the job over and
    sends the person to a page that refreshes itself until the summary is ready.
    """
    stored, _, _ = load(result_id)  # the same checks as the page: this visit's, still stored
    body = visits.cached_pdf(stored)
    if body is None:
        job = _job(stored)
        found = _summaries().status(job)
        if found is None or found.needs_retry(_pdf_timeout()):
            _summaries().request(job)
        return redirect(url_for("results.summary", result_id=result_id), code=303)
    response = make_response(body)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="summary-{stored.created_at:%Y-%m-%d}.pdf"'
    return response


@bp.get("/result/<result_id>/summary")
def summary(result_id: str) -> Response:
    """Say whether the PDF summary is ready (then download it), being made (refresh), or failed (try again).

    Without JavaScript the page reloads itself every second (a meta refresh); with it,
    static/summary.js asks in the background and reloads once, when the answer changes.
    """
    stored, _, _ = load(result_id)
    pdf_url = url_for("results.pdf", result_id=result_id)
    if visits.cached_pdf(stored) is not None:
        return make_response(
            render_template("results/summary.html", state="ready", pdf_url=pdf_url, result_id=result_id)
        )
    found = _summaries().status(_job(stored))
    if found is None or found.needs_retry(_pdf_timeout()):
        reason = found.reason if found is not None and found.state == FAILED else "lost"
        page = render_template(
            "results/summary.html", state="failed", reason=reason, pdf_url=pdf_url, result_id=result_id
        )
        return make_response(page, 503, {"Retry-After": "5"})
    return make_response(render_template("results/summary.html", state="making", pdf_url=pdf_url, result_id=result_id))


def _summaries() -> Summaries:
    found: Summaries = current_app.extensions["rekindle_pdf"]
    return found


def _pdf_timeout() -> float:
    return float(current_app.config["REKINDLE_PDF_TIMEOUT"])


def _job(stored: StoredResult) -> RenderJob:
    visit = visits.current()
    if visit is None:  # load() has just opened the result with this visit's key
        abort(404)
    return RenderJob(visit.id, visit.key, stored.id, stored.version_key)
