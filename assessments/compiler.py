"""Compile conditions and scores once into plain closures over the values being scored.

While scoring, `values[questionnaire_id]` maps question ids to checked answers (unanswered
questions are absent; multiple choice is a list or tuple) and `values[SCORES]` maps score ids
to numbers (None when a score has nothing to go on). Nothing here evaluates text: every
closure is built from the parsed condition nodes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from assessments.models.conditions import All, AnyOf, Compare, ConditionNode, Not, condition_refs
from assessments.models.questionnaire import MultipleChoice, NumberQuestion
from assessments.models.ruleset import QuestionItem, Score
from assessments.options import scored_points
from assessments.refs import QuestionRef, Resolver, ScoreRef

Values = dict[str, Any]  # questionnaire id (or SCORES) -> {question or score id: value}
Predicate = Callable[[Values], bool]
Getter = Callable[[Values], Any]


def slot_of(ref: str, resolver: Resolver) -> tuple[str, str]:
    """Give (group, name) where a name's value sits while scoring (checked at load, so it exists)."""
    target = resolver.resolve(ref)
    if target is None:
        raise KeyError(ref)  # the checks run before compiling, so this is a programming error
    return target.slot


def compile_condition(node: ConditionNode, resolver: Resolver) -> Predicate:
    """Give a closure that tells whether the condition holds for a dict of values."""
    if isinstance(node, All):
        parts = [compile_condition(item, resolver) for item in node.items]
        if len(parts) == 1:
            return parts[0]
        if len(parts) == 2:
            first, second = parts
            return lambda v: first(v) and second(v)

        def all_hold(v: Values) -> bool:  # a loop: cheaper than all() over a generator here
            for part in parts:  # noqa: SIM110
                if not part(v):
                    return False
            return True

        return all_hold
    if isinstance(node, AnyOf):
        parts = [compile_condition(item, resolver) for item in node.items]
        if len(parts) == 1:
            return parts[0]
        if len(parts) == 2:
            first, second = parts
            return lambda v: first(v) or second(v)

        def any_holds(v: Values) -> bool:  # a loop: cheaper than any() over a generator here
            for part in parts:  # noqa: SIM110
                if part(v):
                    return True
            return False

        return any_holds
    if isinstance(node, Not):
        inner = compile_condition(node.item, resolver)
        return lambda v: not inner(v)
    return _compile_compare(node, *slot_of(node.ref, resolver))


def _compile_compare(node: Compare, group: str, name: str) -> Predicate:
    op, value = node.op, node.value
    if op == "equals":
        return lambda v: v[group].get(name) == value
    if op == "in":
        allowed = frozenset(value)
        return lambda v: v[group].get(name) in allowed
    if op == "answered":
        return (lambda v: name in v[group]) if value else (lambda v: name not in v[group])
    if op == "contains":
        return lambda v: value in v[group].get(name, ())
    if op == "contains_any":
        wanted = frozenset(value)
        return lambda v: not wanted.isdisjoint(v[group].get(name, ()))
    if op == "at_least":

        def at_least(v: Values) -> bool:
            got = v[group].get(name)
            return got is not None and got >= value

        return at_least
    if op == "at_most":

        def at_most(v: Values) -> bool:
            got = v[group].get(name)
            return got is not None and got <= value

        return at_most
    if op == "between":
        low, high = value

        def between(v: Values) -> bool:
            got = v[group].get(name)
            return got is not None and low <= got <= high

        return between
    raise ValueError(f"unknown operator {op}")  # parse_condition refuses these first


def _item_getter(item: Any, resolver: Resolver) -> tuple[Getter, float]:
    """Give a closure for one score item's points (None when unanswered) and its weight."""
    target = resolver.resolve(item.question if isinstance(item, QuestionItem) else item.score)
    weight = item.weight
    assert target is not None
    group, name = target.slot
    if isinstance(target, ScoreRef):
        return (lambda v: v[group].get(name)), weight
    question = target.question
    reverse = isinstance(item, QuestionItem) and item.reverse
    if isinstance(question, NumberQuestion):
        if reverse:
            total = question.min + question.max
            return (lambda v: None if (x := v[group].get(name)) is None else total - x), weight
        return (lambda v: v[group].get(name)), weight
    table = scored_points(question, reverse)
    if isinstance(question, MultipleChoice):
        return (lambda v: None if (x := v[group].get(name)) is None else sum(table[o] for o in x)), weight
    return (lambda v: table.get(v[group].get(name))), weight


