"""The person's journey: home, a page of questions at a time, check your answers, submit."""

from __future__ import annotations

import hashlib
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from assessments import AssessmentError
from assessments.models import MultipleChoice, Question
from assessments.options import label_for
from webapp import changes, visits
from webapp.errors import NOT_SAVED, NOT_SAVED_EARLIER_KEPT, RESULT_NOT_SAVED, log_storage_failure
from webapp.flows import Flow, Page
from webapp.forms import field_name, form_class, to_answer, to_form_data
from webapp.interruption import interruption_after
from webapp.state import state
from webapp.storage import RulesetVersion

bp = Blueprint("public", __name__)


@bp.get("/")
def home() -> str:
    """Give the home page: every public check with its summary and how long it takes."""
    flows = list(state().flows.values())
    singles = [f for f in flows if len(f.questionnaires) == 1]
    combined = [f for f in flows if len(f.questionnaires) > 1]
    return render_template("public/home.html", singles=singles, combined=combined)


def _flow(flow_id: str) -> Flow:
    flow = state().flows.get(flow_id)
    if flow is None:
        abort(404)
    return flow


def load_answers(flow: Flow) -> dict[str, Any]:
    """Give this visit's draft answers for this check, or {} (drafts of other checks are kept apart)."""
    draft = visits.load_draft(flow.ruleset_id)
    return draft.answers if draft is not None else {}


def _save_answers(flow: Flow, answers: dict[str, Any]) -> None:
    visits.save_draft(flow.ruleset_id, answers)


def prune_hidden(flow: Flow, answers: dict[str, Any]) -> None:
    """Drop answers to questions that are no longer asked after an earlier answer changed."""
    for page in flow.pages:
        shown = {q.id for q in flow.visible_questions(page, answers)}
        mine = answers.get(page.questionnaire.id, {})
        for question in page.questions:
            if question.id not in shown:
                mine.pop(question.id, None)


def _next_page(flow: Flow, answers: dict[str, Any], after: int) -> int | None:
    return flow.next_page(answers, after)


@bp.get("/check/<flow_id>/")
def start(flow_id: str) -> Response:
    """Send the person to the first page of a check."""
    flow = _flow(flow_id)
    first = _next_page(flow, load_answers(flow), -1)
    return redirect(url_for("public.page", flow_id=flow.ruleset_id, number=(first or 0) + 1))


def _progress(flow: Flow, answers: dict[str, Any], index: int) -> tuple[int, int]:
    visible = flow.visible_pages(answers)
    position = visible.index(index) + 1 if index in visible else len([i for i in visible if i < index]) + 1
    return position, len(visible)


@bp.route("/check/<flow_id>/<int:number>", methods=["GET", "POST"])
def page(flow_id: str, number: int) -> Response | str:
    """Show one page of questions, or take its answers and go on."""
    flow = _flow(flow_id)
    index = number - 1
    if not 0 <= index < len(flow.pages):
        abort(404)
    answers = load_answers(flow)
    questions = flow.visible_questions(flow.pages[index], answers)
    if not questions:  # nothing to ask here for these answers: go on
        if request.args.get("review"):
            return redirect(changes.review_url(flow, answers, changes.revealed_pages(), index))
        return _go_on(flow, _next_page(flow, answers, index), review=False)
    page_ = flow.pages[index]
    source = state().library.source("questionnaire", page_.questionnaire.id)
    form_type = form_class(page_, state().form_classes, source.content_hash)
    hidden = [field_name(q.id) for q in page_.questions if q not in questions]
    not_saved = None
    if request.method == "POST":
        _refuse_duplicate_fields(questions)
        form = form_type()
        for name in hidden:
            del form[name]
        if form.validate():
            had_earlier = any(answers.values())
            before = {group: dict(given) for group, given in answers.items()}
            shown_before = changes.shown(flow, answers)
            mine = answers.setdefault(page_.questionnaire.id, {})
            for question in questions:
                value = to_answer(question, form[field_name(question.id)].data)
                if value is None:
                    mine.pop(question.id, None)
                else:
                    mine[question.id] = value
            prune_hidden(flow, answers)
            try:
                _save_answers(flow, answers)
            except sa.exc.SQLAlchemyError as error:  # the page is shown again with what was entered
                log_storage_failure("saving a page", error)
                not_saved = NOT_SAVED_EARLIER_KEPT if had_earlier else NOT_SAVED
            else:
                review = bool(request.args.get("review"))
                # from "Check your answers", the questions this change reveals are asked before going back
                newly = {i for i, _ in changes.shown(flow, answers) - shown_before}
                revealed = changes.revealed_pages() | newly if review else set()
                if interruption_after(flow, before, answers, index):
                    return redirect(
                        url_for(
                            "interruption.show",
                            flow_id=flow.ruleset_id,
                            number=number,
                            review=1 if review else None,
                            revealed=changes.revealed_arg(revealed),
                        )
                    )
                if review:
                    return redirect(changes.review_url(flow, answers, revealed, index))
                return _go_on(flow, _next_page(flow, answers, index), review=False)
    else:
        mine = answers.get(page_.questionnaire.id, {})
        data = {field_name(q.id): to_form_data(q, mine.get(q.id)) for q in questions}
        form = form_type(formdata=None, data=data)
        for name in hidden:
            del form[name]
    position, total = _progress(flow, answers, index)
    previous = [i for i in flow.visible_pages(answers) if i < index]
    back = (
        url_for("public.page", flow_id=flow.ruleset_id, number=previous[-1] + 1) if previous else url_for("public.home")
    )
    if request.args.get("review"):
        back = url_for("public.review", flow_id=flow.ruleset_id)
    page_html = render_template(
        "public/page.html",
        flow=flow,
        page=page_,
        questions=questions,
        form=form,
        position=position,
        total=total,
        back=back,
        field_name=field_name,
        is_multiple=lambda q: isinstance(q, MultipleChoice),
        review=bool(request.args.get("review")),
        not_saved=not_saved,
    )
    return Response(page_html, status=503) if not_saved else page_html


