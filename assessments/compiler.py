"""Compile conditions once into plain closures over the values being scored.

While scoring, `values[questionnaire_id]` maps question ids to checked answers (unanswered
questions are absent; multiple choice is a list or tuple) and `values[SCORES]` maps score ids
to numbers (None when a score has nothing to go on). Nothing here evaluates text: every
closure is built from the parsed condition nodes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from assessments.models.conditions import All, AnyOf, Compare, ConditionNode, Not, Tagged, unexpanded
from assessments.refs import Resolver

Values = dict[str, Any]  # questionnaire id (or SCORES) -> {question or score id: value}
Predicate = Callable[[Values], bool]
Getter = Callable[[Values], Any]


def slot_of(ref: str, resolver: Resolver) -> tuple[str, str]:
    """Give (group, name) where a name's value sits while scoring (checked at load, so it exists)."""
    target = resolver.resolve(ref)
    if target is None:
        raise KeyError(ref)  # the checks run before compiling, so this is a programming error
    return target.slot


def compile_condition(node: ConditionNode, resolver: Resolver) -> Predicate:
    """Give a closure that tells whether the condition holds for a dict of values."""
    if isinstance(node, All):
        parts = [compile_condition(item, resolver) for item in node.items]
        if len(parts) == 1:
            return parts[0]
        if len(parts) == 2:
            first, second = parts
            return lambda v: first(v) and second(v)

        def all_hold(v: Values) -> bool:  # a loop: cheaper than all() over a generator here
            for part in parts:  # noqa: SIM110
                if not part(v):
                    return False
            return True

        return all_hold
    if isinstance(node, AnyOf):
        parts = [compile_condition(item, resolver) for item in node.items]
        if len(parts) == 1:
            return parts[0]
        if len(parts) == 2:
            first, second = parts
            return lambda v: first(v) or second(v)

        def any_holds(v: Values) -> bool:  # a loop: cheaper than any() over a generator here
            for part in parts:  # noqa: SIM110
                if part(v):
                    return True
            return False

        return any_holds
    if isinstance(node, Not):
        inner = compile_condition(node.item, resolver)
        return lambda v: not inner(v)
    if isinstance(node, Tagged):
        raise unexpanded(node)
    return _compile_compare(node, *slot_of(node.ref, resolver))


def _compile_compare(node: Compare, group: str, name: str) -> Predicate:
    op, value = node.op, node.value
    if op == "equals":
        return lambda v: v[group].get(name) == value
    if op == "in":
        allowed = frozenset(value)
        return lambda v: v[group].get(name) in allowed
    if op == "answered":
        return (lambda v: name in v[group]) if value else (lambda v: name not in v[group])
    if op == "contains":
        return lambda v: value in v[group].get(name, ())
    if op == "contains_any":
        wanted = frozenset(value)
        return lambda v: not wanted.isdisjoint(v[group].get(name, ()))
    if op == "at_least":

        def at_least(v: Values) -> bool:
            got = v[group].get(name)
            return got is not None and got >= value

        return at_least
    if op == "at_most":

        def at_most(v: Values) -> bool:
            got = v[group].get(name)
            return got is not None and got <= value

        return at_most
    if op == "between":
        low, high = value

        def between(v: Values) -> bool:
            got = v[group].get(name)
            return got is not None and low <= got <= high

        return between
    raise ValueError(f"unknown operator {op}")  # parse_condition refuses these first
