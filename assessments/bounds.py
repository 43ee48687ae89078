"""Exact lowest and highest values of every named score, from the questionnaires' options."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from assessments.models.questionnaire import MultipleChoice, NumberQuestion, Question
from assessments.models.ruleset import QuestionItem, RuleSet, Score
from assessments.options import choice_options, points_table
from assessments.refs import QuestionRef, Resolver, resolver_for


@dataclass(frozen=True)
class Bounds:
    low: float
    high: float
    integer: bool  # every reachable value is a whole number


def _is_int(value: float) -> bool:
    return float(value).is_integer()


def question_range(question: Question) -> Bounds | None:
    """Give the range of points one answer to the question can give, or None if unscored."""
    if isinstance(question, NumberQuestion):
        return Bounds(question.min, question.max, question.integer and _is_int(question.min) and _is_int(question.max))
    table = points_table(question)
    if table is None:
        return None
    points = list(table.values())
    integer = all(_is_int(p) for p in points)
    if isinstance(question, MultipleChoice):
        options = choice_options(question)
        single = [o.points for o in options if o.exclusive and o.points is not None]
        free = [o.points for o in options if not o.exclusive and o.points is not None]
        negatives, positives = [p for p in free if p < 0], [p for p in free if p > 0]
        candidates_low = single + ([sum(negatives)] if negatives else ([min(free)] if free else []))
        candidates_high = single + ([sum(positives)] if positives else ([max(free)] if free else []))
        return Bounds(min(candidates_low), max(candidates_high), integer)
    low, high = min(points), max(points)
    return Bounds(low, high, integer)


def score_bounds(ruleset: RuleSet, resolver: Resolver) -> dict[str, Bounds]:
    """Give each score's exact range (None-valued scores, such as an empty mean, aside)."""
    by_id = {s.id: s for s in ruleset.scores}
    done: dict[str, Bounds] = {}
    visiting: set[str] = set()
    zero = ruleset.missing.treat_as == "zero"

    def item_range(item: object) -> tuple[Bounds, float] | None:
        if isinstance(item, QuestionItem):
            target = resolver.resolve(item.question)
            if not isinstance(target, QuestionRef):
                return None
            found = question_range(target.question)  # reversing maps a range onto itself
            return (found, item.weight) if found else None
        child = by_id.get(item.score)  # type: ignore[attr-defined]
        if child is None:
            return None
        found = visit(child)
        return (found, item.weight) if found else None  # type: ignore[attr-defined]

    def visit(score: Score) -> Bounds | None:
        if score.id in done:
            return done[score.id]
        if score.id in visiting:
            return None  # a cycle; the checks report it
        visiting.add(score.id)
        try:
            return _visit(score)
        finally:
            visiting.discard(score.id)

    def _visit(score: Score) -> Bounds | None:
        if score.count is not None:
            result: Bounds | None = Bounds(0, len(score.count), True)
        else:
            ranges = []
            for item in getattr(score, score.method):
                found = item_range(item)
                if found is None:
                    return None
                ranges.append(found)
            result = _combine(score.method, ranges, zero)
        if result is not None:
            done[score.id] = result
        return result

    for score in ruleset.scores:
        visit(score)
    return done


def _combine(method: str, ranges: list[tuple[Bounds, float]], zero: bool) -> Bounds:
    weighted = [(min(b.low * w, b.high * w), max(b.low * w, b.high * w), b.integer and _is_int(w)) for b, w in ranges]
    integer = all(i for _, _, i in weighted)
    if method == "sum":
        # any answer may be missing, and a missing item adds nothing
        low = sum(min(lo, 0) for lo, _, _ in weighted)
        high = sum(max(hi, 0) for _, hi, _ in weighted)
        return Bounds(low, high, integer)
    if method == "max":
        lows = [min(lo, 0) if zero else lo for lo, _, _ in weighted]
        highs = [max(hi, 0) if zero else hi for _, hi, _ in weighted]
        return Bounds(min(lows) if not zero else max(lows), max(highs), integer)
    plain = [(b.low, b.high) for b, _ in ranges]  # mean: weights only shift the balance
    lows = [min(lo, 0) if zero else lo for lo, _ in plain]
    highs = [max(hi, 0) if zero else hi for _, hi in plain]
    return Bounds(min(lows), max(highs), False)


def score_ranges(ruleset: RuleSet, questionnaires: list[Any]) -> dict[str, tuple[float, float]]:
    """Give each score's lowest and highest possible value (for charts and analysis)."""
    found = score_bounds(ruleset, resolver_for(ruleset, questionnaires))
    return {score_id: (b.low, b.high) for score_id, b in found.items()}
