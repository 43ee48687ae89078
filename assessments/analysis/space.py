"""The answer space an analysis searches: per question, the few answers that behave differently.

Two answers to a question behave the same when they are worth the same points in every score
item that uses the question and make every comparison on it come out the same; only one of each
such class is kept. Unanswered (None) is always a candidate: the engine accepts a missing answer
to any question (the web form's `required` is the form's business, not the engine's).

Number questions keep the bounds and the values either side of every constant compared with
them; when the number also feeds a score, every whole number is kept if there are few enough,
otherwise the domain is only a sample and the search over it is marked approximate.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from assessments.compiler import Predicate, compile_condition
from assessments.explain import holds
from assessments.models.conditions import All, AnyOf, Compare, ConditionNode, Not, Tagged, condition_refs, unexpanded
from assessments.models.questionnaire import MultipleChoice, NumberQuestion, Question, Questionnaire, ShortText
from assessments.models.ruleset import QuestionItem, RuleSet
from assessments.options import choice_options, points_table
from assessments.refs import QuestionRef, Resolver, ScoreRef, resolver_for

MAX_SUBSET_OPTIONS = 12  # multiple choice with more free options is sampled, not enumerated
MAX_WHOLE_NUMBERS = 200  # a scored whole-number question with a wider range is sampled
Slot = tuple[str, str]


@dataclass
class Var:
    """One question as the search sees it."""

    index: int
    slot: Slot
    key: str  # questionnaire.question
    question: Question
    values: tuple[Any, ...]  # None (unanswered) first, then one answer per class
    approximate: bool
    show_when: Predicate | None  # over exact values; names only earlier questions
    show_refs: tuple[Slot, ...]
    tests: tuple[Compare, ...] = ()  # every comparison made on this question
    scored: bool = False  # whether a score adds up its points
    _classes: dict[tuple[Any, ...], int] | None = field(default=None, repr=False, compare=False)

    def signature(self, answer: Any) -> tuple[Any, ...]:
        """Give what tells answers apart here: their points (when scored) and every comparison's truth."""
        return (
            _points(self.question, answer) if self.scored else None,
            *(holds(t.op, answer, t.value) for t in self.tests),
        )

    def index_of(self, answer: Any) -> int | None:
        """Give the index of the candidate that behaves like `answer` (0: unanswered), or None when
        no candidate does (an answer outside a sampled domain)."""
        if answer is None:
            return 0
        if self._classes is None:  # the candidates' signatures, worked out once (asked per page view)
            self._classes = {}
            for k, value in enumerate(self.values):
                if k:
                    self._classes.setdefault(self.signature(value), k)
        return self._classes.get(self.signature(answer))


def compares(node: ConditionNode) -> Iterator[Compare]:
    """Give every comparison in a condition."""
    if isinstance(node, (All, AnyOf)):
        for item in node.items:
            yield from compares(item)
    elif isinstance(node, Not):
        yield from compares(node.item)
    elif isinstance(node, Tagged):
        raise unexpanded(node)
    else:
        yield node


def ruleset_conditions(ruleset: RuleSet) -> list[ConditionNode]:
    """Give every condition a rule set holds: rules, count scores and band variants."""
    found: list[ConditionNode] = [rule.when for rule in ruleset.rules]
    found += [c for score in ruleset.scores for c in (score.count or ())]
    found += [v.when for v in getattr(ruleset.decision, "variants", ())]
    return found


