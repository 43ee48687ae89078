"""Compile conditions and scores once into plain closures over a flat dict of values.

While scoring, answers and scores live in one dict: `questionnaire.question` -> answer value
(multiple choice as a tuple; unanswered questions are absent) and `score:ID` -> number or None.
Nothing here evaluates text: every closure is built from the parsed condition nodes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from assessments.models.conditions import All, AnyOf, Compare, ConditionNode, Not
from assessments.models.questionnaire import MultipleChoice, NumberQuestion
from assessments.models.ruleset import QuestionItem, Score
from assessments.options import points_table
from assessments.refs import QuestionRef, Resolver, ScoreRef

Values = dict[str, Any]
Predicate = Callable[[Values], bool]
Getter = Callable[[Values], Any]


def key_of(ref: str, resolver: Resolver) -> str:
    """Give the flat key for a name the resolver knows (checked at load, so it exists)."""
    target = resolver.resolve(ref)
    if target is None:
        raise KeyError(ref)  # the checks run before compiling, so this is a programming error
    return target.key


def compile_condition(node: ConditionNode, resolver: Resolver) -> Predicate:
    """Give a closure that tells whether the condition holds for a dict of values."""
    if isinstance(node, All):
        parts = [compile_condition(item, resolver) for item in node.items]
        if len(parts) == 1:
            return parts[0]
        if len(parts) == 2:
            first, second = parts
            return lambda v: first(v) and second(v)

        def all_hold(v: Values) -> bool:
            for part in parts:
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

        def any_holds(v: Values) -> bool:
            for part in parts:
                if part(v):
                    return True
            return False

        return any_holds
    if isinstance(node, Not):
        inner = compile_condition(node.item, resolver)
        return lambda v: not inner(v)
    return _compile_compare(node, key_of(node.ref, resolver))


def _compile_compare(node: Compare, key: str) -> Predicate:
    op, value = node.op, node.value
    if op == "equals":
        return lambda v: v.get(key) == value
    if op == "in":
        allowed = frozenset(value)
        return lambda v: v.get(key) in allowed
    if op == "answered":
        return (lambda v: key in v) if value else (lambda v: key not in v)
    if op == "contains":
        return lambda v: value in v.get(key, ())
    if op == "contains_any":
        wanted = frozenset(value)
        return lambda v: not wanted.isdisjoint(v.get(key, ()))
    if op == "at_least":
        def at_least(v: Values) -> bool:
            got = v.get(key)
            return got is not None and got >= value
        return at_least
    if op == "at_most":
        def at_most(v: Values) -> bool:
            got = v.get(key)
            return got is not None and got <= value
        return at_most
    if op == "between":
        low, high = value

        def between(v: Values) -> bool:
            got = v.get(key)
            return got is not None and low <= got <= high

        return between
    raise ValueError(f"unknown operator {op}")  # parse_condition refuses these first


def _item_getter(item: Any, resolver: Resolver) -> tuple[Getter, float]:
    """Give a closure for one score item's points (None when unanswered) and its weight."""
    target = resolver.resolve(item.question if isinstance(item, QuestionItem) else item.score)
    weight = item.weight
    if isinstance(target, ScoreRef):
        key = target.key
        return (lambda v: v.get(key)), weight
    assert isinstance(target, QuestionRef)
    key, question = target.key, target.question
    reverse = isinstance(item, QuestionItem) and item.reverse
    if isinstance(question, NumberQuestion):
        if reverse:
            total = question.min + question.max
            return (lambda v: None if (x := v.get(key)) is None else total - x), weight
        return (lambda v: v.get(key)), weight
    table = dict(points_table(question) or {})
    if reverse:
        low, high = min(table.values()), max(table.values())
        table = {value: low + high - points for value, points in table.items()}
    if isinstance(question, MultipleChoice):
        return (lambda v: None if (x := v.get(key)) is None else sum(table[o] for o in x)), weight
    return (lambda v: table.get(v.get(key))), weight


def compile_score(score: Score, resolver: Resolver, *, zero_missing: bool) -> Getter:
    """Give a closure that computes the score from the values (None if it has nothing to go on)."""
    if score.count is not None:
        conditions = [compile_condition(c, resolver) for c in score.count]
        return lambda v: sum(1 for c in conditions if c(v))
    items = [_item_getter(item, resolver) for item in getattr(score, score.method)]
    if score.method == "sum":
        weighted = [(g, w) for g, w in items]

        def total(v: Values) -> float:
            result = 0
            for getter, weight in weighted:
                points = getter(v)
                if points is not None:
                    result += points * weight
            return result

        return total
    if score.method == "mean":
        def mean(v: Values) -> float | None:
            top = bottom = 0.0
            for getter, weight in items:
                points = getter(v)
                if points is None:
                    if not zero_missing:
                        continue
                    points = 0
                top += points * weight
                bottom += weight
            return top / bottom if bottom else None

        return mean

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
            return [ref for c in score.count for ref in _condition_refs(c) if ref in by_id]
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


def _condition_refs(node: ConditionNode) -> list[str]:
    if isinstance(node, (All, AnyOf)):
        return [ref for item in node.items for ref in _condition_refs(item)]
    if isinstance(node, Not):
        return _condition_refs(node.item)
    return [node.ref]
