"""Compile a rule set's named scores once into closures over the values being scored.

A score is None when it has nothing to go on (every item unanswered and skipped).
"""

from __future__ import annotations

from typing import Any

from assessments.compiler import Getter, Values
from assessments.firing import compile_firing
from assessments.models.conditions import condition_refs
from assessments.models.questionnaire import MultipleChoice, NumberQuestion
from assessments.models.ruleset import QuestionItem, Score
from assessments.options import scored_points
from assessments.refs import QuestionRef, Resolver, ScoreRef

# (questionnaire, ((question, points by answer, weight), ...)), ...
_Lookups = tuple[tuple[str, tuple[tuple[str, dict[str, float], float], ...]], ...]


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
        holding = compile_firing(score.count, resolver)
        return lambda v: len(holding(v))
    if score.method == "sum":
        return _compile_sum(score, resolver)
    if score.method == "mean":
        return _compile_mean(score, resolver, zero_missing=zero_missing)
    items = [_item_getter(item, resolver) for item in score.max or ()]

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


def _split_items(score: Score, resolver: Resolver) -> tuple[_Lookups, tuple[tuple[Getter, float], ...]]:
    """Split score items into plain choice lookups, grouped by questionnaire, and getters.

    Most items are one-answer questions, whose points are a table lookup away; calling a
    closure for each would cost more than the lookup itself, and grouping lets the closure
    fetch each questionnaire's answers once.
    """
    groups: dict[str, list[tuple[str, dict[str, float], float]]] = {}
    others: list[tuple[Getter, float]] = []
    for item in getattr(score, score.method):
        target = resolver.resolve(item.question) if isinstance(item, QuestionItem) else None
        plain = isinstance(target, QuestionRef) and not isinstance(target.question, (MultipleChoice, NumberQuestion))
        if plain:
            assert isinstance(target, QuestionRef) and isinstance(item, QuestionItem)
            group, name = target.slot
            groups.setdefault(group, []).append((name, scored_points(target.question, item.reverse), item.weight))
        else:
            others.append(_item_getter(item, resolver))
    return tuple((group, tuple(items)) for group, items in groups.items()), tuple(others)


def _compile_mean(score: Score, resolver: Resolver, *, zero_missing: bool) -> Getter:
    """Give a weighted-mean closure: sum of points times weights over the sum of weights."""
    lookups, rest = _split_items(score, resolver)

    def mean(v: Values) -> float | None:
        top = bottom = 0.0
        for group, items in lookups:
            get = v[group].get
            for name, points, weight in items:
                answer = get(name)
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
    lookups = tuple(
        (group, tuple((name, {k: p * w for k, p in table.items()}) for name, table, w in items))
        for group, items in split
    )

    def total(v: Values) -> float:
        result: float = 0
        for group, items in lookups:
            get = v[group].get
            for name, points in items:
                answer = get(name)
                if answer is not None:
                    result += points[answer]
        for getter, weight in rest:
            got = getter(v)
            if got is not None:
                result += got * weight
        return result

    return total
