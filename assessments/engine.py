"""Scoring: a rule set compiled once into a Scorer; `score` is a pure function of the answers."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from assessments.answers import raise_problems, response_reader
from assessments.compiler import Predicate, Values, compile_condition
from assessments.explain import why_not
from assessments.firing import compile_firing
from assessments.models.questionnaire import Questionnaire
from assessments.models.ruleset import NOT_ENOUGH_INFORMATION, Band, BandsDecision, Flag, Resource, Rule, RuleSet
from assessments.presentation import unique_resources
from assessments.refs import SCORES, resolver_for
from assessments.result import Explanation, FiredRule, Result, RuleTrace
from assessments.scores import compile_score, score_order
from assessments.tags import expand_ruleset


def model_hash(*models: Any) -> str:
    """Give a sha256 of models' JSON, for rule sets that did not come from a file."""
    digest = hashlib.sha256()
    for model in models:
        digest.update(model.model_dump_json().encode())
    return digest.hexdigest()


class Scorer:
    """A rule set and its questionnaires compiled to closures; build once, score many times."""

    def __init__(
        self,
        ruleset: RuleSet,
        questionnaires: Sequence[Questionnaire],
        *,
        ruleset_hash: str | None = None,
        questionnaire_hashes: dict[str, str] | None = None,
    ) -> None:
        by_id = {q.id: q for q in questionnaires}
        self.questionnaires = tuple(by_id[q] for q in ruleset.questionnaires)
        self.ruleset_hash = ruleset_hash or model_hash(ruleset, *self.questionnaires)
        # tag quantifiers become plain comparisons here, so nothing below ever sees one
        self.ruleset = ruleset = expand_ruleset(ruleset, self.questionnaires)
        resolver = resolver_for(ruleset, list(self.questionnaires))
        self._resolver = resolver
        self._reader = response_reader(list(self.questionnaires))
        zero = ruleset.missing.treat_as == "zero"
        ordered = score_order(ruleset.scores)
        self._scores = tuple((s.id, compile_score(s, resolver, zero_missing=zero)) for s in ordered)
        self._declared_scores = tuple(s.id for s in ruleset.scores)
        self._scores_in_order = [s.id for s in ordered] == list(self._declared_scores)
        rules = ruleset.rules
        self._predicates = tuple(compile_condition(rule.when, resolver) for rule in rules)
        self._firing = compile_firing([rule.when for rule in rules], resolver, self._predicates)
        self._fired = tuple(
            FiredRule(r.id, r.because, dict(r.add), r.flag, r.force, r.priority, _advice_for(r)) for r in rules
        )
        # Per rule, what deciding needs, unpacked once: (outcome, weight) pairs, (forced outcome,
        # priority) or None, and a bit of its own when it raises a flag or adds advice.
        self._effects = tuple(
            (
                tuple(rule.add.items()),
                (rule.force, rule.priority) if rule.force is not None else None,
                1 << index if rule.flag is not None or rule.advice else 0,
            )
            for index, rule in enumerate(rules)
        )
        self._rule_flags = tuple(rule.flag for rule in rules)
        self._rule_advice = tuple(
            tuple((a.text, frozenset(a.outcomes) if a.outcomes is not None else None) for a in rule.advice)
            for rule in rules
        )
        self._presented: dict[tuple[Any, ...], tuple[tuple[Flag, ...], tuple[str, ...], tuple[Resource, ...]]] = {}
        self._flags = {flag.id: flag for flag in ruleset.flags}
        self._outcomes = {outcome_id: ruleset.outcome(outcome_id) for outcome_id in ruleset.outcome_ids()}
        self._outcome_ids = tuple(o.id for o in ruleset.outcomes)
        # the built-in not-enough-information outcome gets a tally only when some rule weighs it
        weighed = {o for r in ruleset.rules for o in r.add}
        self._zero_tallies: dict[str, float] = dict.fromkeys(
            [o for o in ruleset.outcome_ids() if o != NOT_ENOUGH_INFORMATION or o in weighed or o in self._outcome_ids],
            0,
        )
        self._max_missing = ruleset.missing.max_missing
        self._decision = ruleset.decision
        if isinstance(ruleset.decision, BandsDecision):
            self._band_tables: list[tuple[Predicate | None, tuple[Band, ...]]] = [
                (compile_condition(v.when, resolver), v.bands) for v in ruleset.decision.variants
            ] + [(None, ruleset.decision.bands)]
        hashes = questionnaire_hashes or {}
        self._ruleset_id, self._ruleset_version = ruleset.id, ruleset.version
        self._questionnaire_ids = tuple(ruleset.questionnaires)
        self._missing_treatment = ruleset.missing.treat_as
        self._versions = {
            q.id: {"version": q.version, "hash": hashes.get(q.id) or model_hash(q)} for q in self.questionnaires
        }

    def values_for(self, answers: Any) -> tuple[Values, list[str]]:
        """Give the checked answers with the named scores beside them, and the unanswered questions."""
        values, missing, problems = self._reader.read(answers)
        if problems:
            raise_problems(problems)
        values[SCORES] = scores = {}
        for score_id, compute in self._scores:
            scores[score_id] = compute(values)
        return values, missing

    def score(self, answers: Any) -> Result:
        """Give the Result for an answer set, or raise InvalidAnswers listing every problem."""
        return self.decide(*self.values_for(answers))

    def explain(self, answers: Any) -> Explanation:
        """Give the Result plus, for every rule, whether it fired and why not."""
        values, missing = self.values_for(answers)
        result = self.decide(values, missing)
        traces = []
        for predicate, rule in zip(self._predicates, self.ruleset.rules, strict=True):
            holds = predicate(values)
            traces.append(RuleTrace(rule.id, holds, None if holds else why_not(rule.when, values, self._resolver)))
        return Explanation(result, tuple(traces), dict(values))

    def predicates(self) -> tuple[Predicate, ...]:
        """Give each rule's compiled condition, in the rule set's order (for analysis)."""
        return self._predicates

    def decide(self, values: Values, missing: list[str]) -> Result:
        """Give the Result for values from values_for."""
        fired_indexes = self._firing(values)
        tallies = self._zero_tallies.copy()
        weighted = False
        forced: tuple[str, int] | None = None
        presenting = 0
        effects = self._effects
        for index in fired_indexes:
            add, force, bit = effects[index]
            if add:
                weighted = True
                for outcome_id, weight in add:
                    tallies[outcome_id] += weight
            if force is not None and (forced is None or force[1] > forced[1]):
                forced = force
            presenting |= bit
        if forced is not None:
            outcome_id, how = forced[0], "forced"
        elif self._max_missing is not None and len(missing) > self._max_missing:
            outcome_id, how = NOT_ENOUGH_INFORMATION, "missing"
        else:
            outcome_id, how = self._decision_outcome(values, tallies, weighted)
        flags, advice, resources = self._presentation(outcome_id, presenting)
        scores = values[SCORES]
        return Result(
            self._outcomes[outcome_id],
            how,
            scores.copy() if self._scores_in_order else {s: scores[s] for s in self._declared_scores},
            tallies,
            tuple([self._fired[i] for i in fired_indexes]),
            flags,
            advice,
            resources,
            tuple(missing),
            self._missing_treatment,
            {q: dict(values[q]) for q in self._questionnaire_ids},
            self._ruleset_id,
            self._ruleset_version,
            self.ruleset_hash,
            self._versions,
        )

    def band_for(self, values: Values) -> tuple[int, int, Band] | None:
        """Give (variant index, or -1 for the main bands; band index; band) the score falls in."""
        decision = self._decision
        if not isinstance(decision, BandsDecision):
            return None
        value = values[SCORES][decision.score]
        if value is None:
            return None
        for table, (condition, bands) in enumerate(self._band_tables):
            if condition is None or condition(values):
                for index, band in enumerate(bands):
                    if band.holds(value):
                        return (table if condition is not None else -1), index, band
                return None
        return None

    def _presentation(
        self, outcome_id: str, presenting: int
    ) -> tuple[tuple[Flag, ...], tuple[str, ...], tuple[Resource, ...]]:
        """Give the flags (safety first), advice and resources for an outcome and the flag and
        advice rules that fired (bit i set: rule i fired).

        They depend only on those, so they are built once per combination and kept (a handful
        of combinations in practice; the memo is capped).
        """
        key = (outcome_id, presenting)
        found = self._presented.get(key)
        if found is not None:
            return found
        indexes = [i for i in range(len(self._fired)) if presenting >> i & 1]
        outcome = self._outcomes[outcome_id]
        flag_ids = [self._rule_flags[i] for i in indexes]
        flags = [self._flags[f] for f in dict.fromkeys(f for f in flag_ids if f is not None)]
        ordered = tuple([f for f in flags if f.safety] + [f for f in flags if not f.safety])
        resources = unique_resources([r for f in ordered for r in f.resources] + list(outcome.resources))
        extra = [
            text
            for i in indexes
            for text, only in self._rule_advice[i]
            if (only is None or outcome_id in only) and text not in outcome.advice
        ]
        advice = (*outcome.advice, *dict.fromkeys(extra))
        if len(self._presented) > 4096:
            self._presented.clear()
        self._presented[key] = ordered, advice, resources
        return ordered, advice, resources

    def _decision_outcome(self, values: Values, tallies: dict[str, float], weighted: bool) -> tuple[str, str]:
        decision = self._decision
        if isinstance(decision, BandsDecision):
            if values[SCORES][decision.score] is None:
                return NOT_ENOUGH_INFORMATION, "missing"
            found = self.band_for(values)
            return (found[2].outcome if found else NOT_ENOUGH_INFORMATION), "bands"
        if not weighted:
            return decision.if_no_weight, "no-weight"
        best = max(tallies.values())
        leaders = []
        for outcome_id, tally in tallies.items():  # a loop: cheaper than a comprehension here
            if tally == best:
                leaders.append(outcome_id)
        if len(leaders) == 1:
            return leaders[0], "highest"
        if decision.ties == NOT_ENOUGH_INFORMATION:
            return NOT_ENOUGH_INFORMATION, "tie"
        return next(o for o in decision.ties if o in leaders), "tie"


def _advice_for(rule: Rule) -> frozenset[str] | None:
    """Give the outcomes a rule's advice is limited to, when every item is limited (else None)."""
    if not rule.advice or any(a.outcomes is None for a in rule.advice):
        return None
    return frozenset(o for a in rule.advice for o in a.outcomes or ())


def score(questionnaires: Sequence[Questionnaire] | Questionnaire, ruleset: RuleSet, answers: Any) -> Result:
    """Give the Result for answers (compiles the rule set each call; keep a Scorer to reuse it)."""
    listed = [questionnaires] if isinstance(questionnaires, Questionnaire) else list(questionnaires)
    return Scorer(ruleset, listed).score(answers)


def explain(questionnaires: Sequence[Questionnaire] | Questionnaire, ruleset: RuleSet, answers: Any) -> Explanation:
    """Give the Result with every rule's trace (for authors; slower than score)."""
    listed = [questionnaires] if isinstance(questionnaires, Questionnaire) else list(questionnaires)
    return Scorer(ruleset, listed).explain(answers)
