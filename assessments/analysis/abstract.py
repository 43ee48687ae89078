"""Three-valued evaluation over a partly answered questionnaire.

While the search has answered some questions and not others, a condition is True (it holds
however the rest are answered), False (it cannot hold) or None (it depends). Scores are
intervals [lo, hi] plus whether they may have no value at all. Everything here is sound — True
and False are never wrong — so a search that prunes on False and finishes has proven what it
did not find; it need not be tight, because every candidate is confirmed by the real engine.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from assessments.analysis.space import Space, Var
from assessments.explain import holds
from assessments.models.conditions import All, AnyOf, Compare, ConditionNode, Not, Tagged, unexpanded
from assessments.models.questionnaire import MultipleChoice, NumberQuestion
from assessments.models.ruleset import NOT_ENOUGH_INFORMATION, BandsDecision, QuestionItem, RuleSet, Score
from assessments.options import scored_points
from assessments.refs import QuestionRef, ScoreRef

Tri = bool | None  # True, False, or None for "depends on what is not yet answered"
Range = tuple[float | None, float | None, bool]  # lo, hi (None: no value possible), may be None
UNSET = -1


class Node:
    """The search's current state: per question, the chosen value's index or UNSET."""

    def __init__(self, size: int) -> None:
        self.chosen = [UNSET] * size
        self.memo: dict[str, Range] = {}


AbstractCondition = Callable[[Node], Tri]
AbstractScore = Callable[[Node], Range]


def t_and(parts: list[Tri]) -> Tri:
    """Give Kleene AND."""
    if False in parts:
        return False
    return True if all(p is True for p in parts) else None


def t_or(parts: list[Tri]) -> Tri:
    """Give Kleene OR."""
    if True in parts:
        return True
    return False if all(p is False for p in parts) else None


class Abstract:
    """A rule set's conditions, scores and decision, compiled for three-valued evaluation."""

    def __init__(self, space: Space) -> None:
        self.space = space
        self.ruleset: RuleSet = space.ruleset
        self.zero = self.ruleset.missing.treat_as == "zero"
        self.scores: dict[str, AbstractScore] = {}
        for score in self.ruleset.scores:
            self.scores[score.id] = self._memo(score.id, self._score(score))
        self.rules = [self.condition(rule.when) for rule in self.ruleset.rules]
        decision = self.ruleset.decision
        self.variants = (
            [(self.condition(v.when), v.bands) for v in decision.variants]
            if isinstance(decision, BandsDecision)
            else []
        )
        self.scored = [v for v in space.vars if not _is_text(v)]

    # conditions

    def condition(self, node: ConditionNode) -> AbstractCondition:
        """Compile a condition to a three-valued closure."""
        if isinstance(node, (All, AnyOf)):
            parts = [self.condition(item) for item in node.items]
            combine = t_and if isinstance(node, All) else t_or
            return lambda n: combine([p(n) for p in parts])
        if isinstance(node, Not):
            inner = self.condition(node.item)
            return lambda n: None if (got := inner(n)) is None else not got
        if isinstance(node, Tagged):
            raise unexpanded(node)
        return self._compare(node)

    def _compare(self, node: Compare) -> AbstractCondition:
        target = self.space.resolver.resolve(node.ref)
        op, want = node.op, node.value
        if isinstance(target, QuestionRef):
            var = self.space.by_slot[target.slot]
            truth = tuple(holds(op, value, want) for value in var.values)
            free: Tri = True if all(truth) else False if not any(truth) else None
            i = var.index

            def on_question(n: Node) -> Tri:
                k = n.chosen[i]
                return free if k == UNSET else truth[k]

            return on_question
        assert isinstance(target, ScoreRef)
        compute = self.scores[target.score.id]
        return lambda n: _compare_range(op, want, compute(n))

    # scores

    def _memo(self, score_id: str, compute: AbstractScore) -> AbstractScore:
        def memoised(n: Node) -> Range:
            found = n.memo.get(score_id)
            if found is None:
                found = n.memo[score_id] = compute(n)
            return found

        return memoised

    def _score(self, score: Score) -> AbstractScore:
        if score.count is not None:
            conditions = [self.condition(c) for c in score.count]

            def count(n: Node) -> Range:
                got = [c(n) for c in conditions]
                sure = got.count(True)
                return float(sure), float(sure + got.count(None)), False

            return count
        listed = getattr(score, score.method)
        if score.method == "mean":
            # a weighted mean is an average of the items' own values, so it lies within their
            # range whatever the (positive) weights; weights of zero or below void that bound
            if any(item.weight <= 0 for item in listed):
                return lambda n: (-math.inf, math.inf, True)
            items = [self._item(item, weighted=False) for item in listed]
        else:
            items = [self._item(item) for item in listed]
        if score.method == "sum":
            return lambda n: _sum([item(n) for item in items])
        zero = self.zero
        return lambda n: _spread([item(n) for item in items], zero, is_mean=score.method == "mean")

    def _item(self, item: Any, *, weighted: bool = True) -> AbstractScore:
        """Give one score item's contribution range (its weight applied unless weighted=False)."""
        weight = item.weight if weighted else 1
        if not isinstance(item, QuestionItem):
            child = self.scores[item.score]
            return lambda n: _scale(child(n), weight)
        target = self.space.resolver.resolve(item.question)
        assert isinstance(target, QuestionRef)
        var = self.space.by_slot[target.slot]
        contributions = tuple(_points(var, value, item.reverse) for value in var.values)
        scaled = tuple(None if c is None else c * weight for c in contributions)
        present = [c for c in scaled if c is not None]
        free: Range = (min(present), max(present), True) if present else (None, None, True)
        exact: tuple[Range, ...] = tuple((c, c, c is None) for c in scaled)
        i = var.index

        def contribution(n: Node) -> Range:
            k = n.chosen[i]
            return free if k == UNSET else exact[k]

        return contribution

    # the decision

    def outcomes(self, n: Node, truths: list[Tri], skip: int | None = None) -> set[tuple[str, str]]:
        """Give every (outcome, how decided) still possible, leaving out rule `skip` if given."""
        rules = self.ruleset.rules
        possible: set[tuple[str, str]] = set()
        sure = [r for i, r in enumerate(rules) if r.force and truths[i] is True and i != skip]
        maybe = [r for i, r in enumerate(rules) if r.force and truths[i] is None and i != skip]
        top = max((r.priority for r in sure), default=None)
        for rule in sure + maybe:
            if top is None or rule.priority >= top:
                assert rule.force is not None
                possible.add((rule.force, "forced"))
        if sure:
            return possible
        low, high = self.missing_range(n)
        limit = self.ruleset.missing.max_missing
        if limit is not None and high > limit:
            possible.add((NOT_ENOUGH_INFORMATION, "missing"))
            if low > limit:
                return possible
        decision = self.ruleset.decision
        if isinstance(decision, BandsDecision):
            possible |= self._bands(n, decision)
        else:
            possible |= self._highest(truths, skip)
        return possible

    def missing_range(self, n: Node) -> tuple[int, int]:
        """Give the fewest and most unanswered scored questions (hidden ones do not count)."""
        low = high = 0
        for var in self.scored:
            k = n.chosen[var.index]
            if k == UNSET:
                high += 1
            elif var.values[k] is None:
                high += 1
                if var.show_when is None:
                    low += 1
        return low, high

    def _bands(self, n: Node, decision: BandsDecision) -> set[tuple[str, str]]:
        lo, hi, may_none = self.scores[decision.score](n)
        possible: set[tuple[str, str]] = set()
        if may_none:
            possible.add((NOT_ENOUGH_INFORMATION, "missing"))
        if lo is None or hi is None:
            return possible
        tables = []
        for condition, bands in self.variants:
            got = condition(n)
            if got is not False:
                tables.append(bands)
            if got is True:
                break
        else:
            tables.append(decision.bands)
        for bands in tables:
            for band in bands:
                top_ok = (band.max is not None and band.max >= lo) or (band.below is not None and band.below > lo)
                if band.min <= hi and top_ok:
                    possible.add((band.outcome, "bands"))
        return possible

    def tallies(self, truths: list[Tri], skip: int | None = None) -> tuple[dict[str, float], dict[str, float], Tri]:
        """Give each outcome's lowest and highest possible tally, and whether any weight is added."""
        ids = self.ruleset.outcome_ids()
        low = dict.fromkeys(ids, 0.0)
        high = dict.fromkeys(ids, 0.0)
        weighted: Tri = False
        for i, rule in enumerate(self.ruleset.rules):
            if not rule.add or i == skip or truths[i] is False:
                continue
            weighted = True if truths[i] is True or weighted is True else None
            for outcome, weight in rule.add.items():
                if truths[i] is True:
                    low[outcome] += weight
                    high[outcome] += weight
                elif weight > 0:
                    high[outcome] += weight
                else:
                    low[outcome] += weight
        return low, high, weighted

    def _highest(self, truths: list[Tri], skip: int | None) -> set[tuple[str, str]]:
        decision = self.ruleset.decision
        assert not isinstance(decision, BandsDecision)
        possible: set[tuple[str, str]] = set()
        ids = self.ruleset.outcome_ids()
        low, high, weighted = self.tallies(truths, skip)
        if weighted is not True:
            possible.add((decision.if_no_weight, "no-weight"))
        if weighted is False:
            return possible
        leaders = [o for o in ids if all(high[o] >= low[x] for x in ids if x != o)]
        # when every rule that may add weight adds only positive weight, an outcome none of
        # them weighs stays at 0 below whichever outcome got weight: it cannot lead
        adding = [r for i, r in enumerate(self.ruleset.rules) if r.add and i != skip and truths[i] is not False]
        if all(w > 0 for r in adding for w in r.add.values()):
            leaders = [o for o in leaders if high[o] > 0]
        strict = [o for o in leaders if all(low[o] > high[x] for x in ids if x != o)]
        if strict:
            possible.add((strict[0], "highest"))
            return possible
        possible |= {(o, "highest") for o in leaders}
        if len(leaders) > 1:
            if decision.ties == NOT_ENOUGH_INFORMATION:
                possible.add((NOT_ENOUGH_INFORMATION, "tie"))
            else:
                possible |= {(o, "tie") for o in leaders}
        return possible


