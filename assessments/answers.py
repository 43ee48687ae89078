"""Check answers against questionnaires and flatten them for scoring.

Answers are `{questionnaire_id: {question_id: value}}`: yes/no as the text `yes`/`no`, multiple
choice as a list of option values, numbers as numbers. A value of None (or an empty list) means
unanswered. Every problem is collected before raising, so a person sees them all at once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from assessments.compiler import Predicate, Values, compile_condition
from assessments.errors import InvalidAnswers
from assessments.models.base import suggest
from assessments.models.questionnaire import (
    MultipleChoice,
    NumberQuestion,
    Question,
    Questionnaire,
    ShortText,
)
from assessments.options import choice_options, option_values
from assessments.refs import Resolver

Check = Callable[[Any], "tuple[Any, str | None]"]
Problem = tuple[tuple[str, str], str]  # ((questionnaire, question), message)


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def value_check(question: Question) -> Check:
    """Give a closure: raw value -> (normalised value, None) or (None, what is wrong)."""
    if isinstance(question, NumberQuestion):
        low, high, whole = question.min, question.max, question.integer

        def check_number(value: Any) -> tuple[Any, str | None]:
            if not _number(value):
                return None, f"'{value}' is not a number; give a number from {low} to {high}"
            if whole and not float(value).is_integer():
                return None, f"{value} is not a whole number; give a whole number from {low} to {high}"
            if not low <= value <= high:
                return None, f"{value} is out of range; give a number from {low} to {high}"
            return (int(value) if whole else value), None

        return check_number
    if isinstance(question, ShortText):
        limit = question.max_length

        def check_text(value: Any) -> tuple[Any, str | None]:
            if not isinstance(value, str):
                return None, "should be text"
            if len(value) > limit:
                return None, f"is {len(value)} characters long; the limit is {limit}"
            return value, None

        return check_text
    offered = option_values(question)
    allowed = frozenset(offered)
    listed = ", ".join(offered)
    if isinstance(question, MultipleChoice):
        exclusive = frozenset(o.value for o in choice_options(question) if o.exclusive)

        def check_many(value: Any) -> tuple[Any, str | None]:
            if not isinstance(value, (list, tuple)):
                return None, f"should be a list of options (multiple choice); choose from: {listed}"
            for item in value:
                if item not in allowed:
                    return None, f"unknown option '{item}'{suggest(str(item), offered)}; expected one of: {listed}"
            if len(set(value)) != len(value):
                return None, "lists an option twice"
            if len(value) > 1 and not exclusive.isdisjoint(value):
                alone = ", ".join(sorted(exclusive.intersection(value)))
                return None, f"'{alone}' cannot be combined with other options"
            return tuple(value), None

        return check_many

    def check_one(value: Any) -> tuple[Any, str | None]:
        if isinstance(value, (list, tuple)):
            return None, f"takes one answer, not a list; choose one of: {listed}"
        if isinstance(value, bool):
            return None, f"'{str(value).lower()}' is not an option; write one of: {listed}"
        if value not in allowed:
            return None, f"unknown option '{value}'{suggest(str(value), offered)}; expected one of: {listed}"
        return value, None

    return check_one


@dataclass(frozen=True)
class _Slot:
    question_id: str
    key: str
    check: Check
    show_when: Predicate | None
    scored: bool


@dataclass(frozen=True)
class AnswerReader:
    """A questionnaire compiled for reading answers: checks and show_when closures in order."""

    questionnaire_id: str
    slots: tuple[_Slot, ...]
    ids: frozenset[str]

    def read(self, given: Mapping[str, Any], into: Values, missing: list[str], problems: list[Problem]) -> None:
        """Add this questionnaire's answers to `into`, note unanswered questions and problems."""
        qid = self.questionnaire_id
        if not self.ids.issuperset(given):
            known = sorted(self.ids)
            for unknown in sorted(set(given) - self.ids, key=str):
                problems.append(((qid, str(unknown)), f"unknown question{suggest(str(unknown), known)}"))
        for slot in self.slots:
            value = given.get(slot.question_id)
            if value is None or value == [] or value == ():
                if slot.scored and (slot.show_when is None or slot.show_when(into)):
                    missing.append(slot.key)
                continue
            if slot.show_when is not None and not slot.show_when(into):
                problems.append(((qid, slot.question_id), "is answered, but the question is not asked for these earlier answers (its show_when does not hold); remove the answer"))
                continue
            normal, problem = slot.check(value)
            if problem is not None:
                problems.append(((qid, slot.question_id), problem))
            else:
                into[slot.key] = normal


def answer_reader(questionnaire: Questionnaire) -> AnswerReader:
    """Compile a questionnaire into an AnswerReader."""
    resolver = Resolver([questionnaire], qualified=False)
    slots = []
    for question in questionnaire.questions():
        condition = question.show_when
        slots.append(_Slot(
            question.id,
            f"{questionnaire.id}.{question.id}",
            value_check(question),
            compile_condition(condition, resolver) if condition else None,
            not isinstance(question, ShortText),
        ))
    return AnswerReader(questionnaire.id, tuple(slots), frozenset(q.id for q in questionnaire.questions()))


def read_answers(
    readers: tuple[AnswerReader, ...], answers: Any
) -> tuple[Values, list[str], list[Problem]]:
    """Give (flat values, unanswered question keys, problems) for a whole answer set."""
    values: Values = {}
    missing: list[str] = []
    problems: list[Problem] = []
    if not isinstance(answers, Mapping):
        return values, missing, [(("", ""), "answers should be a mapping of questionnaire id to answers")]
    wanted = {reader.questionnaire_id for reader in readers}
    for extra in sorted(set(answers) - wanted, key=str):
        problems.append(((str(extra), ""), f"answers for questionnaire '{extra}', which this rule set does not score; expected: {', '.join(sorted(wanted))}"))
    for reader in readers:
        given = answers.get(reader.questionnaire_id) or {}
        if not isinstance(given, Mapping):
            problems.append(((reader.questionnaire_id, ""), "should be a mapping of question id to answer"))
            continue
        reader.read(given, values, missing, problems)
    return values, missing, problems


def raise_problems(problems: list[Problem]) -> None:
    """Raise InvalidAnswers naming each problem as questionnaire.question: message."""
    lines = []
    for (qid, question), message in problems:
        where = ".".join(part for part in (qid, question) if part)
        lines.append(f"{where}: {message}" if where else message)
    raise InvalidAnswers(lines)
