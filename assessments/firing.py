"""Which of many conditions hold, found a slot at a time instead of a condition at a time.

Most rules test one answer or one score: `tone: {equals: harsher}`, `warning-signs: {between:
[5, 11]}`. All the conditions on one slot are worked out once, when compiling, for every value
that can tell them apart, so scoring reads the slot once and looks up every rule on it:

- a one-answer question has few values (its options, or unanswered): a dict maps each to the
  conditions that hold for it;
- a number or a score is cut by the constants the conditions compare it with; the conditions
  are constant between two cuts and at each cut, so a bisection finds the region and a tuple
  gives the conditions that hold there.

Each table is filled by calling the condition's own compiled closure on a representative value,
so the tables cannot disagree with `compile_condition`. Conditions over several slots, or on a
multiple-choice or text answer, stay closures.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from fractions import Fraction
from itertools import pairwise
from typing import Any

from assessments.compiler import Predicate, Values, compile_condition
from assessments.models.conditions import All, AnyOf, ConditionNode, Not, Tagged, condition_refs, unexpanded
from assessments.models.questionnaire import MultipleChoice, NumberQuestion, ShortText
from assessments.options import option_values
from assessments.refs import QuestionRef, Resolver, Target

Firing = Callable[[Values], list[int]]


def compile_firing(
    conditions: Sequence[ConditionNode], resolver: Resolver, predicates: Sequence[Predicate] | None = None
) -> Firing:
    """Give a closure: values -> the indexes of the conditions that hold, in order.

    `predicates` are the conditions already compiled, when the caller has them.
    """
    if predicates is None:
        predicates = [compile_condition(node, resolver) for node in conditions]
    by_slot: dict[tuple[str, str], tuple[Target, list[int]]] = {}
    closures: list[tuple[int, Predicate]] = []
    for index, node in enumerate(conditions):
        target = _table_target(node, resolver)
        if target is None:
            closures.append((index, predicates[index]))
        else:
            by_slot.setdefault(target.slot, (target, []))[1].append(index)
    choices: dict[str, list[tuple[str, dict[Any, tuple[int, ...]]]]] = {}
    numbers = []
    for (group, name), (target, indexes) in by_slot.items():
        if isinstance(target, QuestionRef) and not isinstance(target.question, NumberQuestion):
            table = _choice_table(group, name, option_values(target.question), indexes, predicates)
            choices.setdefault(group, []).append((name, table))
        else:
            cuts = _cuts(conditions[i] for i in indexes)
            numbers.append((group, name, cuts, *_number_table(group, name, cuts, indexes, predicates)))
    grouped = tuple((group, tuple(tables)) for group, tables in choices.items())
    return _firing(grouped, tuple(numbers), tuple(closures))


def _firing(
    choices: tuple[tuple[str, tuple[tuple[str, dict[Any, tuple[int, ...]]], ...]], ...],
    numbers: tuple[tuple[str, str, list[float], tuple[tuple[int, ...], ...], tuple[int, ...]], ...],
    closures: tuple[tuple[int, Predicate], ...],
) -> Firing:
    def firing(v: Values) -> list[int]:
        fired: list[int] = []
        for group, tables in choices:
            get = v[group].get
            for name, table in tables:
                hit = table.get(get(name))
                if hit:
                    fired += hit
        for group, name, cuts, regions, unanswered in numbers:
            value = v[group].get(name)
            # left + right bisection: 2i strictly between cut i-1 and cut i, 2i+1 on cut i
            hit = unanswered if value is None else regions[bisect_left(cuts, value) + bisect_right(cuts, value)]
            if hit:
                fired += hit
        for index, predicate in closures:
            if predicate(v):
                fired.append(index)
        fired.sort()
        return fired

    return firing


def _table_target(node: ConditionNode, resolver: Resolver) -> Target | None:
    """Give the one answer or score a condition tests, when a table can stand for it."""
    targets = [resolver.resolve(ref) for ref in condition_refs(node)]
    first = targets[0]
    if first is None or any(t is None or t.slot != first.slot for t in targets):
        return None
    if isinstance(first, QuestionRef) and isinstance(first.question, (MultipleChoice, ShortText)):
        return None  # a list of choices or free text has too many values for a table
    return first


def _holding(group: str, name: str, value: Any, indexes: list[int], predicates: Sequence[Predicate]) -> tuple[int, ...]:
    """Give which of the conditions hold when the slot has this value (None: unanswered)."""
    answers = {} if value is None else {name: value}
    return tuple(i for i in indexes if predicates[i]({group: answers}))


def _choice_table(
    group: str, name: str, offered: tuple[str, ...], indexes: list[int], predicates: Sequence[Predicate]
) -> dict[Any, tuple[int, ...]]:
    table = {value: _holding(group, name, value, indexes, predicates) for value in (*offered, None)}
    return {value: hit for value, hit in table.items() if hit}


def _cuts(nodes: Iterable[ConditionNode]) -> list[float]:
    """Give the sorted constants a number or score is compared with."""
    constants: set[float] = set()

    def visit(node: ConditionNode) -> None:
        if isinstance(node, (All, AnyOf)):
            for item in node.items:
                visit(item)
        elif isinstance(node, Not):
            visit(node.item)
        elif isinstance(node, Tagged):
            raise unexpanded(node)
        elif node.op in ("equals", "at_least", "at_most"):
            constants.add(node.value)
        elif node.op == "between":
            constants.update(node.value)

    for node in nodes:
        visit(node)
    return sorted(constants)


def _number_table(
    group: str, name: str, cuts: list[float], indexes: list[int], predicates: Sequence[Predicate]
) -> tuple[tuple[tuple[int, ...], ...], tuple[int, ...]]:
    """Give what holds in each region (below the first cut, on it, between it and the next, ...)
    and what holds when unanswered.

    Every comparison is with a cut, so one value per region stands for all of it; the values
    are exact fractions, so even cuts with no float between them get a true in-between value.
    """
    exact = [Fraction(cut) for cut in cuts]
    points = [exact[0] - 1 if exact else Fraction(0)]
    for low, high in pairwise(exact):
        points += [low, (low + high) / 2]
    if exact:
        points += [exact[-1], exact[-1] + 1]
    regions = tuple(_holding(group, name, point, indexes, predicates) for point in points)
    return regions, _holding(group, name, None, indexes, predicates)
