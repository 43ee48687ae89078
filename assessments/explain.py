"""Say, for authors, which part of a condition failed — a slow, interpreted walk of the nodes."""

from __future__ import annotations

from typing import Any

from assessments.models.conditions import All, AnyOf, Compare, ConditionNode, Not, Tagged, unexpanded
from assessments.refs import Resolver

_WORDS = {
    "equals": "is not {v}",
    "in": "is not one of {v}",
    "at_least": "is below {v}",
    "at_most": "is above {v}",
    "between": "is not between {v}",
    "contains": "does not include {v}",
    "contains_any": "includes none of {v}",
}


def why_not(node: ConditionNode, values: dict[str, Any], resolver: Resolver) -> str | None:
    """Give None when the condition holds, else the part that failed in words."""
    if isinstance(node, All):
        for item in node.items:
            reason = why_not(item, values, resolver)
            if reason is not None:
                return reason
        return None
    if isinstance(node, AnyOf):
        reasons = [why_not(item, values, resolver) for item in node.items]
        if any(r is None for r in reasons):
            return None
        return "none of these held: " + "; ".join(r for r in reasons if r)
    if isinstance(node, Not):
        if why_not(node.item, values, resolver) is None:
            return f"{_describe(node.item)} holds, and it must not"
        return None
    if isinstance(node, Tagged):
        raise unexpanded(node)
    return _compare(node, values, resolver)


def _describe(node: ConditionNode) -> str:
    if isinstance(node, Compare):
        return f"{node.ref} {node.op.replace('_', ' ')} {_show(node.value)}"
    return type(node).__name__.lower()


def _show(value: Any) -> str:
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(map(_show, value)) + "]"
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def _compare(node: Compare, values: dict[str, Any], resolver: Resolver) -> str | None:
    target = resolver.resolve(node.ref)
    if target is None:
        return f"{node.ref} is not known"
    group, name = target.slot
    got = values.get(group, {}).get(name)
    present = got is not None
    op, want = node.op, node.value
    if op == "answered":
        if present == want:
            return None
        return f"{node.ref} is {'not ' if want else ''}answered"
    if not present:
        return f"{node.ref} is not answered"
    if holds(op, got, want):
        return None
    return f"{node.ref} is {_show(got)}, which {_WORDS[op].format(v=_show(want))}"


def holds(op: str, got: Any, want: Any) -> bool:
    """Give whether one comparison holds for a value (None: unanswered), as the compiled closures decide."""
    if op == "answered":
        return (got is not None) is bool(want)
    if got is None:
        return False
    if op == "equals":
        return bool(got == want)
    if op == "in":
        return got in want
    if op == "at_least":
        return bool(got >= want)
    if op == "at_most":
        return bool(got <= want)
    if op == "between":
        return bool(want[0] <= got <= want[1])
    if op == "contains":
        return want in got
    return any(w in got for w in want)  # contains_any