def _is_text(var: Var) -> bool:
    return var.question.kind == "text"


def _points(var: Var, value: Any, reverse: bool) -> float | None:
    if value is None:
        return None
    question = var.question
    if isinstance(question, NumberQuestion):
        return float(question.min + question.max - value if reverse else value)
    table = scored_points(question, reverse)
    if isinstance(question, MultipleChoice):
        return float(sum(table[v] for v in value))
    return float(table[value])


def _scale(got: Range, weight: float) -> Range:
    lo, hi, may_none = got
    if lo is None or hi is None:
        return got
    a, b = lo * weight, hi * weight
    return min(a, b), max(a, b), may_none


def _sum(items: list[Range]) -> Range:
    low = high = 0.0
    for lo, hi, may_none in items:
        if lo is None or hi is None:
            continue  # only unanswered: adds nothing
        low += min(lo, 0) if may_none else lo
        high += max(hi, 0) if may_none else hi
    return low, high, False


def _spread(items: list[Range], zero: bool, *, is_mean: bool) -> Range:
    """Bound a mean or a max: it lies between the least and the greatest value it takes in.

    When every item is decided the value is computed exactly by the caller's leaf check; here
    a mean is bounded by its items' extremes, which is sound whatever the weights.
    """
    may_none = not zero and all(m for _, _, m in items)
    if zero:
        items = [_missing_as_zero(item) for item in items]
    present = [(lo, hi, m) for lo, hi, m in items if lo is not None and hi is not None]
    if not present:
        return None, None, True
    lows = [lo for lo, _, _ in present]
    highs = [hi for _, hi, _ in present]
    if not is_mean:  # max: at least the largest sure low
        sure = [lo for lo, _, m in present if not m]
        return (max(sure) if sure else min(lows)), max(highs), may_none
    return min(lows), max(highs), may_none


def _missing_as_zero(item: Range) -> Range:
    """Give an item's range when an unanswered item counts as 0."""
    lo, hi, may_none = item
    if lo is None or hi is None:
        return 0.0, 0.0, False
    if may_none:
        return min(lo, 0.0), max(hi, 0.0), False
    return lo, hi, False


def _compare_range(op: str, want: Any, got: Range) -> Tri:
    lo, hi, may_none = got
    if op == "answered":
        if lo is None:
            return not want
        return bool(want) if not may_none else None
    if lo is None or hi is None:
        return False
    if op == "at_least":
        return False if hi < want else (True if lo >= want and not may_none else None)
    if op == "at_most":
        return False if lo > want else (True if hi <= want and not may_none else None)
    if op == "between":
        a, b = want
        return False if hi < a or lo > b else (True if a <= lo and hi <= b and not may_none else None)
    wanted = want if isinstance(want, tuple) else (want,)  # equals, in
    inside = [w for w in wanted if isinstance(w, (int, float)) and lo <= w <= hi]
    if not inside:
        return False
    return True if lo == hi and not may_none else None
