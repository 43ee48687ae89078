"""The person's journey: home, a page of questions at a time, check your answers, submit."""

from __future__ import annotations

import hashlib
from typing import Any

from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from assessments import AssessmentError
from assessments.answers import response_reader
from assessments.models import MultipleChoice, Question
from assessments.options import label_for
from webapp import draft_idle
from webapp.flows import Flow, Page
from webapp.forms import field_name, form_class, to_answer, to_form_data
from webapp.interruption import interruption_after
from webapp.state import state

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
    """Give the draft answers for this flow, or {} (a draft for another flow is left alone)."""
    draft_id = session.get("draft")
    if not draft_id:
        return {}
    found = state().store.load_draft(draft_id, max_idle=draft_idle(current_app))
    if found is None or found[0] != flow.ruleset_id:
        return {}
    answers: dict[str, Any] = found[1]
    return answers


def _save_answers(flow: Flow, answers: dict[str, Any]) -> None:
    session["draft"] = state().store.save_draft(session.get("draft"), flow.ruleset_id, answers)


def prune_hidden(flow: Flow, answers: dict[str, Any]) -> None:
    """Drop answers to questions that are no longer asked after an earlier answer changed."""
    for page in flow.pages:
        shown = {q.id for q in flow.visible_questions(page, answers)}
        mine = answers.get(page.questionnaire.id, {})
        for question in page.questions:
            if question.id not in shown:
                mine.pop(question.id, None)


def _next_page(flow: Flow, answers: dict[str, Any], after: int) -> int | None:
    return next((i for i in flow.visible_pages(answers) if i > after), None)


def next_url(flow: Flow, answers: dict[str, Any], after: int, *, review: bool) -> str:
    """Give where the journey goes after page `after`: the next page asked, or check your answers
    (by way of any pages the change revealed, when coming from it)."""
    if review:
        return _review_url(flow, answers, _revealed_pages(), after)
    following = _next_page(flow, answers, after)
    if following is None:
        return url_for("public.review", flow_id=flow.ruleset_id)
    return url_for("public.page", flow_id=flow.ruleset_id, number=following + 1)


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
        following = _next_page(flow, answers, index)
        if request.args.get("review"):
            return redirect(_review_url(flow, answers, _revealed_pages(), index))
        return _go_on(flow, following, review=False)
    page_ = flow.pages[index]
    source = state().library.source("questionnaire", page_.questionnaire.id)
    form_type = form_class(page_, state().form_classes, source.content_hash)
    hidden = [field_name(q.id) for q in page_.questions if q not in questions]
    if request.method == "POST":
        _refuse_duplicate_fields(questions)
        form = form_type()
        for name in hidden:
            del form[name]
        if form.validate():
            before = {group: dict(given) for group, given in answers.items()}
            shown_before = _shown(flow, answers)
            mine = answers.setdefault(page_.questionnaire.id, {})
            for question in questions:
                value = to_answer(question, form[field_name(question.id)].data)
                if value is None:
                    mine.pop(question.id, None)
                else:
                    mine[question.id] = value
            prune_hidden(flow, answers)
            _save_answers(flow, answers)
            review = bool(request.args.get("review"))
            # from "Check your answers", questions this change reveals are asked before going back
            revealed = _revealed_pages() | {i for i, _ in _shown(flow, answers) - shown_before} if review else set()
            if interruption_after(flow, before, answers, index):
                return redirect(
                    url_for(
                        "interruption.show",
                        flow_id=flow.ruleset_id,
                        number=number,
                        review=1 if review else None,
                        revealed=",".join(str(i + 1) for i in sorted(revealed)) or None,
                    )
                )
            if review:
                return redirect(_review_url(flow, answers, revealed, index))
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
    return render_template(
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
    )


def _go_on(flow: Flow, following: int | None, *, review: bool) -> Response:
    if following is None or review:
        return redirect(url_for("public.review", flow_id=flow.ruleset_id))
    return redirect(url_for("public.page", flow_id=flow.ruleset_id, number=following + 1))


def _shown(flow: Flow, answers: dict[str, Any]) -> set[tuple[int, str]]:
    """Give (page index, question id) of every question asked for these answers."""
    return {(i, q.id) for i in flow.visible_pages(answers) for q in flow.visible_questions(flow.pages[i], answers)}


def _revealed_pages() -> set[int]:
    """Give the pages still to visit (0-based) that earlier changes revealed, from ?revealed=3,5."""
    given = request.args.get("revealed", "")
    return {int(n) - 1 for n in given.split(",") if n.isdigit() and int(n) > 0}


def _review_url(flow: Flow, answers: dict[str, Any], revealed: set[int], here: int) -> str:
    """Give the next page with newly revealed questions (carrying the rest along), or the review."""
    pending = sorted(i for i in revealed - {here} if i in flow.visible_pages(answers))
    if not pending:
        return url_for("public.review", flow_id=flow.ruleset_id)
    rest = ",".join(str(i + 1) for i in pending[1:]) or None
    return url_for("public.page", flow_id=flow.ruleset_id, number=pending[0] + 1, review=1, revealed=rest)


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
    answers = load_answers(flow)
    if not answers:  # nothing in progress (or the person used "Exit this page"): start afresh
        return redirect(url_for("public.home"))
    dropped = _drop_misfits(flow, answers)
    if dropped:  # the questionnaire changed under the draft: keep what still fits, ask again for the rest
        _save_answers(flow, answers)
    elif request.method == "POST":
        return _submit(flow, answers)
    return render_template("public/review.html", flow=flow, summary=_summary(flow, answers), dropped=dropped)


def _drop_misfits(flow: Flow, answers: dict[str, Any]) -> list[tuple[str, str | None]]:
    """Drop answers the questionnaires no longer accept (an option removed, a maximum lowered, a
    question gone); give each one's question text and the page to answer it again on."""
    _, _, problems = response_reader(list(flow.questionnaires)).read(answers)
    dropped: list[tuple[str, str | None]] = []
    for (questionnaire_id, question_id), _message in problems:
        mine = answers.get(questionnaire_id)
        if not question_id or not isinstance(mine, dict):  # a questionnaire the check no longer has
            answers.pop(questionnaire_id, None)
            continue
        if question_id not in mine:
            continue
        del mine[question_id]
        where = next(
            (i for i, p in enumerate(flow.pages) if p.questionnaire.id == questionnaire_id and p.has(question_id)),
            None,
        )
        if where is None:
            dropped.append(("A question that is no longer asked", None))
        else:
            text = next(q.text for q in flow.pages[where].questions if q.id == question_id)
            dropped.append((text, url_for("public.page", flow_id=flow.ruleset_id, number=where + 1, review=1)))
    return dropped


def _submit(flow: Flow, answers: dict[str, Any]) -> Response:
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
    result_id = app_state.store.save_result(
        answers,
        version_key=version_key,
        ruleset_id=flow.ruleset_id,
        ruleset_hash=ruleset_source.content_hash,
        ruleset_text=ruleset_source.text,
        questionnaires=questionnaires,
    )
    draft_id = session.pop("draft", None)
    if draft_id:
        app_state.store.delete_draft(draft_id)
    # only this visit may see the result: after "Exit this page" clears the session, the back
    # button finds nothing
    session["results"] = [*session.get("results", [])[-4:], result_id]
    return redirect(url_for("results.show", result_id=result_id))
