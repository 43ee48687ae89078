"""Check answers against questionnaires and flatten them for scoring.

Answers are `{questionnaire_id: {question_id: value}}`: yes/no as the text `yes`/`no`, multiple
choice as a list of option values, numbers as numbers. A value of None (or an empty list) means
unanswered. Every problem is collected before raising, so a person sees them all at once.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

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
            if not _number(value) or not math.isfinite(value):
                shown = value if isinstance(value, (str, int, float)) else type(value).__name__
                return None, f"'{shown}' is not a number; give a number from {low} to {high}"
            if whole and not float(value).is_integer():
                return None, f"{value} is not a whole number; give a whole number from {low} to {high}"
            if not low <= value <= high:
                return None, f"{value} is out of range; give a number from {low} to {high}"
            return (int(value) if whole and value.__class__ is not int else value), None

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
                if not isinstance(item, str):
                    return None, _not_text(item, allowed, listed)
                if item not in allowed:
                    return None, f"unknown option '{item}'{suggest(str(item), offered)}; expected one of: {listed}"
            if len(set(value)) != len(value):
                return None, "lists an option twice"
            if len(value) > 1 and not exclusive.isdisjoint(value):
                alone = ", ".join(sorted(exclusive.intersection(value)))
                return None, f"'{alone}' cannot be combined with other options"
            return value, None

        return check_many

    def check_one(value: Any) -> tuple[Any, str | None]:
        if isinstance(value, (list, tuple)):
            return None, f"takes one answer, not a list; choose one of: {listed}"
        if not isinstance(value, str):
            return None, _not_text(value, allowed, listed)
        if value not in allowed:
            return None, f"unknown option '{value}'{suggest(str(value), offered)}; expected one of: {listed}"
        return value, None

    return check_one


def _not_text(value: Any, allowed: frozenset[str], listed: str) -> str:
    """Say why an answer that is not text is no option value (option values are always text)."""
    if isinstance(value, bool):
        return f"'{str(value).lower()}' is not an option; write one of: {listed}"
    if isinstance(value, (int, float)) and str(value) in allowed:
        return f"option values are text, and {value} is written as a number; write it as text: '{value}'"
    if isinstance(value, (int, float)):
        return f"{value} is not an option; write one of: {listed}"
    shape = "a list" if isinstance(value, (list, tuple)) else "a mapping" if isinstance(value, dict) else "not text"
    return f"an option is one value, but this is {shape}; write one of: {listed}"


class _Slot(NamedTuple):
    question_id: str
    key: str  # questionnaire.question, as reported in Result.missing
    kind: int  # one of the _SINGLE.. codes below: which inline check applies
    first: Any  # offered values (single, multiple), lowest number, or longest text
    second: Any  # exclusive values (multiple) or highest number
    check: Check  # the full check, which also says what is wrong
    show_when: Predicate | None
    scored: bool


_SINGLE, _MULTIPLE, _WHOLE_NUMBER, _NUMBER, _TEXT = range(5)
# A _Slot as a plain tuple: the hot loop unpacks it, and only exact tuples unpack fast
_Other = tuple[str, str, int, Any, Any, Check, Predicate | None, bool]


_HIDDEN = (
    "is answered, but the question is not asked for these earlier answers (its show_when does"
    " not hold); remove the answer"
)
_DROP = object()  # marks a None or empty answer, which counts as unanswered


@dataclass(frozen=True)
class AnswerReader:
    """A questionnaire compiled for reading answers: checks and show_when closures in order.

    Valid answers are used where they are: values[questionnaire_id] is the given mapping itself,
    replaced by a cleaned copy only when something needs it (an empty answer, 3.0 for a whole
    number). Reading runs for every response, so its loops avoid calls where they can.
    """

    questionnaire_id: str
    slots: tuple[_Slot, ...]
    ids: frozenset[str]
    # Plain single-answer questions without show_when are checked first, in a tight loop; the
    # rest follow in questionnaire order (a show_when only names earlier questions).
    simple: tuple[tuple[str, frozenset[str]], ...]
    others: tuple[_Other, ...]
    checks: dict[str, Check]

    def read(self, given: Mapping[str, Any], values: Values, missing: list[str], problems: list[Problem]) -> None:
        """Put this questionnaire's checked answers into values; note unanswered questions and problems."""
        qid = self.questionnaire_id
        values[qid] = current = given
        fixes: dict[str, Any] = {}
        get = given.get
        unanswered, first_problem = len(missing), len(problems)
        for question_id, offered in self.simple:
            value = get(question_id)
            if value.__class__ is str and value in offered:
                continue
            if value is None:
                missing.append(f"{qid}.{question_id}")
                if question_id in given:
                    fixes[question_id] = _DROP
            else:
                problems.append(((qid, question_id), self.checks[question_id](value)[1] or "is not a valid answer"))
        # Counting the questions answered tells whether every given key is a known question
        # without a second pass over the keys (only a key with no answer can make it uneven).
        answered = len(self.simple) - (len(missing) - unanswered)
        if fixes:
            values[qid] = current = _fixed(given, fixes)
        for question_id, key, kind, first, second, check, show_when, scored in self.others:
            value = current.get(question_id)
            if value is None or (value.__class__ is list and not value):
                if question_id in current:
                    values[qid] = current = _fixed(current, {question_id: _DROP})
                if scored and (show_when is None or show_when(values)):
                    missing.append(key)
                continue
            answered += 1
            if show_when is not None and not show_when(values):
                problems.append(((qid, question_id), _HIDDEN))
                continue
            # the common, valid cases inline; anything else goes through the full check
            cls = value.__class__
            if kind == _SINGLE:
                if cls is str and value in first:
                    continue
            elif kind == _MULTIPLE:
                if (
                    (cls is list or cls is tuple)
                    and first.issuperset(value)
                    and (len(value) == 1 or (second.isdisjoint(value) and len(set(value)) == len(value)))
                ):
                    continue
            elif kind == _WHOLE_NUMBER:
                if cls is int and first <= value <= second:
                    continue
            elif kind == _NUMBER:
                if (cls is int or cls is float) and first <= value <= second:
                    continue
            elif cls is str and len(value) <= first:
                continue
            normal, problem = check(value)
            if problem is not None:
                problems.append(((qid, question_id), problem))
            elif normal is not value:
                values[qid] = current = _fixed(current, {question_id: normal})
        if answered != len(given) and not self.ids.issuperset(given):
            known = sorted(self.ids)
            problems[first_problem:first_problem] = [  # unknown questions are reported first
                ((qid, str(unknown)), f"unknown question{suggest(str(unknown), known)}")
                for unknown in sorted(set(given) - self.ids, key=str)
            ]


