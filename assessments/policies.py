"""Library policies: checking a policy file, and finding the guarantees each rule set must keep.

A rule set keeps its own guarantees and every policy guarantee that applies to it: one whose
tags (its `applies_to`, or else the tags its condition names) are carried by some question of
the rule set's questionnaires.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from assessments.condition_checks import Finding, Keys
from assessments.guarantee_checks import then_findings
from assessments.models.base import suggest
from assessments.models.conditions import All, AnyOf, Compare, ConditionNode, Not, Tagged
from assessments.models.policy import Policy, PolicyGuarantee
from assessments.models.questionnaire import Questionnaire
from assessments.models.ruleset import Guarantee, RuleSet
from assessments.tags import TagIndex


def declared_tags(policies: Sequence[Policy], questionnaires: Sequence[Questionnaire]) -> set[str]:
    """Give every tag declared in the library, by policies or by questionnaires."""
    return {t.id for p in policies for t in p.tags} | {t.id for q in questionnaires for t in q.tags}


def check_policy(policy: Policy, declared: set[str]) -> list[Finding]:
    """Give what is wrong with a policy file on its own (rule sets are checked against it later)."""
    findings: list[Finding] = []
    seen_tags: set[str] = set()
    for index, declaration in enumerate(policy.tags):
        if declaration.id in seen_tags:
            findings.append((("tags", index, "id"), f"tag '{declaration.id}' is declared twice; declare it once"))
        seen_tags.add(declaration.id)
    seen: set[str] = set()
    known = sorted(declared)
    for index, guarantee in enumerate(policy.guarantees):
        at: Keys = ("guarantees", index)
        if guarantee.id in seen:
            findings.append(((*at, "id"), f"guarantee id '{guarantee.id}' is used twice; give each its own id"))
        seen.add(guarantee.id)
        findings += _policy_condition(guarantee.when, known, (*at, "when"))
        for t_index, tag in enumerate(guarantee.applies_to or ()):
            if tag not in declared:
                findings.append(((*at, "applies_to", t_index), _unknown_tag(tag, known)))
    return findings


def _unknown_tag(tag: str, known: list[str]) -> str:
    return (
        f"unknown tag '{tag}'{suggest(tag, known)}; declare it under tags in a policy or questionnaire"
        f" (declared: {', '.join(known) or 'none'})"
    )


def _policy_condition(node: ConditionNode, known: list[str], at: Keys) -> Iterator[Finding]:
    if isinstance(node, (All, AnyOf)):
        group = "all" if isinstance(node, All) else "any"
        for index, item in enumerate(node.items):
            yield from _policy_condition(item, known, (*at, group, index))
    elif isinstance(node, Not):
        yield from _policy_condition(node.item, known, (*at, "not"))
    elif isinstance(node, Tagged):
        for index, tag in enumerate(node.tags):
            if tag not in known:
                where = (*at, "tagged", "tag", index) if len(node.tags) > 1 else (*at, "tagged", "tag")
                yield where, _unknown_tag(tag, known)
    else:
        assert isinstance(node, Compare)
        yield (
            (*at, node.ref),
            f"a policy applies to many questionnaires, so it speaks about tags, not question '{node.ref}';"
            " write e.g. tagged: {tag: danger, is: yes}, or put this guarantee in the rule set",
        )


def triggers(guarantee: PolicyGuarantee) -> set[str]:
    """Give the tags that make a policy guarantee apply to a rule set: its `applies_to`, or else
    the tags its condition asks to be present (not those it asks to be absent, under a `not`)."""
    return set(guarantee.applies_to or _wanted_tags(guarantee.when, wanted=True))


def _wanted_tags(node: ConditionNode, *, wanted: bool) -> list[str]:
    if isinstance(node, (All, AnyOf)):
        return [tag for item in node.items for tag in _wanted_tags(item, wanted=wanted)]
    if isinstance(node, Not):
        return _wanted_tags(node.item, wanted=not wanted)
    return list(node.tags) if isinstance(node, Tagged) and wanted else []


def used_tags(questionnaires: Sequence[Questionnaire]) -> set[str]:
    """Give the tags the questions of these questionnaires carry."""
    return {use.tag for q in questionnaires for question in q.questions() for use in question.tags}


@dataclass(frozen=True)
class Applied:
    """A guarantee a rule set must keep, ready to prove, and where it is written."""

    guarantee: Guarantee  # its condition with tag quantifiers expanded
    origin: str  # "rule set" or "policy ID"
    policy: str | None  # the policy's id, or None for the rule set's own
    index: int  # its position in the file's guarantees list
    qualified: bool  # the rule set names questions questionnaire.question


def applied_guarantees(
    ruleset: RuleSet, expanded: RuleSet, questionnaires: Sequence[Questionnaire], policies: Sequence[Policy]
) -> tuple[list[Applied], list[tuple[str, int, str]]]:
    """Give the guarantees a rule set must keep, and the policy guarantees it cannot even be checked
    against, as (policy id, guarantee index, message).

    `expanded` is the rule set with its own tag quantifiers expanded (the Scorer's copy).
    """
    qualified = len(ruleset.questionnaires) > 1
    found = [Applied(g, "rule set", None, i, qualified) for i, g in enumerate(expanded.guarantees)]
    unfit: list[tuple[str, int, str]] = []
    tags = used_tags(questionnaires)
    index = TagIndex(questionnaires, qualified=len(ruleset.questionnaires) > 1)
    for policy in policies:
        for g_index, guarantee in enumerate(policy.guarantees):
            if not triggers(guarantee) & tags:
                continue
            problems = then_findings(guarantee, ruleset, ("then",), lenient_never=True)
            if problems:
                unfit += [(policy.id, g_index, message) for _, message in problems]
                continue
            plain = Guarantee(
                id=guarantee.id, says=guarantee.says, when=index.expand(guarantee.when), then=guarantee.then
            )
            found.append(Applied(plain, f"policy {policy.id}", policy.id, g_index, qualified))
    return found, unfit
