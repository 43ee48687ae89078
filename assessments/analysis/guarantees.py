"""Prove a rule set's guarantees (its own and the library policies that apply to it).

A guarantee says: whenever its condition holds, the result has some property (an outcome, one
of some outcomes, never some outcomes, flags raised, advice or services shown). Proving it is a
search for a counterexample: answers for which the condition holds and the property fails.

The search walks the same reduced answer space as the rest of the analysis, deciding the
condition and the property in three values at every step. A branch where the condition cannot
hold, or where the property holds whatever the rest of the answers are, is cut. A search that
finishes without a counterexample has accounted for every answer combination: the guarantee is
proven. Every counterexample is confirmed by the real engine before it is reported; a search
that runs out of steps says so and counts as a failure, never as a pass.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from assessments.analysis.abstract import UNSET, Abstract, Node, Tri, t_and, t_or
from assessments.analysis.narrowing import Narrowing, asked_for, cases
from assessments.analysis.search import Answers, Searcher, minimise
from assessments.analysis.space import Slot, Space, Var, ruleset_conditions
from assessments.compiler import Predicate, compile_condition
from assessments.engine import Scorer
from assessments.errors import AssessmentError
from assessments.models.conditions import ConditionNode
from assessments.models.ruleset import BandsDecision, Guarantee, RuleSet, Then
from assessments.result import Result

# search steps before a guarantee is called "not decided": shared among the cases of an `any`
# condition (each gets at least CASE_BUDGET), and the search of a case may be walked twice (a
# first short try, then the full budget), so the steps reported can exceed it
PROOF_BUDGET = 60_000
# a short search first, then random answer sets, then the full budget; a search the first try
# does not finish is walked again from the start, so the first try is long enough to finish
# the bundled rule sets' hardest guarantee (about 2,900 steps) and `validate` stays quick
FIRST_TRY = 4_000
CASE_BUDGET = 2_000  # the least each case of a guarantee gets, however many cases it has
SAMPLES = 300
TRUTHS_KEPT = 50_000  # partial answer sets whose rule truths a prover keeps

PROVEN, BROKEN, UNDECIDED = "proven", "broken", "not decided"


@dataclass
class GuaranteeReport:
    """What the proof of one guarantee found."""

    id: str
    says: str
    origin: str  # "rule set", or "policy POLICY-ID"
    status: str  # PROVEN, BROKEN or UNDECIDED
    steps: int
    combinations: int
    counterexample: Answers | None = None
    broke: list[str] = field(default_factory=list)  # what the result did instead, in words
    expected: dict[str, Any] = field(default_factory=dict)  # the scenario expectation it breaks
    approximate: list[str] = field(default_factory=list)  # questions whose answers were only sampled
    note: str = ""  # for the scenario case: when the expected outcome is only one of several that would do

    @property
    def ok(self) -> bool:
        """Give whether the guarantee is proven."""
        return self.status == PROVEN


def broken_parts(result: Result, then: Then) -> list[str]:
    """Give, in words, every part of `then` the result does not keep ([] when it keeps them all)."""
    found = []
    outcome = result.outcome.id
    if then.outcome is not None and outcome != then.outcome:
        found.append(f"the outcome was '{outcome}', not '{then.outcome}'")
    if then.one_of is not None and outcome not in then.one_of:
        found.append(f"the outcome was '{outcome}', which is not one of {', '.join(then.one_of)}")
    if then.never is not None and outcome in then.never:
        found.append(f"the outcome was '{outcome}'")
    raised = {f.id for f in result.flags}
    found += [f"flag '{f}' was not raised" for f in then.flags if f not in raised]
    found += [f"the advice '{_short(a)}' was not shown" for a in then.advice if a not in result.advice]
    # a service is known by its name in any case: a result shows one spelling of it (see unique_resources)
    names = {r.name.casefold() for r in result.resources}
    found += [f"'{n}' was not shown" for n in then.resources if n.casefold() not in names]
    return found


def scenario_case(report: GuaranteeReport) -> str:
    """Give a broken guarantee's counterexample as a scenario case to paste into a scenario file.

    It expects what the guarantee asks for, so it fails until the rule set keeps the guarantee.
    """
    lines = [
        f'  - name: "keeps {report.id}"',
        f"    answers: {json.dumps(report.counterexample or {}, ensure_ascii=False)}",
        "    expect:",
        f"      outcome: {report.expected.get('outcome')}" + (f"  # {report.note}" if report.note else ""),
    ]
    if "flags" in report.expected:
        lines.append(f"      flags: [{', '.join(report.expected['flags'])}]")
    return "\n".join(lines)


def _short(text: str) -> str:
    return text if len(text) <= 50 else text[:47] + "..."


class Prover:
    """Proves guarantees over one compiled rule set (tag quantifiers already expanded)."""

    def __init__(
        self,
        scorer: Scorer,
        guarantees: Sequence[tuple[Guarantee, str]],
        *,
        examples: Sequence[Answers] = (),
        budget: int = PROOF_BUDGET,
    ) -> None:
        self.scorer = scorer
        self.ruleset: RuleSet = scorer.ruleset
        self.guarantees = list(guarantees)
        self.examples = list(examples)
        self.budget = budget
        questionnaires = list(scorer.questionnaires)
        self.space = Space(self.ruleset, questionnaires, extra=[g.when for g, _ in self.guarantees])
        self.abstract = Abstract(self.space)
        self.searcher = Searcher(self.space)
        self.resolver = self.space.resolver
        slots: set[Slot] = set()
        for node in ruleset_conditions(self.ruleset):
            slots |= self.space.slots_of(node)
        for score in self.ruleset.scores:
            slots |= self.space.slots_of_name(score.id)
        if self.ruleset.missing.max_missing is not None:
            slots |= {v.slot for v in self.abstract.scored}
        self.decisive = slots  # the questions the result can depend on
        self._samples: list[Answers] | None = None
        # id -> (condition, its compiled test); the condition is kept so that its id cannot be
        # given to another one: a guarantee's cases are made afresh and dropped when proven
        self._compiled: dict[int, tuple[ConditionNode, Predicate]] = {}
        # A search asks about each partial answer set more than once (to rank it among its
        # siblings, then to visit it, then to narrow the next question's answers), and every
        # guarantee's search walks the same first questions: the rules' truths for a partial
        # answer set are worked out once. Bounded, so a long search does not grow it for ever.
        self._truths: dict[tuple[int, ...], list[Tri]] = {}
        # Which rules can change when a question is answered: a child of a partial answer set
        # recomputes only those, and only where its parent had not already decided them.
        self._rules_on: list[list[int]] = [[] for _ in self.space.vars]
        for i, rule in enumerate(self.ruleset.rules):
            for slot in self.space.slots_of(rule.when):
                self._rules_on[self.space.by_slot[slot].index].append(i)
        self._walk: list[int] = []  # the variable indices of the search under way, in its order
        self._kept_memo: dict[tuple[int, ...], Tri] = {}
        self._forcing: list[Slot] | None = None

    def truths(self, node: Node) -> list[Tri]:
        """Give each rule's three-valued truth for the partial answers in `node`."""
        key = tuple(node.chosen)
        found = self._truths.get(key)
        if found is None:
            if len(self._truths) >= TRUTHS_KEPT:
                self._truths.clear()
            found = self._truths[key] = self._from_parent(node, key)
        return found

    def _from_parent(self, node: Node, key: tuple[int, ...]) -> list[Tri]:
        """Work out the rules' truths, from those of the partial answer set one answer shorter when known.

        A search answers its questions in order, so the parent lacks only the last answered one.
        More answers only narrow the completions, so what the parent decided stays decided (three-
        valued truth is sound for every completion), and a rule that does not read the new answer
        is as undecided as before.
        """
        rules = self.abstract.rules
        depth = len(key) - key.count(UNSET)
        walk = self._walk
        if 0 < depth <= len(walk) and all(key[walk[j]] != UNSET for j in range(depth)):
            last = walk[depth - 1]
            parent = self._truths.get((*key[:last], UNSET, *key[last + 1 :]))
            if parent is not None:
                found = list(parent)
                for i in self._rules_on[last]:
                    if found[i] is None:
                        found[i] = rules[i](node)
                return found
        return [rule(node) for rule in rules]

    def prove_all(self) -> list[GuaranteeReport]:
        """Give a report for every guarantee, in the order given."""
        return [self.prove(guarantee, origin) for guarantee, origin in self.guarantees]

    def prove(self, guarantee: Guarantee, origin: str) -> GuaranteeReport:
        """Prove one guarantee, or find a counterexample, or say the search ran out of steps.

        A condition that is an `any` (as every tag quantifier is) is proven one case at a time:
        "any danger question is yes" holds when one of them is yes, and each case is quick.
        """
        order = self._order(guarantee.when)
        report = GuaranteeReport(
            guarantee.id,
            guarantee.says,
            origin,
            UNDECIDED,
            0,
            math.prod(len(v.values) for v in order),
            approximate=[v.key for v in order if v.approximate],
        )
        for answers in self.examples:
            if self._confirm(answers, guarantee.when, guarantee.then):
                return self._broken(report, answers, guarantee.when, guarantee.then)
        parts = cases(guarantee.when)
        if not parts:  # the condition can never hold
            report.status = PROVEN
            return report
        budget = max(self.budget // len(parts), min(CASE_BUDGET, self.budget))
        statuses = []
        for case in parts:
            status, example, steps = self._prove_case(case, guarantee.then, budget)
            report.steps += steps
            if example is not None:
                return self._broken(report, example, guarantee.when, guarantee.then)
            statuses.append(status)
        report.status = PROVEN if all(s == PROVEN for s in statuses) else UNDECIDED
        return report

    def _confirm(self, answers: Answers, when: ConditionNode, then: Then) -> bool:
        found = self._compiled.get(id(when))
        if found is None or found[0] is not when:
            found = self._compiled[id(when)] = (when, compile_condition(when, self.resolver))
        holds = found[1]
        try:
            values, missing = self.scorer.values_for(answers)
        except AssessmentError:
            return False  # not an answer set a person can give
        return bool(holds(values)) and bool(broken_parts(self.scorer.decide(values, missing), then))

    def _prove_case(self, when: ConditionNode, then: Then, budget: int) -> tuple[str, Answers | None, int]:
        """Give (status, counterexample or None, steps) for one case of a guarantee's condition."""
        condition = self.abstract.condition(when)
        order = self._order(when)
        self._walk = [v.index for v in order]
        approximate = [v.key for v in order if v.approximate]
        narrowing = Narrowing(self, when, then)

        def confirm(answers: Answers) -> bool:
            return self._confirm(answers, when, then)

        def test(node: Node) -> Tri:
            applies = condition(node)
            if applies is False:
                return False
            kept = self._kept(node, then)
            return False if kept is True else t_and([applies, None if kept is None else True])

        def rank(node: Node) -> float:
            return self._promise(node, condition, then)

        steps = 0
        for step_budget, with_samples in ((min(FIRST_TRY, budget), False), (budget, True)):
            if with_samples:
                for answers in self.samples():
                    if confirm(answers):
                        return BROKEN, answers, steps
            found = self.searcher.find(order, test, confirm, step_budget, rank=rank, narrow=narrowing.choices)
            steps += found.steps
            if found.example is not None:
                return BROKEN, found.example, steps
            finished = found.steps < step_budget
            if found.complete or (finished and not narrowing.inexact):
                return PROVEN, None, steps  # every sampled number was one whose value no longer mattered
            if finished or approximate:
                break  # finished, but over sampled numbers: more steps will not make it exact
        return UNDECIDED, None, steps

    def samples(self) -> list[Answers]:
        """Give random answer sets, made once for every guarantee."""
        if self._samples is None:
            self._samples = self.searcher.sample(SAMPLES)
        return self._samples

    def _broken(self, report: GuaranteeReport, found: Answers, when: ConditionNode, then: Then) -> GuaranteeReport:
        answers = minimise(found, lambda a: self._confirm(a, when, then))
        result = self.scorer.score(answers)
        report.status = BROKEN
        report.counterexample = answers
        report.broke = broken_parts(result, then)
        expected: dict[str, Any] = {}
        if then.outcome is not None:
            expected["outcome"] = then.outcome
        elif then.one_of is not None:
            expected["outcome"] = then.one_of[0]
            report.note = f"any of {', '.join(then.one_of)} keeps the guarantee; write the one you intend"
        elif then.never is not None:
            others = [o for o in self.ruleset.outcome_ids() if o not in then.never]
            expected["outcome"] = others[0] if others else result.outcome.id
            report.note = f"any outcome but {', '.join(then.never)} keeps the guarantee; write the one you intend"
        else:
            expected["outcome"] = result.outcome.id
        if then.flags:
            expected["flags"] = sorted({f.id for f in result.flags} | set(then.flags))
        report.expected = expected
        return report

    def _order(self, when: ConditionNode) -> list[Var]:
        """Give the questions to search, the guarantee's own first, then those that force outcomes.

        Any order is sound; this one cuts early. A question always comes after the questions its
        show_when names, so whether it is asked is known when the search reaches it.
        """
        first = self.space.slots_of(when)
        wanted = set().union(*(self.space.slots_of(c) for c in asked_for(when)))
        # what the condition asks to be present first: it settles the forcing rules early
        ranked: list[Slot] = [v.slot for v in self.space.vars if v.slot in wanted]
        ranked += [v.slot for v in self.space.vars if v.slot in first]
        ranked += self._forcing_order()
        placed: dict[Slot, None] = {}

        def place(slot: Slot) -> None:
            if slot in placed:
                return
            for earlier in self.space.by_slot[slot].show_refs:
                place(earlier)
            placed[slot] = None

        for slot in ranked:
            place(slot)
        return [self.space.by_slot[slot] for slot in placed]

    def _forcing_order(self) -> list[Slot]:
        """Give the questions of the forcing and flag rules (highest priority first), then the decisive ones."""
        if self._forcing is not None:  # the same for every guarantee of this rule set
            return self._forcing
        rules = sorted(
            (r for r in self.ruleset.rules if r.force or r.flag),
            key=lambda r: -r.priority if r.force else 0,
        )
        ranked: list[Slot] = []
        for rule in rules:
            ranked += sorted(self.space.slots_of(rule.when), key=self._position)
        self._forcing = ranked + [v.slot for v in self.space.vars if v.slot in self.decisive]
        return self._forcing

    def _position(self, slot: Slot) -> int:
        return self.space.by_slot[slot].index

    # three-valued: does the property hold whatever the unanswered questions will be?

    def _kept(self, node: Node, then: Then) -> Tri:
        key = (id(then), *node.chosen)  # asked when ranking a partial answer set, then again on visiting it
        if key in self._kept_memo:
            return self._kept_memo[key]
        if len(self._kept_memo) >= TRUTHS_KEPT:
            self._kept_memo.clear()
        found = self._kept_memo[key] = self._work_out_kept(node, then)
        return found

    def _work_out_kept(self, node: Node, then: Then) -> Tri:
        truths = self.truths(node)
        parts: list[Tri] = []
        possible: set[str] = set()
        if then.outcome or then.one_of or then.never or then.advice or then.resources:
            possible = {o for o, _ in self.abstract.outcomes(node, truths)}
        if then.outcome is not None:
            parts.append(_within(possible, {then.outcome}))
        if then.one_of is not None:
            parts.append(_within(possible, set(then.one_of)))
        if then.never is not None:
            parts.append(_outside(possible, set(then.never)))
        for flag in then.flags:
            parts.append(t_or([truths[i] for i, r in enumerate(self.ruleset.rules) if r.flag == flag]))
        for text in then.advice:
            parts.append(self._advice_shown(text, possible, truths))
        for name in then.resources:
            parts.append(self._resource_shown(name, possible, truths))
        return t_and(parts)

    def _advice_shown(self, text: str, possible: set[str], truths: list[Tri]) -> Tri:
        parts: list[Tri] = [_everywhere(possible, lambda o: text in self.ruleset.outcome(o).advice)]
        for i, rule in enumerate(self.ruleset.rules):
            for advice in rule.advice:
                if advice.text != text:
                    continue
                if advice.outcomes is None:
                    parts.append(truths[i])
                else:
                    parts.append(t_and([truths[i], _within(possible, set(advice.outcomes))]))
        return t_or(parts)

    def _resource_shown(self, name: str, possible: set[str], truths: list[Tri]) -> Tri:
        wanted = name.casefold()  # as broken_parts compares names

        def listed(outcome_id: str) -> bool:
            return any(r.name.casefold() == wanted for r in self.ruleset.outcome(outcome_id).resources)

        parts: list[Tri] = [_everywhere(possible, listed)]
        flags = {f.id for f in self.ruleset.flags if any(r.name.casefold() == wanted for r in f.resources)}
        parts += [truths[i] for i, r in enumerate(self.ruleset.rules) if r.flag in flags]
        return t_or(parts)

    def _promise(self, node: Node, condition: Any, then: Then) -> float:
        """Rank a partial answer set by how close it looks to a counterexample (higher: closer)."""
        if condition(node) is False:
            return -math.inf
        kept = self._kept(node, then)
        if kept is True:
            return -math.inf
        if kept is False:
            return math.inf
        if isinstance(self.ruleset.decision, BandsDecision) or not (then.outcome or then.one_of or then.never):
            return 0.0
        good = {then.outcome} if then.outcome else set(then.one_of or ())
        bad = set(then.never or ()) or {o for o in self.ruleset.outcome_ids() if o not in good}
        low, high, _ = self.abstract.tallies(self.truths(node))
        return max((high[o] - max((v for x, v in low.items() if x != o), default=0.0) for o in bad), default=0.0)


def _within(possible: set[str], allowed: set[str]) -> Tri:
    """Give whether the outcome is surely (True), surely not (False) or maybe among `allowed`."""
    if possible <= allowed:
        return True
    return False if not possible & allowed else None


def _outside(possible: set[str], refused: set[str]) -> Tri:
    if not possible & refused:
        return True
    return False if possible <= refused else None


def _everywhere(possible: set[str], test: Any) -> Tri:
    found = [test(o) for o in possible]
    if found and all(found):
        return True
    return False if not any(found) else None


def prove(
    scorer: Scorer,
    guarantees: Sequence[tuple[Guarantee, str]],
    *,
    examples: Sequence[Answers] = (),
    budget: int = PROOF_BUDGET,
) -> list[GuaranteeReport]:
    """Give a report for each (guarantee, origin); their conditions must have no tag quantifiers."""
    if not guarantees:
        return []
    return Prover(scorer, guarantees, examples=examples, budget=budget).prove_all()