def _fixed(answers: Mapping[str, Any], fixes: dict[str, Any]) -> dict[str, Any]:
    """Give a copy of answers with fixes applied (_DROP removes the answer)."""
    copy = dict(answers)
    for question_id, value in fixes.items():
        if value is _DROP:
            copy.pop(question_id, None)
        else:
            copy[question_id] = value
    return copy


def answer_reader(questionnaire: Questionnaire) -> AnswerReader:
    """Compile a questionnaire into an AnswerReader."""
    resolver = Resolver([questionnaire], qualified=False)
    slots = []
    for question in questionnaire.questions():
        condition = question.show_when
        kind, first, second = _inline_check(question)
        slots.append(
            _Slot(
                question.id,
                f"{questionnaire.id}.{question.id}",
                kind,
                first,
                second,
                value_check(question),
                compile_condition(condition, resolver) if condition else None,
                not isinstance(question, ShortText),
            )
        )
    simple = [s for s in slots if s.kind == _SINGLE and s.show_when is None]
    others = tuple(
        (s.question_id, s.key, s.kind, s.first, s.second, s.check, s.show_when, s.scored)
        for s in slots
        if s.kind != _SINGLE or s.show_when is not None
    )
    ids = frozenset(q.id for q in questionnaire.questions())
    checks = {s.question_id: s.check for s in slots}
    return AnswerReader(
        questionnaire.id,
        tuple(slots),
        ids,
        tuple((s.question_id, s.first) for s in simple),
        others,
        checks,
    )


def _inline_check(question: Question) -> tuple[int, Any, Any]:
    if isinstance(question, MultipleChoice):
        exclusive = frozenset(o.value for o in choice_options(question) if o.exclusive)
        return _MULTIPLE, frozenset(option_values(question)), exclusive
    if isinstance(question, NumberQuestion):
        return (_WHOLE_NUMBER if question.integer else _NUMBER), question.min, question.max
    if isinstance(question, ShortText):
        return _TEXT, question.max_length, None
    return _SINGLE, frozenset(option_values(question)), None


@dataclass(frozen=True)
class ResponseReader:
    """The readers for every questionnaire a rule set scores, with what reading them all needs."""

    readers: tuple[AnswerReader, ...]
    wanted: frozenset[str]
    order: dict[str, int]  # question key -> position, to report unanswered questions in order

    def read(self, answers: Any) -> tuple[Values, list[str], list[Problem]]:
        """Give (values by questionnaire, unanswered question keys, problems) for an answer set."""
        values: Values = {}
        missing: list[str] = []
        problems: list[Problem] = []
        if answers.__class__ is not dict and not isinstance(answers, Mapping):
            return values, missing, [(("", ""), "answers should be a mapping of questionnaire id to answers")]
        if not self.wanted.issuperset(answers):
            wanted = ", ".join(sorted(self.wanted))
            for extra in sorted(set(answers) - self.wanted, key=str):
                problems.append(
                    (
                        (str(extra), ""),
                        f"answers for questionnaire '{extra}', which this rule set does not score; expected: {wanted}",
                    )
                )
        for reader in self.readers:
            given = answers.get(reader.questionnaire_id)
            if given is None:
                given = {}
            elif given.__class__ is not dict and not isinstance(given, Mapping):
                problems.append(((reader.questionnaire_id, ""), "should be a mapping of question id to answer"))
                continue
            reader.read(given, values, missing, problems)
        if len(missing) > 1:
            missing.sort(key=self.order.__getitem__)
        return values, missing, problems


def response_reader(questionnaires: list[Questionnaire]) -> ResponseReader:
    """Compile the questionnaires a rule set scores into one ResponseReader."""
    readers = tuple(answer_reader(q) for q in questionnaires)
    order = {slot.key: i for i, slot in enumerate(s for r in readers for s in r.slots)}
    return ResponseReader(readers, frozenset(r.questionnaire_id for r in readers), order)


def raise_problems(problems: list[Problem]) -> None:
    """Raise InvalidAnswers naming each problem as questionnaire.question: message."""
    lines = []
    for (qid, question), message in problems:
        where = ".".join(part for part in (qid, question) if part)
        lines.append(f"{where}: {message}" if where else message)
    raise InvalidAnswers(lines)