def compile_score(score: Score, resolver: Resolver, *, zero_missing: bool) -> Getter:
    """Give a closure that computes the score from the values (None if it has nothing to go on)."""
    if score.count is not None:
        conditions = tuple(compile_condition(c, resolver) for c in score.count)
        return lambda v: [c(v) for c in conditions].count(True)
    items = [_item_getter(item, resolver) for item in getattr(score, score.method)]
    if score.method == "sum":
        return _compile_sum(score, resolver)
    if score.method == "mean":
        return _compile_mean(score, resolver, zero_missing=zero_missing)

    def largest(v: Values) -> float | None:
        best = None
        for getter, weight in items:
            points = getter(v)
            if points is None:
                if not zero_missing:
                    continue
                points = 0
            points *= weight
            if best is None or points > best:
                best = points
        return best

    return largest


def score_order(scores: tuple[Score, ...]) -> list[Score]:
    """Give scores so that each comes after the scores it uses (the checks refuse cycles)."""
    by_id = {s.id: s for s in scores}
    ordered: list[Score] = []
    placed: set[str] = set()

    def uses(score: Score) -> list[str]:
        if score.count is not None:
            return [ref for c in score.count for ref in condition_refs(c) if ref in by_id]
        return [item.score for item in getattr(score, score.method) if not isinstance(item, QuestionItem)]

    def place(score: Score) -> None:
        if score.id in placed:
            return
        placed.add(score.id)
        for dependency in uses(score):
            place(by_id[dependency])
        ordered.append(score)

    for score in scores:
        place(score)
    return ordered


def _split_items(
    score: Score, resolver: Resolver
) -> tuple[tuple[tuple[str, str, dict[str, float], float], ...], tuple[tuple[Getter, float], ...]]:
    """Split score items into plain choice lookups (group, name, points table, weight) and getters.

    Most items are single-answer questions, whose points are a table lookup away; calling a
    closure for each would cost more than the lookup itself.
    """
    tables: list[tuple[str, str, dict[str, float], float]] = []
    others: list[tuple[Getter, float]] = []
    for item in getattr(score, score.method):
        target = resolver.resolve(item.question) if isinstance(item, QuestionItem) else None
        plain = isinstance(target, QuestionRef) and not isinstance(target.question, (MultipleChoice, NumberQuestion))
        if plain:
            assert isinstance(target, QuestionRef) and isinstance(item, QuestionItem)
            table = scored_points(target.question, item.reverse)
            tables.append((*target.slot, table, item.weight))
        else:
            others.append(_item_getter(item, resolver))
    return tuple(tables), tuple(others)


def _compile_mean(score: Score, resolver: Resolver, *, zero_missing: bool) -> Getter:
    """Give a weighted-mean closure: sum of points times weights over the sum of weights."""
    lookups, rest = _split_items(score, resolver)

    def mean(v: Values) -> float | None:
        top = bottom = 0.0
        for group, name, points, weight in lookups:
            answer = v[group].get(name)
            if answer is not None:
                top += points[answer] * weight
                bottom += weight
            elif zero_missing:
                bottom += weight
        for getter, weight in rest:
            got = getter(v)
            if got is not None:
                top += got * weight
                bottom += weight
            elif zero_missing:
                bottom += weight
        return top / bottom if bottom else None

    return mean


def _compile_sum(score: Score, resolver: Resolver) -> Getter:
    """Give a sum closure; plain choice items become points-times-weight table lookups."""
    split, rest = _split_items(score, resolver)
    lookups = tuple((group, name, {k: p * w for k, p in table.items()}) for group, name, table, w in split)

    def total(v: Values) -> float:
        result: float = 0
        for group, name, points in lookups:
            answer = v[group].get(name)
            if answer is not None:
                result += points[answer]
        for getter, weight in rest:
            got = getter(v)
            if got is not None:
                result += got * weight
        return result

    return total