def _go_on(flow: Flow, following: int | None, *, review: bool) -> Response:
    if following is None or review:
        return redirect(url_for("public.review", flow_id=flow.ruleset_id))
    return redirect(url_for("public.page", flow_id=flow.ruleset_id, number=following + 1))


def _refuse_duplicate_fields(questions: list[Question]) -> None:
    """A single-answer field posted twice is a tampered form: 400, not a guess at which to keep."""
    for question in questions:
        if isinstance(question, MultipleChoice):
            continue
        if len(request.form.getlist(field_name(question.id))) > 1:
            abort(400)


def _summary(flow: Flow, answers: dict[str, Any]) -> list[tuple[int, Page, list[tuple[Question, str]]]]:
    rows = []
    for index in flow.visible_pages(answers):
        page_ = flow.pages[index]
        mine = answers.get(page_.questionnaire.id, {})
        items = [
            (q, label_for(q, mine[q.id]) if q.id in mine else "Not answered")
            for q in flow.visible_questions(page_, answers)
        ]
        rows.append((index, page_, items))
    return rows


@bp.route("/check/<flow_id>/review", methods=["GET", "POST"])
def review(flow_id: str) -> Response | str:
    """Show every answer with a link to change it; on POST, score, store and show the result."""
    flow = _flow(flow_id)
    draft = visits.load_draft(flow.ruleset_id)
    if request.method == "POST" and (done := visits.result_of_submission(request.form.get("submission", ""))):
        return redirect(url_for("results.show", result_id=done))  # submitted already (double click, replay)
    if draft is None or not draft.answers:  # nothing in progress (or "Exit this page" was used): start afresh
        return redirect(url_for("public.home"))
    not_saved = None
    dropped = changes.drop_misfits(flow, draft.answers)
    if dropped:  # the questionnaire changed under the draft: keep what still fits, ask again for the rest
        _save_answers(flow, draft.answers)
    elif request.method == "POST":
        try:
            return _submit(flow, draft)
        except sa.exc.SQLAlchemyError as error:
            log_storage_failure("storing a result", error)
            not_saved = RESULT_NOT_SAVED
    html = render_template(
        "public/review.html",
        flow=flow,
        summary=_summary(flow, draft.answers),
        submission=draft.submission,
        not_saved=not_saved,
        back=_last_page_url(flow, draft.answers),
        dropped=dropped,
    )
    return Response(html, status=503) if not_saved else html


def _last_page_url(flow: Flow, answers: dict[str, Any]) -> str | None:
    """Give the last page with questions asked, for the review page's Back link."""
    visible = flow.visible_pages(answers)
    return url_for("public.page", flow_id=flow.ruleset_id, number=visible[-1] + 1) if visible else None


def _submit(flow: Flow, draft: visits.Draft) -> Response:
    answers = draft.answers
    app_state = state()
    library = app_state.library
    try:
        scorer = library.scorer(flow.ruleset_id)
        scorer.score(answers)  # refuse anything the engine would refuse before storing it
    except AssessmentError:
        abort(400)
    ruleset_source = library.source("ruleset", flow.ruleset_id)
    questionnaires = {
        q.id: {
            "hash": library.source("questionnaire", q.id).content_hash,
            "text": library.source("questionnaire", q.id).text,
        }
        for q in flow.questionnaires
    }
    version_key = hashlib.sha256(
        (ruleset_source.content_hash + "".join(v["hash"] for v in questionnaires.values())).encode()
    ).hexdigest()
    version = RulesetVersion(
        key=version_key,
        ruleset_id=flow.ruleset_id,
        ruleset_hash=ruleset_source.content_hash,
        ruleset_text=ruleset_source.text,
        questionnaires=questionnaires,
    )
    # the result belongs to this visit: only it can see it, and exit or delete takes it away
    result_id = visits.save_result(flow.ruleset_id, draft, version)
    if result_id is None:
        return redirect(url_for("public.home"))
    return redirect(url_for("results.show", result_id=result_id))
