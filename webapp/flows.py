"""Flows: what a person fills in for one rule set — its questionnaires, split into pages.

A page is a section, or the part of a section after a question whose show_when depends on an
earlier answer on the same page: that question goes on the next page, so the server can decide
whether to ask it without JavaScript.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from assessments import Library, Questionnaire
from assessments.answers import answer_reader
from assessments.compiler import Predicate
from assessments.models import Question
from assessments.models.conditions import condition_refs


@dataclass(frozen=True)
class Page:
    """One page of questions: part or all of one section of one questionnaire."""

    questionnaire: Questionnaire
    section_index: int
    part: int
    questions: tuple[Question, ...]

    @property
    def title(self) -> str:
        """Give the section title."""
        return self.questionnaire.sections[self.section_index].title

    def has(self, question_id: str) -> bool:
        """Give whether the question is on this page."""
        return any(q.id == question_id for q in self.questions)

    @property
    def intro(self) -> str | None:
        """Give the section intro, on its first page only."""
        return self.questionnaire.sections[self.section_index].intro if self.part == 0 else None


@dataclass(frozen=True)
class Flow:
    """A rule set and the pages a person fills in for it."""

    ruleset_id: str
    title: str
    summary: str
    minutes: int
    questionnaires: tuple[Questionnaire, ...]
    pages: tuple[Page, ...]
    conditions: dict[tuple[str, str], Predicate]  # (questionnaire, question) -> compiled show_when

    def visible_questions(self, page: Page, answers: dict[str, dict[str, Any]]) -> list[Question]:
        """Give the page's questions that are asked, given the answers so far."""
        values = {q.id: answers.get(q.id, {}) for q in self.questionnaires}
        qid = page.questionnaire.id
        return [
            question
            for question in page.questions
            if (condition := self.conditions.get((qid, question.id))) is None or condition(values)
        ]

    @property
    def sections(self) -> int:
        """Give how many pages a person starts with: the count the first page shows ("Section 1 of N")."""
        return len(self.visible_pages({}))

    def visible_pages(self, answers: dict[str, dict[str, Any]]) -> list[int]:
        """Give the indexes of pages with at least one question to ask."""
        return [i for i, page in enumerate(self.pages) if self.visible_questions(page, answers)]

    def next_page(self, answers: dict[str, dict[str, Any]], after: int) -> int | None:
        """Give the index of the next page with a question to ask after page `after`, or None."""
        return next((i for i in self.visible_pages(answers) if i > after), None)


def pages_for(questionnaire: Questionnaire) -> list[Page]:
    """Split a questionnaire's sections into pages (see the module docstring)."""
    pages: list[Page] = []
    for s_index, section in enumerate(questionnaire.sections):
        current: list[Question] = []
        part = 0
        for question in section.questions:
            on_page = {q.id for q in current}
            if question.show_when is not None and set(condition_refs(question.show_when)) & on_page:
                pages.append(Page(questionnaire, s_index, part, tuple(current)))
                current, part = [], part + 1
            current.append(question)
        pages.append(Page(questionnaire, s_index, part, tuple(current)))
    return pages


def build_flows(library: Library, public: dict[str, str], combined: list[str] | None) -> dict[str, Flow]:
    """Give the public flows: one per questionnaire (its public rule set, under the questionnaire's
    title), every other published rule set over one questionnaire (under its own title), then the
    combined checks (all, or those `combined` names).

    The library holds only what is published, so publishing a rule set offers it and retiring it
    takes it away.
    """
    flows: dict[str, Flow] = {}
    servable = {r for r in library.rulesets if r not in library.refused}  # every guarantee proven
    for questionnaire in library.questionnaires.values():
        ruleset_id = public.get(questionnaire.id, questionnaire.default_ruleset)
        if ruleset_id in servable:
            flows[ruleset_id] = flow_for(library, ruleset_id)
    for ruleset_id, ruleset in library.rulesets.items():
        if ruleset_id in servable and ruleset_id not in flows and len(ruleset.questionnaires) == 1:
            flows[ruleset_id] = flow_for(library, ruleset_id, own_title=True)
    if combined is None:
        combined = [r.id for r in library.rulesets.values() if len(r.questionnaires) > 1]
    for ruleset_id in combined:
        if ruleset_id in servable and ruleset_id not in flows:
            flows[ruleset_id] = flow_for(library, ruleset_id)
    return flows


def flow_for(library: Library, ruleset_id: str, *, own_title: bool = False) -> Flow:
    """Give the flow for any loaded rule set (titled by its questionnaire when it has one, unless own_title)."""
    ruleset = library.ruleset(ruleset_id)
    questionnaires = tuple(library.questionnaires_for(ruleset))
    pages = tuple(page for q in questionnaires for page in pages_for(q))
    conditions = {
        (q.id, slot.question_id): slot.show_when
        for q in questionnaires
        for slot in answer_reader(q).slots
        if slot.show_when is not None
    }
    if len(questionnaires) == 1:
        only = questionnaires[0]
        title = ruleset.title if own_title else only.title  # beside its questionnaire's own check: its own title
        return Flow(ruleset.id, title, only.summary, only.minutes, questionnaires, pages, conditions)
    # the rule set's description is written for counsellors; the person reads what it is made of
    titles = [f"“{q.title.rstrip('.')}”" for q in questionnaires]
    summary = (
        f"The {_number_word(len(titles))} checks in one go — {', '.join(titles[:-1])} and {titles[-1]} — with one"
        " result that weighs all your answers together."
    )
    minutes = sum(q.minutes for q in questionnaires)
    return Flow(ruleset.id, ruleset.title, summary, minutes, questionnaires, pages, conditions)


def _number_word(count: int) -> str:
    words = ("two", "three", "four", "five", "six", "seven", "eight", "nine")
    return words[count - 2] if 2 <= count <= 9 else str(count)
