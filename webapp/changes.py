"""Answers that change under the person: from "Check your answers", and under an edited questionnaire.

A change made from "Check your answers" can reveal questions (a `show_when` that now holds): the
pages holding them are visited first, in order, carried from page to page in `?revealed=3,5`
(page numbers, no answers). A draft saved before a counsellor edited the questionnaire (an option
removed, a maximum lowered, a question gone) keeps what still fits; the rest is dropped and named,
so the person answers it again instead of meeting a refusal.
"""

from __future__ import annotations

from typing import Any

from flask import request, url_for

from assessments.answers import response_reader
from webapp.flows import Flow


def shown(flow: Flow, answers: dict[str, Any]) -> set[tuple[int, str]]:
    """Give (page index, question id) of every question asked for these answers."""
    return {(i, q.id) for i in flow.visible_pages(answers) for q in flow.visible_questions(flow.pages[i], answers)}


def revealed_pages() -> set[int]:
    """Give the pages (0-based) earlier changes revealed and still to visit, from ?revealed=3,5."""
    given = request.args.get("revealed", "")
    return {int(n) - 1 for n in given.split(",") if n.isdigit() and int(n) > 0}


def revealed_arg(revealed: set[int]) -> str | None:
    """Give the ?revealed= value for these pages (None when there are none)."""
    return ",".join(str(i + 1) for i in sorted(revealed)) or None


def review_url(flow: Flow, answers: dict[str, Any], revealed: set[int], here: int) -> str:
    """Give the next page with newly revealed questions (carrying the rest along), or the review."""
    pending = sorted(i for i in revealed - {here} if i in flow.visible_pages(answers))
    if not pending:
        return url_for("public.review", flow_id=flow.ruleset_id)
    rest = revealed_arg(set(pending[1:]))
    return url_for("public.page", flow_id=flow.ruleset_id, number=pending[0] + 1, review=1, revealed=rest)


def drop_misfits(flow: Flow, answers: dict[str, Any]) -> list[tuple[str, str | None]]:
    """Drop answers the questionnaires no longer accept; give each one's question text and the page
    to answer it again on (None when the question is gone)."""
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
