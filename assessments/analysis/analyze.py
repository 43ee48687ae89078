"""Analyse a rule set: score ranges, reachable outcomes, rules that never fire or never matter, ties.

Score ranges and whether a rule can fire are decided by exhaustive search over the few
questions involved. Reachability, ties and whether a rule changes the outcome search the whole
answer space: first a fixed number of random answer sets, then a pruned exhaustive search with
a step budget. What the search finishes is proven; what it gives up on is reported as "not
found in N tries", never as impossible.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from assessments.analysis.abstract import Abstract, Node, Tri
from assessments.analysis.guarantees import GuaranteeReport, prove
from assessments.analysis.report import Analysis, OutcomeReport, RuleReport, ScoreReport
from assessments.analysis.search import Answers, Confirm, Found, Searcher, climb, minimise
from assessments.analysis.space import Slot, Space, Var, compares, ruleset_conditions
from assessments.analysis.ties import find_ties
from assessments.analysis.unfounded import unfounded_outcomes
from assessments.bounds import score_bounds
from assessments.engine import Scorer
from assessments.errors import AssessmentError
from assessments.models.questionnaire import Questionnaire
from assessments.models.ruleset import BandsDecision, RuleSet
from assessments.refs import SCORES
from assessments.result import Result

SAMPLES = 2000
WIDE_BUDGET = 4_000  # steps for each search over the whole questionnaire (5x for one rule or score)
EXHAUSTIVE_LIMIT = 200_000  # answer combinations a search may walk completely (~10 s at worst)
CLIMBS, CLIMB_STEPS = 5, 1000  # local searches for a rule that changes the outcome


class Analyzer:
    """Everything one analysis needs, built once."""

    def __init__(
        self,
        ruleset: RuleSet,
        questionnaires: Sequence[Questionnaire],
        *,
        samples: int = SAMPLES,
        examples: Sequence[Answers] = (),
        budget: int = WIDE_BUDGET,
    ) -> None:
        self.budget = budget  # steps for each search over the whole questionnaire
        self.examples = list(examples)
        self.scorer = Scorer(ruleset, list(questionnaires))
        self.ruleset = ruleset = self.scorer.ruleset  # tag quantifiers expanded
        self.space = Space(ruleset, list(self.scorer.questionnaires))
        self.abstract = Abstract(self.space)
        self.searcher = Searcher(self.space)
        self.samples = samples
        self.predicates = self.scorer.predicates()
        self._without: dict[int, Scorer] = {}
        self.sampled: list[tuple[Answers, Result]] = []
        self.score_reports: list[ScoreReport] = []
        slots: set[Slot] = set()
        for node in ruleset_conditions(ruleset):
            slots |= self.space.slots_of(node)
        for score in ruleset.scores:
            slots |= self.space.slots_of_name(score.id)
        if ruleset.missing.max_missing is not None:
            slots |= {v.slot for v in self.abstract.scored}
        self.everything = self.space.closed(slots)
        # a space small enough to walk completely gets the steps to do so, so its answers are exact
        combinations = self.combinations(self.everything)
        if combinations <= EXHAUSTIVE_LIMIT:
            self.budget = max(self.budget, 2 * combinations + 1)

    def combinations(self, order: Sequence[Var]) -> int:
        """Give how many answer sets there are over these questions (show_when aside)."""
        return math.prod(len(var.values) for var in order)

    def result(self, answers: Answers) -> Result | None:
        try:
            return self.scorer.score(answers)
        except AssessmentError:
            return None  # a candidate the engine refuses is not an answer set a person can give

    def without(self, index: int) -> Scorer:
        """Give a Scorer for the rule set with one rule left out."""
        if index not in self._without:
            rules = tuple(r for i, r in enumerate(self.ruleset.rules) if i != index)
            self._without[index] = Scorer(self.ruleset.model_copy(update={"rules": rules}), self.scorer.questionnaires)
        return self._without[index]

    def changes(self, index: int, answers: Answers, result: Result) -> bool:
        """Give whether leaving rule `index` out changes the outcome for these answers."""
        return self.without(index).score(answers).outcome.id != result.outcome.id

    def truths(self, node: Node) -> list[Tri]:
        return [rule(node) for rule in self.abstract.rules]

    # the parts of the report

    def scores(self) -> list[ScoreReport]:
        by_options = score_bounds(self.ruleset, self.space.resolver)
        found = []
        for score in self.ruleset.scores:
            order = self.space.closed(self.space.slots_of_name(score.id))
            low, low_example, low_done = self._extreme(score.id, order, lowest=True)
            high, high_example, high_done = self._extreme(score.id, order, lowest=False)
            bounds = by_options.get(score.id)
            found.append(
                ScoreReport(
                    id=score.id,
                    low=low,
                    high=high,
                    low_example=low_example,
                    high_example=high_example,
                    exact=low_done and high_done,
                    options_low=bounds.low if bounds else None,
                    options_high=bounds.high if bounds else None,
                )
            )
        return found

    def _extreme(self, score_id: str, order: list[Var], *, lowest: bool) -> tuple[float | None, Answers | None, bool]:
        compute = self.abstract.scores[score_id]
        sign = -1.0 if lowest else 1.0
        best: list[Any] = [None, None]  # value, example

        def test(node: Node) -> Tri:
            lo, hi, _ = compute(node)
            if lo is None or hi is None:
                return False
            bound = -lo if lowest else hi
            return None if best[0] is None or bound > sign * best[0] else False

        def confirm(answers: Answers) -> bool:
            values, _ = self.scorer.values_for(answers)
            value = values[SCORES][score_id]
            if value is not None and (best[0] is None or sign * value > sign * best[0]):
                best[0], best[1] = value, answers
            return False  # keep looking for a better one

        def rank(node: Node) -> float:
            lo, hi, _ = compute(node)
            if lo is None or hi is None:
                return -math.inf
            return -lo if lowest else hi

        found = self.searcher.find(order, test, confirm, max(self.budget * 5, 1), rank=rank)
        return best[0], best[1], found.complete

    def rules(self, sampled: list[tuple[Answers, Result]]) -> list[RuleReport]:
        reports = []
        effects = self._sampled_effects(sampled)
        for index, rule in enumerate(self.ruleset.rules):
            order = self.space.closed(self.space.slots_of(rule.when))
            predicate = self.predicates[index]
            condition = self.abstract.rules[index]

            def confirm(answers: Answers, predicate: Any = predicate) -> bool:
                try:
                    values, _ = self.scorer.values_for(answers)
                except AssessmentError:
                    return False
                return bool(predicate(values))

            seen = next((a for a, r in sampled if rule.id in {f.id for f in r.fired}), None)
            if seen is not None:  # a scenario case or a random answer set already fires it
                fires = Found(minimise(seen, confirm), True, 0)
            else:
                fires = self.searcher.find(order, condition, confirm, max(self.budget * 5, 1))
            report = RuleReport(
                id=rule.id,
                can_fire=True if fires.example is not None else (False if fires.complete else None),
                example=fires.example,
                tried=fires.steps,
                combinations=self.combinations(order),
            )
            if report.can_fire is False:
                report.impossible = self._impossible_parts(rule.when)
            if (rule.add or rule.force) and fires.example is not None:
                report.changes_outcome, report.change_example, report.change_tried = self._effect(
                    index, effects, fires.example
                )
            reports.append(report)
        return reports

    def _impossible_parts(self, when: Any) -> list[str]:
        """Give the comparisons in a condition that can never hold even on their own, in words."""
        found = []
        ranges = {s.id: (s.low, s.high) for s in self.score_reports}
        for compare in compares(when):
            if self.abstract.condition(compare)(Node(len(self.space.vars))) is not False:
                continue
            value = list(compare.value) if isinstance(compare.value, tuple) else compare.value
            words = f"{compare.ref}: {{{compare.op}: {value}}}"
            if compare.ref in ranges:
                low, high = ranges[compare.ref]
                words += f" (the score '{compare.ref}' ranges from {low:g} to {high:g})"
            found.append(words)
        return found

    def _sampled_effects(self, sampled: list[tuple[Answers, Result]]) -> dict[int, Answers]:
        found: dict[int, Answers] = {}
        weighty = {i for i, r in enumerate(self.ruleset.rules) if r.add or r.force}
        for answers, result in sampled:
            fired = {r.id for r in result.fired}
            for index in weighty - set(found):
                if self.ruleset.rules[index].id in fired and self.changes(index, answers, result):
                    found[index] = answers
        return found

    def _effect(
        self, index: int, sampled: dict[int, Answers], fires: Answers
    ) -> tuple[bool | None, Answers | None, int]:
        def confirm(answers: Answers) -> bool:
            result = self.result(answers)
            return result is not None and self.changes(index, answers, result)

        if index in sampled:
            return True, minimise(sampled[index], confirm), self.samples
        if not self.ruleset.rules[index].force and isinstance(self.ruleset.decision, BandsDecision):
            return False, None, 0  # weight is only used by the 'highest' decision
        climbed, climbs = self._climb_to_change(index, fires, confirm)
        if climbed is not None:
            return True, minimise(climbed, confirm), self.samples + climbs
        condition = self.abstract.rules[index]

        def test(node: Node) -> Tri:
            if condition(node) is False:
                return False
            truths = self.truths(node)
            with_rule = {o for o, _ in self.abstract.outcomes(node, truths)}
            without = {o for o, _ in self.abstract.outcomes(node, truths, skip=index)}
            return False if len(with_rule) == 1 and with_rule == without else None

        found = self.searcher.find(self.everything, test, confirm, self.budget)
        tried = self.samples + climbs + found.steps
        if found.example is not None:
            return True, minimise(found.example, confirm), tried
        return (False if found.complete else None), None, tried

    def _climb_to_change(self, index: int, fires: Answers, confirm: Confirm) -> tuple[Answers | None, int]:
        """Search locally for answers where rule `index` changes the outcome; give them and the steps.

        Starts from answer sets decided by weight with the rule made to fire (its own example's
        answers laid over them), the closest contests first, and climbs towards a contest that
        the rule's own weight decides.
        """
        rule = self.ruleset.rules[index]

        def closeness(answers: Answers) -> float | None:
            result = self.result(answers)
            return None if result is None else _contest_distance(result, rule.id, dict(rule.add))

        candidates = [_overlay(a, fires) for a, r in self.sampled if r.decided_by in ("highest", "tie")]
        candidates += [a for a, r in self.sampled if rule.id in {f.id for f in r.fired}]
        ranked = [(d, n) for n, c in enumerate(candidates[: CLIMBS * 20]) if (d := closeness(c)) is not None]
        starts = [candidates[n] for _, n in sorted(ranked)[:CLIMBS]]
        for n, start in enumerate(starts):
            found = climb(self.searcher, start, closeness, confirm, CLIMB_STEPS, seed=n)
            if found is not None:
                return found, (n + 1) * CLIMB_STEPS
        return None, len(starts) * CLIMB_STEPS

    def outcomes(self, sampled: list[tuple[Answers, Result]]) -> list[OutcomeReport]:
        reports = []
        for outcome_id in self.ruleset.outcome_ids():
            any_way = self._reach(outcome_id, sampled, how_ok=lambda how: True)
            report = OutcomeReport(
                id=outcome_id,
                title=self.ruleset.outcome(outcome_id).title,
                declared=outcome_id in {o.id for o in self.ruleset.outcomes},
                reachable=True if any_way.example is not None else (False if any_way.complete else None),
                example=any_way.example,
                tried=self.samples + any_way.steps,
            )
            if any_way.example is not None:
                not_missing = self._reach(outcome_id, sampled, how_ok=lambda how: how != "missing")
                report.only_when_missing = (
                    False if not_missing.example is not None else (True if not_missing.complete else None)
                )
            reports.append(report)
        return reports

    def _reach(self, outcome_id: str, sampled: list[tuple[Answers, Result]], how_ok: Any) -> Found:
        def confirm(answers: Answers) -> bool:
            result = self.result(answers)
            return result is not None and result.outcome.id == outcome_id and how_ok(result.decided_by)

        for answers, result in sampled:
            if result.outcome.id == outcome_id and how_ok(result.decided_by):
                return Found(minimise(answers, confirm), True, 0)

        def test(node: Node) -> Tri:
            possible = [(o, how) for o, how in self.abstract.outcomes(node, self.truths(node)) if how_ok(how)]
            if not any(o == outcome_id for o, _ in possible):
                return False
            return None

        def rank(node: Node) -> float:
            truths = self.truths(node)
            possible = self.abstract.outcomes(node, truths)
            if not any(o == outcome_id and how_ok(how) for o, how in possible):
                return -math.inf
            margin = 0.0
            if not isinstance(self.ruleset.decision, BandsDecision):
                low, high, _ = self.abstract.tallies(truths)
                margin = high.get(outcome_id, 0.0) - max((v for o, v in low.items() if o != outcome_id), default=0.0)
            return margin - 0.001 * self.abstract.missing_range(node)[0]

        found = self.searcher.find(self.everything, test, confirm, self.budget, rank=rank)
        if found.example is not None:
            return Found(minimise(found.example, confirm), True, found.steps)
        return found

    def run(self) -> Analysis:
        sampled = self.sampled
        self.score_reports = self.scores()
        for answers in [*self.examples, *self.searcher.sample(self.samples)]:
            result = self.result(answers)
            if result is not None:
                sampled.append((answers, result))
        return Analysis(
            ruleset=self.ruleset,
            combinations=self.combinations(self.everything),
            questions=len(self.everything),
            samples=self.samples,
            scores=self.score_reports,
            outcomes=self.outcomes(sampled),
            rules=self.rules(sampled),
            ties=find_ties(self, sampled),
            unfounded=unfounded_outcomes(self),
        )


def _contest_distance(result: Result, rule_id: str, adds: dict[str, float]) -> float | None:
    """How far a result is from a contest that a rule's weight decides (0: it decides it)."""
    if rule_id not in {r.id for r in result.fired}:
        return None
    if result.decided_by not in ("highest", "tie", "no-weight"):
        return 1e6  # forced or too much missing: far from a close contest
    tallies = result.tallies
    if not adds:  # a forcing rule whose force lost to a higher priority: any close contest will do
        ordered = sorted(tallies.values(), reverse=True)
        return ordered[0] - ordered[1] if len(ordered) > 1 else 0.0
    distances = []
    for outcome, weight in adds.items():
        lead = tallies.get(outcome, 0) - max((t for o, t in tallies.items() if o != outcome), default=0)
        # the weight decides when the outcome leads (or ties) with it and would not without it
        low, high = (0, weight) if weight > 0 else (weight, 0)
        distances.append(0.0 if low <= lead <= high else min(abs(lead - low), abs(lead - high)))
    return min(distances)


def _overlay(answers: Answers, over: Answers) -> Answers:
    """Give answers with another answer set's answers written over them."""
    merged = {group: dict(given) for group, given in answers.items()}
    for group, given in over.items():
        merged.setdefault(group, {}).update(given)
    return merged


def analyze(
    ruleset: RuleSet,
    questionnaires: Sequence[Questionnaire],
    *,
    samples: int = SAMPLES,
    examples: Sequence[Answers] = (),
    budget: int = WIDE_BUDGET,
    guarantees: Sequence[GuaranteeReport] | None = None,
) -> Analysis:
    """Give the analysis of a rule set over its questionnaires.

    examples (such as the rule set's scenario cases) are tried first, before random answer sets.
    guarantees: the proofs the library made when it loaded (its policies included); when not
    given, the rule set's own guarantees are proven here.
    """
    analysis = Analyzer(ruleset, questionnaires, samples=samples, examples=examples, budget=budget).run()
    if guarantees is None:
        scorer = Scorer(ruleset, list(questionnaires))
        own = [(g, "rule set") for g in scorer.ruleset.guarantees]
        guarantees = prove(scorer, own, examples=examples)
    analysis.guarantees = list(guarantees)
    return analysis
