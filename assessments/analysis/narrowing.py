"""Making the guarantee search small: a condition that is an `any` is proven one case at a time,
and once a forcing rule surely fires, answers only lower-priority rules could tell apart are no
longer both tried."""

from __future__ import annotations

from typing import TYPE_CHECKING

from assessments.analysis.abstract import Node, Tri
from assessments.analysis.space import Slot, Var, compares
from assessments.explain import holds
from assessments.models.conditions import All, AnyOf, Compare, ConditionNode, Not
from assessments.models.ruleset import Then
from assessments.refs import QuestionRef

if TYPE_CHECKING:
    from assessments.analysis.guarantees import Prover


def asked_for(node: ConditionNode, wanted: bool = True) -> list[Compare]:
    """Give the comparisons a condition needs to hold (not those it needs not to, under a `not`)."""
    if isinstance(node, (All, AnyOf)):
        return [c for item in node.items for c in asked_for(item, wanted)]
    if isinstance(node, Not):
        return asked_for(node.item, not wanted)
    return [node] if isinstance(node, Compare) and wanted else []


MAX_CASES = 512


def cases(node: ConditionNode) -> list[ConditionNode]:
    """Give conditions whose `any` is the given one: its disjuncts, with `all` distributed over them.

    An empty list means the condition can never hold (a tag no question carries). Past
    MAX_CASES, the condition is kept whole.
    """
    found: list[ConditionNode]
    if isinstance(node, AnyOf):
        found = [case for item in node.items for case in cases(item)]
    elif isinstance(node, All):
        found = [node]
        for index, item in enumerate(node.items):
            split = cases(item)
            if len(split) != 1:
                rest = node.items[:index] + node.items[index + 1 :]
                found = []
                for part in split:
                    found += cases(All((*rest, part)))
                    if len(found) > MAX_CASES:
                        return [node]
                break
    else:
        found = [node]
    return found if len(found) <= MAX_CASES else [node]


class Narrowing:
    """Which answers to a question are still worth telling apart, part-way through a search.

    Once a forcing rule surely fires, rules of lower priority, the weights and the bands can no
    longer change the outcome; answers that only they tell apart (a skipped question and a
    "no", say) behave alike from then on, so one of them stands for both. Without that, a
    condition over many questions that all have to be "not yes" would be walked in every mix of
    "no" and "skipped".
    """

    def __init__(self, prover: Prover, when: ConditionNode, then: Then) -> None:
        self.prover = prover
        self.when = when
        self.then = then
        self.rules = prover.ruleset.rules
        self.groups: dict[tuple[frozenset[int], int], list[int]] = {}
        # set when the search branched on a question whose answers were only sampled, at a
        # point where its exact value could still matter: the proof is then not exact
        self.inexact = False
        space = prover.space
        self.show_tests: dict[Slot, list[Compare]] = {}
        for var in space.vars:
            if var.question.show_when is not None:
                for compare in compares(var.question.show_when):
                    self.show_tests.setdefault((var.slot[0], compare.ref), []).append(compare)

    def choices(self, node: Node, var: Var) -> list[int]:
        """Give one candidate answer of each group that can still behave differently."""
        everything = list(range(len(var.values)))
        live = self.live(self.prover.truths(node))
        if live is None:
            self.inexact = self.inexact or var.approximate
            return everything
        key = (live, var.index)
        found = self.groups.get(key)
        if found is None:
            found = self.groups[key] = self._representatives(live, var) or everything
        if var.approximate and found is everything:
            self.inexact = True
        return found

    def live(self, truths: list[Tri]) -> frozenset[int] | None:
        """Give the rules whose truth can still change the property (None: all of them)."""
        rules = self.rules
        sure = [i for i, r in enumerate(rules) if r.force and truths[i] is True]
        if not sure:
            return None
        top = max(rules[i].priority for i in sure)
        first = min(i for i in sure if rules[i].priority == top)
        live = {
            i
            for i, r in enumerate(rules)
            if r.force and truths[i] is None and (r.priority > top or (r.priority == top and i < first))
        }
        if self.then.flags or self.then.resources:
            live |= {i for i, r in enumerate(rules) if r.flag and truths[i] is None}
        if self.then.advice:
            live |= {i for i, r in enumerate(rules) if r.advice and truths[i] is None}
        return frozenset(live)

    def _representatives(self, live: frozenset[int], var: Var) -> list[int] | None:
        """Give the first answer of each group alike under the live conditions (None: no narrowing)."""
        space = self.prover.space
        tests = list(self.show_tests.get(var.slot, []))
        for condition in [self.when, *(self.rules[i].when for i in sorted(live))]:
            for compare in compares(condition):
                target = space.resolver.resolve(compare.ref)
                if isinstance(target, QuestionRef):
                    if target.slot == var.slot:
                        tests.append(compare)
                elif var.slot in space.slots_of_name(compare.ref):
                    return None  # a score that adds this answer up: keep every candidate
        kept: dict[tuple[bool, ...], int] = {}
        for index, value in enumerate(var.values):
            kept.setdefault(tuple(holds(t.op, value, t.value) for t in tests), index)
        return sorted(kept.values())
