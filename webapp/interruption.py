"""The interruption page: as soon as the answers given so far make a flag with `interrupt: true`
certain to be raised, whatever the rest will be, the person sees that flag's help before the
next page, and chooses: see the result now, carry on, or leave.

It is decided on the server from the draft alone (nothing else is recorded), so it works
without JavaScript, and it is worked out afresh on every visit: Back, "Check your answers" and
the change links go on working around it.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, render_template, request, url_for
from werkzeug.wrappers import Response

from assessments.analysis.partial import PartialAnswers
from assessments.presentation import by_country, unique_resources
from webapp import changes, visits
from webapp.countries import chosen_country, listed
from webapp.flows import Flow
from webapp.state import state

bp = Blueprint("interruption", __name__)


def _partial(flow: Flow) -> PartialAnswers:
    library = state().library
    key = library.content_key(flow.ruleset_id)
    found = state().partials.get(key)
    if found is None:
        found = state().partials[key] = PartialAnswers(library.scorer(flow.ruleset_id))
    return found


def asked(flow: Flow, answers: dict[str, Any], through: int) -> set[tuple[str, str]]:
    """Give the questions put to the person on the pages up to and including `through`."""
    return {
        (page.questionnaire.id, question.id)
        for index in flow.visible_pages(answers)
        if index <= through
        for page in [flow.pages[index]]
        for question in flow.visible_questions(page, answers)
    }


def certain_interruptions(flow: Flow, answers: dict[str, Any], through: int) -> list[str]:
    """Give the interrupting flags the answers up to page `through` make certain, in the rule set's order."""
    ruleset = state().library.ruleset(flow.ruleset_id)
    wanted = [f.id for f in ruleset.flags if f.interrupt]
    if not wanted:
        return []
    raised = _partial(flow).certain_flags(answers, asked(flow, answers, through))
    return [f for f in wanted if f in raised]


def interruption_after(flow: Flow, before: dict[str, Any], after: dict[str, Any], index: int) -> bool:
    """Give whether answering page `index` (before -> after) made a new interrupting flag certain."""
    now = certain_interruptions(flow, after, index)
    return bool(now) and not set(now) <= set(certain_interruptions(flow, before, index - 1))


@bp.get("/check/<flow_id>/<int:number>/safety")
def show(flow_id: str, number: int) -> str | Response:
    """Show the help for what the answers so far make certain, and the three ways on."""
    flow = state().flows.get(flow_id)
    if flow is None or not 1 <= number <= len(flow.pages):
        abort(404)
    draft = visits.load_draft(flow.ruleset_id)
    answers = draft.answers if draft is not None else {}
    flag_ids = certain_interruptions(flow, answers, number - 1)
    if not flag_ids:
        abort(404)  # nothing certain: no interruption for these answers (e.g. an answer was changed)
    ruleset = state().library.ruleset(flow.ruleset_id)
    flags = [f for f in ruleset.flags if f.id in flag_ids]
    certain = _partial(flow).certain_outcome(answers, asked(flow, answers, number - 1))
    outcome = ruleset.outcome(certain) if certain is not None else None
    resources = unique_resources(r for f in flags for r in f.resources)
    countries = listed(resources)
    country = chosen_country(countries)
    return render_template(
        "public/interruption.html",
        flow=flow,
        flags=flags,
        outcome=outcome,
        arranged=by_country(resources, country),
        country=country,
        countries=countries,
        here=request.path,
        back=url_for("public.page", flow_id=flow.ruleset_id, number=number, review=request.args.get("review") or None),
        carry_on=_carry_on(flow, answers, number - 1, review=bool(request.args.get("review"))),
        review=bool(request.args.get("review")),
        result_now=url_for("public.review", flow_id=flow.ruleset_id),
        submission=draft.submission if draft is not None else "",
    )


def _carry_on(flow: Flow, answers: dict[str, Any], after: int, *, review: bool) -> str:
    if review:  # back to "Check your answers", by way of any questions the change revealed
        return changes.review_url(flow, answers, changes.revealed_pages(), after)
    following = flow.next_page(answers, after)
    if following is None:
        return url_for("public.review", flow_id=flow.ruleset_id)
    return url_for("public.page", flow_id=flow.ruleset_id, number=following + 1)