class Space:
    """Every question of a rule set's questionnaires, with its candidate answers."""

    def __init__(
        self, ruleset: RuleSet, questionnaires: list[Questionnaire], extra: Sequence[ConditionNode] = ()
    ) -> None:
        """extra: more conditions whose comparisons must be told apart (e.g. guarantees')."""
        self.ruleset = ruleset
        self.resolver = resolver_for(ruleset, questionnaires)
        tests: dict[Slot, list[Compare]] = {}
        weights: dict[Slot, list[tuple[float, bool]]] = {}
        for node in [*ruleset_conditions(ruleset), *extra]:
            for compare in compares(node):
                target = self.resolver.resolve(compare.ref)
                if isinstance(target, QuestionRef):
                    tests.setdefault(target.slot, []).append(compare)
        for score in ruleset.scores:
            for item in getattr(score, score.method) if score.count is None else ():
                target = self.resolver.resolve(item.question) if isinstance(item, QuestionItem) else None
                if isinstance(target, QuestionRef):
                    weights.setdefault(target.slot, []).append((item.weight, item.reverse))
        shows: dict[Slot, Resolver] = {}
        for questionnaire in questionnaires:
            local = Resolver([questionnaire], qualified=False)
            for question in questionnaire.questions():
                if question.show_when is not None:
                    shows[(questionnaire.id, question.id)] = local
                    for compare in compares(question.show_when):
                        tests.setdefault((questionnaire.id, compare.ref), []).append(compare)
        self.vars: list[Var] = []
        for questionnaire in questionnaires:
            for question in questionnaire.questions():
                slot = (questionnaire.id, question.id)
                values, approximate = _domain(question, tests.get(slot, []), slot in weights)
                show_when = shows.get(slot)
                self.vars.append(
                    Var(
                        index=len(self.vars),
                        slot=slot,
                        key=f"{questionnaire.id}.{question.id}",
                        question=question,
                        values=values,
                        approximate=approximate,
                        show_when=compile_condition(question.show_when, show_when)
                        if question.show_when is not None and show_when is not None
                        else None,
                        show_refs=tuple((questionnaire.id, ref) for ref in condition_refs(question.show_when))
                        if question.show_when is not None
                        else (),
                        tests=tuple(tests.get(slot, [])),
                        scored=slot in weights,
                    )
                )
        self.by_slot = {var.slot: var for var in self.vars}

    def slots_of(self, node: ConditionNode) -> set[Slot]:
        """Give the questions a condition depends on, through scores too."""
        found: set[Slot] = set()
        for ref in condition_refs(node):
            found |= self.slots_of_name(ref)
        return found

    def slots_of_name(self, name: str, seen: frozenset[str] = frozenset()) -> set[Slot]:
        """Give the questions a question or score name depends on."""
        target = self.resolver.resolve(name)
        if isinstance(target, QuestionRef):
            return {target.slot}
        if not isinstance(target, ScoreRef) or name in seen:
            return set()
        score = target.score
        found: set[Slot] = set()
        if score.count is not None:
            for condition in score.count:
                for ref in condition_refs(condition):
                    found |= self.slots_of_name(ref, seen | {name})
        else:
            for item in getattr(score, score.method):
                ref = item.question if isinstance(item, QuestionItem) else item.score
                found |= self.slots_of_name(ref, seen | {name})
        return found

    def closed(self, slots: set[Slot]) -> list[Var]:
        """Give the questions in slots plus those their show_when names, in questionnaire order."""
        wanted = set(slots)
        for var in reversed(self.vars):  # show_when names only earlier questions
            if var.slot in wanted:
                wanted.update(var.show_refs)
        return [var for var in self.vars if var.slot in wanted]


def _domain(question: Question, tests: list[Compare], scored: bool) -> tuple[tuple[Any, ...], bool]:
    if isinstance(question, ShortText):
        return (None, "some words"), False
    if isinstance(question, NumberQuestion):
        return _number_domain(question, tests, scored)
    answers: list[Any]
    if isinstance(question, MultipleChoice):
        subsets, approximate = _subsets(question)
        answers = list(subsets)
    else:
        answers, approximate = [o.value for o in choice_options(question)], False
    kept: dict[tuple[Any, ...], Any] = {}
    for answer in answers:
        signature = (_points(question, answer) if scored else None, *(holds(t.op, answer, t.value) for t in tests))
        kept.setdefault(signature, answer)
    return (None, *kept.values()), approximate


def _points(question: Question, answer: Any) -> Any:
    """Give an answer's points as the domain tells answers apart (the number itself for numbers)."""
    if isinstance(question, (NumberQuestion, ShortText)):
        return answer
    table = points_table(question) or {}
    if isinstance(answer, (list, tuple)):
        return sum(table.get(v, 0) for v in answer) if table else None
    return table.get(answer)


def _subsets(question: MultipleChoice) -> tuple[list[list[str]], bool]:
    alone: list[list[str]] = [[o.value] for o in question.options if o.exclusive]
    free = [o.value for o in question.options if not o.exclusive]
    if len(free) > MAX_SUBSET_OPTIONS:
        picks = [[v] for v in free] + [free] + [free[i : i + 2] for i in range(0, len(free) - 1)]
        return alone + picks, True
    combos = [list(c) for size in range(1, len(free) + 1) for c in itertools.combinations(free, size)]
    return alone + combos, False


def _number_domain(question: NumberQuestion, tests: list[Compare], scored: bool) -> tuple[tuple[Any, ...], bool]:
    low, high, whole = question.min, question.max, question.integer
    if whole:
        low, high = math.ceil(low), math.floor(high)
    if scored and whole and high - low <= MAX_WHOLE_NUMBERS:
        return (None, *range(int(low), int(high) + 1)), False
    step = 1 if whole else max((high - low) / 1000, 1e-6)
    points = {low, high}
    for test in tests:
        constants = test.value if isinstance(test.value, tuple) else (test.value,)
        for c in constants:
            if isinstance(c, (int, float)) and not isinstance(c, bool):
                points.update({c - step, c, c + step})
    if not whole:  # a value strictly between each pair of neighbours, for strict comparisons
        ordered = sorted(p for p in points if low <= p <= high)
        points.update((a + b) / 2 for a, b in itertools.pairwise(ordered))
    inside = sorted(p for p in points if low <= p <= high)
    if whole:
        inside = sorted({int(p) for p in inside if float(p).is_integer()})
    return (None, *inside), scored
