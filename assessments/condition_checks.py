"""Checks of one condition against the names a rule set (or a questionnaire's show_when) may
use: questions and scores that exist, operators that fit them, option values they offer, tags
some question carries. Each finding is a (key path, message) pair; the library turns the key
path into `file:line:col`."""

from __future__ import annotations

from collections.abc import Iterator

from assessments.models.base import suggest
from assessments.models.conditions import All, AnyOf, Compare, ConditionNode, Not, Tagged
from assessments.models.questionnaire import NumberQuestion, Question
from assessments.options import option_values
from assessments.refs import Resolver, ScoreRef

Keys = tuple[str | int, ...]
Finding = tuple[Keys, str]

_OPS_BY_KIND = {
    "single-choice": ("equals", "in", "answered"),
    "scale": ("equals", "in", "answered"),
    "yes-no": ("equals", "in", "answered"),
    "multiple-choice": ("contains", "contains_any", "answered"),
    "number": ("equals", "at_least", "at_most", "between", "answered"),
    "text": ("answered",),
}
_SCORE_OPS = ("equals", "at_least", "at_most", "between")


def _describe(question: Question) -> str:
    return f"a {question.kind} question"


def check_condition(node: ConditionNode, resolver: Resolver, at: Keys) -> Iterator[Finding]:
    """Yield what is wrong with a condition given the names it may use."""
    if isinstance(node, (All, AnyOf)):
        group = "all" if isinstance(node, All) else "any"
        for index, item in enumerate(node.items):
            yield from check_condition(item, resolver, (*at, group, index))
        return
    if isinstance(node, Not):
        yield from check_condition(node.item, resolver, (*at, "not"))
        return
    if isinstance(node, Tagged):
        yield from _check_tagged(node, resolver, (*at, "tagged"))
        return
    yield from _check_compare(node, resolver, (*at, node.ref))


def _check_tagged(node: Tagged, resolver: Resolver, at: Keys) -> Iterator[Finding]:
    if resolver.tags is None:
        yield at, "show_when names earlier questions; tag quantifiers belong in rules, guarantees and policies"
        return
    used = sorted(resolver.tags)
    for index, tag in enumerate(node.tags):
        if tag not in resolver.tags:
            where = (*at, "tag", index) if len(node.tags) > 1 else (*at, "tag")
            yield (
                where,
                f"no question here carries the tag '{tag}'{suggest(tag, used)}; tags its questions carry:"
                f" {', '.join(used) or '(none)'}",
            )


def _check_compare(node: Compare, resolver: Resolver, at: Keys) -> Iterator[Finding]:
    target = resolver.resolve(node.ref)
    if target is None:
        yield at, resolver.unknown_message(node.ref)
        return
    op_at = (*at, node.op)
    if isinstance(target, ScoreRef):
        if node.op not in _SCORE_OPS:
            yield (
                op_at,
                (
                    f"'{node.op}' does not apply to score '{node.ref}', which is a number;"
                    f" use one of: {', '.join(_SCORE_OPS)}"
                ),
            )
        elif node.op == "equals" and not isinstance(node.value, (int, float)):
            yield op_at, f"score '{node.ref}' is a number; compare it with a number, not '{node.value}'"
        return
    question = target.question
    allowed = _OPS_BY_KIND[question.kind]
    if node.op not in allowed:
        if node.op in ("at_least", "at_most", "between"):
            problem = f"'{node.op}' compares numbers, but '{node.ref}' is {_describe(question)}"
        else:
            problem = f"'{node.op}' does not apply to '{node.ref}', {_describe(question)}"
        yield op_at, f"{problem}; use one of: {', '.join(allowed)}"
        return
    if node.op == "answered":
        return
    if isinstance(question, NumberQuestion):
        if node.op == "equals" and not isinstance(node.value, (int, float)):
            yield op_at, f"'{node.ref}' is a number question; compare it with a number, not '{node.value}'"
        return
    offered = option_values(question)
    values = node.value if isinstance(node.value, tuple) else (node.value,)
    for value in values:
        if not isinstance(value, str) and str(value) in offered:
            yield (
                op_at,
                f"option values are text, and {value} is written as a number; write it in quotes: '{value}'",
            )
        elif str(value) not in offered or not isinstance(value, str):
            yield (
                op_at,
                (
                    f"unknown option '{value}'{suggest(str(value), offered)} for question '{node.ref}';"
                    f" expected one of: {', '.join(offered)}"
                ),
            )


def _duplicates(ids: list[str], at: list[Keys], what: str) -> Iterator[Finding]:
    seen: dict[str, int] = {}
    for index, item_id in enumerate(ids):
        if item_id in seen:
            yield at[index], f"{what} id '{item_id}' is used twice; give each {what} its own id"
        else:
            seen[item_id] = index
