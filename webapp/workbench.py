"""The counsellors' workbench: a rule set's page (its analysis, or its file's errors) and
"try it": fill in its questionnaires and see the full trace — every score, every rule and why
it did or did not fire, the tallies and the decision.

Any loaded rule set can be tried, including ones the public pages do not use. Nothing entered
here is stored.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, abort, render_template, url_for
from flask_wtf import FlaskForm

from assessments import Library
from assessments.analysis import Analysis, analyze
from assessments.analysis.guarantees import scenario_case
from assessments.band_names import band_name
from assessments.bounds import score_ranges
from assessments.errors import AssessmentError
from assessments.models import Question
from assessments.options import label_for
from assessments.result import DECIDED_BY, Explanation
from webapp.counsellor import login_required
from webapp.flows import flow_for
from webapp.forms import field_name, question_field, to_answer
from webapp.state import AppState, state

bp = Blueprint("workbench", __name__, url_prefix="/counsellor/rulesets")


def _loaded(ruleset_id: str) -> tuple[AppState, str]:
    current = state()
    if ruleset_id not in current.library.rulesets:
        abort(404)
    return current, current.library.content_key(ruleset_id)


def analysis_for(current: AppState, ruleset_id: str, key: str) -> Analysis:
    """Give the rule set's analysis, computed once per content (a second or two at most)."""
    found = current.analyses.get(key)
    if found is None:
        library = current.library
        ruleset = library.ruleset(ruleset_id)
        examples = library.scenario_answers(ruleset_id)
        found = current.analyses[key] = analyze(
            ruleset,
            library.questionnaires_for(ruleset),
            examples=examples,
            guarantees=library.proofs.get(ruleset_id, []),
        )
    return found


@bp.get("/<ruleset_id>")
@login_required
def ruleset(ruleset_id: str) -> str:
    """Show a rule set: what it is, its analysis, and its file's errors if it broke since loading."""
    current, key = _loaded(ruleset_id)
    library = current.library
    source = library.source("ruleset", ruleset_id)
    errors = [
        p.format(str(error.path))
        for error in library.errors
        if error.path == source.path or error.declares == ("ruleset", ruleset_id)
        for p in error.problems
    ]
    return render_template(
        "counsellor/ruleset.html",
        ruleset=library.ruleset(ruleset_id),
        source=source,
        file=str(source.path),
        errors=errors,
        analysis=analysis_for(current, ruleset_id, key),
        public=ruleset_id in current.flows,
        refused=library.refused.get(ruleset_id, []),
        case_text=scenario_case,
        described=lambda answers: described_answers(library, answers),
    )


def _field_name(questionnaire_id: str, question: Question) -> str:
    return "a_" + questionnaire_id.replace("-", "_") + "__" + field_name(question.id)


def _form_class(library: Library, cache: dict[Any, Any], ruleset_id: str) -> type[FlaskForm]:
    cache_key = (library.content_key(ruleset_id), -1, -1)  # beside the public pages' forms, keyed by content too
    found = cache.get(cache_key)
    if found is None:
        attributes = {
            _field_name(q.id, question): question_field(question, required=False)
            for q in library.questionnaires_for(library.ruleset(ruleset_id))
            for question in q.questions()
        }
        found = cache[cache_key] = type("TryForm", (FlaskForm,), attributes)
    return found


@bp.route("/<ruleset_id>/try", methods=["GET", "POST"])
@login_required
def try_it(ruleset_id: str) -> str:
    """Fill in the rule set's questionnaires and see the full trace."""
    current, _ = _loaded(ruleset_id)
    back = url_for("workbench.ruleset", ruleset_id=ruleset_id)
    return try_page(current.library, ruleset_id, cache=current.form_classes, back=back, what="Try a rule set")


def try_page(library: Library, ruleset_id: str, *, cache: dict[Any, Any], back: str, what: str) -> str:
    """Render "try it" for a rule set of a library (the published one, or one with a draft in it)."""
    ruleset_model = library.ruleset(ruleset_id)
    questionnaires = library.questionnaires_for(ruleset_model)
    form = _form_class(library, cache, ruleset_id)()
    explanation: Explanation | None = None
    dropped: list[str] = []
    refused: str | None = None
    band: str | None = None
    answers: dict[str, dict[str, Any]] = {}
    if form.validate_on_submit():
        answers, dropped = _asked_answers(library, ruleset_id, form)
        try:
            explanation = library.scorer(ruleset_id).explain(answers)
        except AssessmentError as exc:
            refused = str(exc)
        else:
            band = _band_words(library, ruleset_id, explanation)
    return render_template(
        "counsellor/try.html",
        ruleset=ruleset_model,
        questionnaires=questionnaires,
        form=form,
        name_for=_field_name,
        explanation=explanation,
        dropped=dropped,
        refused=refused,
        decided_by=DECIDED_BY,
        ranges=score_ranges(ruleset_model, questionnaires),
        case_text=_case_text(explanation, answers) if explanation else "",
        band=band,
        back=back,
        what=what,
    )


def _band_words(library: Library, ruleset_id: str, explanation: Explanation) -> str | None:
    """Say which band the score fell in, and from which table of cut-offs, when bands decided."""
    if explanation.result.decided_by != "bands":
        return None
    found = library.scorer(ruleset_id).band_for(explanation.values)
    if found is None:
        return None
    table, _, band = found
    score_id = getattr(library.ruleset(ruleset_id).decision, "score", "")
    value = explanation.result.scores.get(score_id)
    held = "" if table < 0 else " (its condition holds)"
    return f"{score_id} is {value:g}: {band_name(band, table)}{held}"


def _asked_answers(library: Library, ruleset_id: str, form: FlaskForm) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """Give the answers to questions that are asked given the earlier answers, and the others' names.

    A form that shows every question at once lets an author answer one whose show_when does
    not hold; the engine refuses such answers, so they are left out and listed.
    """
    flow = flow_for(library, ruleset_id)
    answers: dict[str, dict[str, Any]] = {q.id: {} for q in flow.questionnaires}
    dropped: list[str] = []
    for questionnaire in flow.questionnaires:
        for question in questionnaire.questions():
            value = to_answer(question, form[_field_name(questionnaire.id, question)].data)
            if value is None:
                continue
            condition = flow.conditions.get((questionnaire.id, question.id))
            if condition is not None and not condition(answers):
                dropped.append(f"{questionnaire.id}.{question.id}")
                continue
            answers[questionnaire.id][question.id] = value
    return answers, dropped


def described_answers(library: Library, answers: dict[str, dict[str, Any]] | None) -> list[str]:
    """Give an example answer set as lines a counsellor reads: question id, then the chosen labels."""
    lines = []
    for questionnaire_id, given in (answers or {}).items():
        questionnaire = library.questionnaire(questionnaire_id)
        for question_id, value in given.items():
            question = questionnaire.question(question_id)
            shown = label_for(question, value) if question is not None else str(value)
            lines.append(f"{question_id}: {shown}")
    return lines


def _answers_text(answers: dict[str, dict[str, Any]] | None) -> str:
    return json.dumps(answers or {}, ensure_ascii=False)


def _case_text(explanation: Explanation, answers: dict[str, dict[str, Any]]) -> str:
    """Give a scenario case, ready to paste into a scenario file, for what was just tried."""
    result = explanation.result
    fired = ", ".join(rule.id for rule in result.fired)
    return "\n".join(
        [
            '  - name: "describe this case"',
            f"    answers: {_answers_text(answers)}",
            "    expect:",
            f"      outcome: {result.outcome.id}",
            f"      fired: [{fired}]",
        ]
    )
