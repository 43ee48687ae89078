"""Tags on questions, and tag quantifiers (`tagged: {tag: danger, is: yes}`) turned into the
plain comparisons they stand for once the questionnaires are known.

A quantifier over a rule set's questionnaires becomes `any` over one comparison per tagged
question, so the compiler, the firing tables and the analyzer only ever see plain conditions.
A tag no question carries gives an empty `any`, which never holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from assessments.models.conditions import All, AnyOf, Compare, ConditionNode, Not, Tagged
from assessments.models.questionnaire import Question, Questionnaire, TagUse, YesNo
from assessments.models.ruleset import RuleSet


@dataclass(frozen=True)
class TaggedQuestion:
    """A question carrying a tag: its name as the rule set writes it, and when its answer counts."""

    name: str
    question: Question
    counts: Compare | None  # None: the tag use says nothing and the question is not yes/no


def counting_test(question: Question, use: TagUse, name: str) -> Compare | None:
    """Give the comparison that says a question's answer counts for a tag (named `name`)."""
    if use.when is not None:
        return Compare(name, use.when.op, use.when.value)
    if isinstance(question, YesNo):
        return Compare(name, "equals", "yes")
    return None


class TagIndex:
    """Which questions carry which tag, across a rule set's questionnaires."""

    def __init__(self, questionnaires: Sequence[Questionnaire], *, qualified: bool) -> None:
        self.by_tag: dict[str, list[TaggedQuestion]] = {}
        for questionnaire in questionnaires:
            for question in questionnaire.questions():
                name = f"{questionnaire.id}.{question.id}" if qualified else question.id
                for use in question.tags:
                    tagged = TaggedQuestion(name, question, counting_test(question, use, name))
                    self.by_tag.setdefault(use.tag, []).append(tagged)

    def questions(self, tags: Sequence[str]) -> list[TaggedQuestion]:
        """Give the questions carrying any of the tags (tag by tag, in questionnaire order)."""
        return [q for tag in tags for q in self.by_tag.get(tag, [])]

    def expand(self, node: ConditionNode) -> ConditionNode:
        """Give the condition with every tag quantifier replaced by plain comparisons."""
        if isinstance(node, All):
            return All(tuple(self.expand(item) for item in node.items))
        if isinstance(node, AnyOf):
            return AnyOf(tuple(self.expand(item) for item in node.items))
        if isinstance(node, Not):
            return Not(self.expand(node.item))
        if isinstance(node, Tagged):
            return AnyOf(tuple(_state(q, node.state) for q in self.questions(node.tags)))
        return node


def _state(tagged: TaggedQuestion, state: str) -> ConditionNode:
    if state in ("answered", "unanswered"):
        return Compare(tagged.name, "answered", state == "answered")
    counts = tagged.counts
    assert counts is not None  # the checks refuse a tag use that says no answer counts
    if state == "yes":
        return counts
    return All((Compare(tagged.name, "answered", True), Not(counts)))


def has_tagged(node: ConditionNode) -> bool:
    """Give whether a condition uses a tag quantifier anywhere."""
    if isinstance(node, (All, AnyOf)):
        return any(has_tagged(item) for item in node.items)
    if isinstance(node, Not):
        return has_tagged(node.item)
    return isinstance(node, Tagged)


def expand_ruleset(ruleset: RuleSet, questionnaires: Sequence[Questionnaire]) -> RuleSet:
    """Give the rule set with its tag quantifiers replaced (the same object when it has none)."""
    conditions = [rule.when for rule in ruleset.rules]
    conditions += [c for score in ruleset.scores for c in score.count or ()]
    conditions += [v.when for v in getattr(ruleset.decision, "variants", ())]
    conditions += [g.when for g in ruleset.guarantees]
    if not any(has_tagged(c) for c in conditions):
        return ruleset
    index = TagIndex(questionnaires, qualified=len(ruleset.questionnaires) > 1)
    expand = index.expand
    rules = tuple(rule.model_copy(update={"when": expand(rule.when)}) for rule in ruleset.rules)
    scores = tuple(
        score.model_copy(update={"count": tuple(expand(c) for c in score.count)}) if score.count else score
        for score in ruleset.scores
    )
    decision = ruleset.decision
    variants = getattr(decision, "variants", ())
    if variants:
        decision = decision.model_copy(
            update={"variants": tuple(v.model_copy(update={"when": expand(v.when)}) for v in variants)}
        )
    guarantees = tuple(g.model_copy(update={"when": expand(g.when)}) for g in ruleset.guarantees)
    return ruleset.model_copy(update={"rules": rules, "scores": scores, "decision": decision, "guarantees": guarantees})
