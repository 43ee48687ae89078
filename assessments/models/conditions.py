"""Conditions: structured YAML that a counsellor can read, parsed into small frozen nodes.

Spelling (one key per mapping):

    all: [cond, ...]        every one holds
    any: [cond, ...]        at least one holds
    not: cond               the condition does not hold
    QUESTION: {OP: VALUE}   a comparison on an answer or a named score
    tagged: {tag: TAG, is: STATE}
                            some question carrying the tag (or one of a list of tags) is in
                            that state: yes, no, answered or unanswered (see TAG_STATES)

The comparison operators are listed in OPERATORS. Parsing here checks only the shape; whether
the question exists and the value is one it offers is checked against the questionnaire by
`assessments.checks`, which knows the questions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import PlainSerializer, PlainValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from assessments.models.base import not_finite, suggest

OPERATORS: dict[str, str] = {
    "equals": "the answer (or score) is exactly this value",
    "in": "the answer is one of these values",
    "at_least": "the number or score is this value or more",
    "at_most": "the number or score is this value or less",
    "between": "the number or score is within [low, high], both included",
    "answered": "true: the question has an answer; false: it has none",
    "contains": "a multiple-choice answer includes this option",
    "contains_any": "a multiple-choice answer includes at least one of these options",
}
GROUPS = ("all", "any", "not")
TAGGED = "tagged"
RESERVED = (*GROUPS, TAGGED)  # words a condition reads as its own, never as a question's name
TAG_STATES: dict[str, str] = {
    "yes": "answered with an answer the tag counts (for a yes/no question: yes)",
    "no": "answered, with an answer the tag does not count",
    "answered": "answered at all",
    "unanswered": "not answered (skipped, or not asked)",
}


@dataclass(frozen=True, slots=True)
class All:
    items: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    items: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class Not:
    item: Condition


@dataclass(frozen=True, slots=True)
class Compare:
    ref: str
    op: str
    value: Any


@dataclass(frozen=True, slots=True)
class Tagged:
    """Some question carrying one of `tags` is in `state`; replaced by plain comparisons
    (assessments.tags) once the questionnaires are known."""

    tags: tuple[str, ...]
    state: str


ConditionNode = All | AnyOf | Not | Compare | Tagged


def _fail(at: tuple[str | int, ...], message: str, **ctx: Any) -> PydanticCustomError:
    return PydanticCustomError("condition", message, {"at": at, **ctx})


def _scalar(value: Any) -> bool:
    return isinstance(value, str) or _number(value)


def _number(value: Any) -> bool:
    # NaN and infinity compare false (or true) with everything: never a usable constant
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _not_finite_lead(values: list[Any]) -> str:
    """Give "'.nan' (not a number) cannot be used; " for the first value that reads as NaN or infinity, else ""."""
    # `.nan` is text to the loader and 1e400 is infinity: said so, as band bounds do
    refused = [r for r in map(not_finite, values) if r]
    return f"{refused[0]}; " if refused else ""


def _parse_compare(ref: str, spec: Any, at: tuple[str | int, ...]) -> Compare:
    ops = ", ".join(OPERATORS)
    if not isinstance(spec, dict) or len(spec) != 1:
        raise _fail(
            at,
            "a comparison is written '{ref}: {shape}' with exactly one operator, one of: {ops}",
            ref=ref,
            shape="{OPERATOR: VALUE}",
            ops=ops,
        )
    ((op, value),) = spec.items()
    here = (*at, op)
    if op not in OPERATORS:
        raise _fail(
            here,
            "unknown operator '{op}'{hint}; expected one of: {ops}",
            op=op,
            hint=suggest(str(op), list(OPERATORS)),
            ops=ops,
        )
    if op in ("equals", "in", "contains", "contains_any") and (
        isinstance(value, bool) or (isinstance(value, list) and any(isinstance(v, bool) for v in value))
    ):
        raise _fail(
            here,
            "true and false are not answers; a yes/no question is answered with the text yes or no, so write"
            " {op}: {yes} (or {no})",
            op=op,
            yes='"yes"' if op in ("equals", "contains") else '["yes"]',
            no='"no"' if op in ("equals", "contains") else '["no"]',
        )
    if op in ("equals", "contains") and not _scalar(value):
        raise _fail(here, "'{op}' takes one value, e.g. {op}: sometimes", op=op)
    if op in ("in", "contains_any") and not (isinstance(value, list) and value and all(_scalar(v) for v in value)):
        raise _fail(here, "'{op}' takes a list of values, e.g. {op}: [rarely, never]", op=op)
    if op in ("at_least", "at_most") and not _number(value):
        raise _fail(here, "{lead}'{op}' takes a number, e.g. {op}: 2", lead=_not_finite_lead([value]), op=op)
    if op == "between" and not (
        isinstance(value, list) and len(value) == 2 and all(_number(v) for v in value) and value[0] <= value[1]
    ):
        lead = _not_finite_lead(value) if isinstance(value, list) else ""
        raise _fail(here, "{lead}'between' takes [low, high] with low <= high, e.g. between: [2, 6]", lead=lead)
    if op == "answered" and not isinstance(value, bool):
        raise _fail(here, "'answered' takes true or false")
    if isinstance(value, list):
        value = tuple(value)
    return Compare(ref=ref, op=op, value=value)


def parse_answer_test(data: Any) -> Compare | None:
    """Parse `{OP: VALUE}` written about one question (its name filled in when it is used)."""
    if data is None or isinstance(data, Compare):
        return data
    return _parse_compare("this question", data, ())


def parse_condition(data: Any, at: tuple[str | int, ...] = ()) -> ConditionNode:
    """Turn YAML data into condition nodes, or raise an error that points into the data."""
    if isinstance(data, ConditionNode):  # already parsed (model_copy, re-validation)
        return data
    if not isinstance(data, dict) or len(data) != 1:
        raise _fail(
            at,
            "a condition is one of: 'all: [...]', 'any: [...]', 'not: CONDITION' or 'QUESTION: {shape}'"
            " — one key per condition; put several inside 'all'",
            shape="{OPERATOR: VALUE}",
        )
    ((key, value),) = data.items()
    key = str(key)
    if key in ("all", "any"):
        if not isinstance(value, list) or not value:
            raise _fail((*at, key), "'{key}' takes a non-empty list of conditions", key=key)
        items = tuple(parse_condition(item, (*at, key, i)) for i, item in enumerate(value))
        return All(items) if key == "all" else AnyOf(items)
    if key == "not":
        return Not(parse_condition(value, (*at, key)))
    if key == TAGGED:
        return _parse_tagged(value, (*at, key))
    return _parse_compare(key, value, (*at, key))


def _parse_tagged(spec: Any, at: tuple[str | int, ...]) -> Tagged:
    example = "tagged: {tag: danger, is: yes}"
    if not isinstance(spec, dict) or set(spec) != {"tag", "is"}:
        keys = ", ".join(map(str, spec)) if isinstance(spec, dict) else "none"
        raise _fail(
            at, "'tagged' takes the keys tag and is (found: {keys}), e.g. {example}", keys=keys, example=example
        )
    tags = spec["tag"] if isinstance(spec["tag"], list) else [spec["tag"]]
    if not tags or not all(isinstance(t, str) and t for t in tags):
        raise _fail((*at, "tag"), "'tag' takes a tag id or a list of them, e.g. tag: [danger, control]")
    state = spec["is"]
    if state is True or state is False:
        raise _fail((*at, "is"), "write is: yes or is: no (words), not true or false")
    if state not in TAG_STATES:
        raise _fail(
            (*at, "is"),
            "unknown state '{state}'{hint}; expected one of: {states}",
            state=str(state),
            hint=suggest(str(state), list(TAG_STATES)),
            states=", ".join(TAG_STATES),
        )
    return Tagged(tuple(tags), state)


def condition_refs(node: ConditionNode) -> list[str]:
    """Give every question or score name a condition compares, in order."""
    if isinstance(node, (All, AnyOf)):
        return [ref for item in node.items for ref in condition_refs(item)]
    if isinstance(node, Not):
        return condition_refs(node.item)
    if isinstance(node, Tagged):
        return []  # names no question directly; see assessments.tags
    return [node.ref]


def unexpanded(node: Tagged) -> ValueError:
    """Give the error for a tag quantifier reaching code that only takes plain comparisons."""
    return ValueError(f"tagged {node.tags} must be expanded first (assessments.tags)")


def condition_tags(node: ConditionNode) -> list[str]:
    """Give every tag a condition's tag quantifiers name, in order."""
    if isinstance(node, (All, AnyOf)):
        return [tag for item in node.items for tag in condition_tags(item)]
    if isinstance(node, Not):
        return condition_tags(node.item)
    return list(node.tags) if isinstance(node, Tagged) else []


def dump_condition(node: ConditionNode) -> Any:
    """Give the YAML-shaped data for a condition (the inverse of parse_condition)."""
    if isinstance(node, All):
        return {"all": [dump_condition(i) for i in node.items]}
    if isinstance(node, AnyOf):
        return {"any": [dump_condition(i) for i in node.items]}
    if isinstance(node, Not):
        return {"not": dump_condition(node.item)}
    if isinstance(node, Tagged):
        return {TAGGED: {"tag": node.tags[0] if len(node.tags) == 1 else list(node.tags), "is": node.state}}
    value = list(node.value) if isinstance(node.value, tuple) else node.value
    return {node.ref: {node.op: value}}


def _validate(data: Any) -> ConditionNode:
    return parse_condition(data)


_SCALAR_SCHEMA = {"type": ["string", "number"]}
_NUMBER_SCHEMA = {"type": "number"}
ANSWER_TEST_SCHEMA: dict[str, Any] = {
    "type": "object",
    "minProperties": 1,
    "maxProperties": 1,
    "additionalProperties": False,
    "properties": {
        "equals": {**_SCALAR_SCHEMA, "description": OPERATORS["equals"]},
        "in": {"type": "array", "items": _SCALAR_SCHEMA, "minItems": 1, "description": OPERATORS["in"]},
        "at_least": {**_NUMBER_SCHEMA, "description": OPERATORS["at_least"]},
        "at_most": {**_NUMBER_SCHEMA, "description": OPERATORS["at_most"]},
        "between": {
            "type": "array",
            "items": _NUMBER_SCHEMA,
            "minItems": 2,
            "maxItems": 2,
            "description": OPERATORS["between"],
        },
        "answered": {"type": "boolean", "description": OPERATORS["answered"]},
        "contains": {"type": "string", "description": OPERATORS["contains"]},
        "contains_any": {
            "type": "array",
            "items": {"type": "string"},
            "minItems": 1,
            "description": OPERATORS["contains_any"],
        },
    },
}
_COMPARISON_SCHEMA = {
    "type": "object",
    "description": "QUESTION_OR_SCORE: {OPERATOR: VALUE}",
    "minProperties": 1,
    "maxProperties": 1,
    "additionalProperties": ANSWER_TEST_SCHEMA,
}
CONDITION_SCHEMA: dict[str, Any] = {
    "description": "all / any / not over comparisons QUESTION: {OPERATOR: VALUE}",
    "anyOf": [
        {
            "type": "object",
            "properties": {"all": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/Condition"}}},
            "required": ["all"],
            "additionalProperties": False,
        },
        {
            "type": "object",
            "properties": {"any": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/Condition"}}},
            "required": ["any"],
            "additionalProperties": False,
        },
        {
            "type": "object",
            "properties": {"not": {"$ref": "#/$defs/Condition"}},
            "required": ["not"],
            "additionalProperties": False,
        },
        {
            "type": "object",
            "description": "Some question carrying the tag (or one of the tags) is in this state",
            "properties": {
                TAGGED: {
                    "type": "object",
                    "properties": {
                        "tag": {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
                        "is": {"enum": list(TAG_STATES)},
                    },
                    "required": ["tag", "is"],
                    "additionalProperties": False,
                }
            },
            "required": [TAGGED],
            "additionalProperties": False,
        },
        _COMPARISON_SCHEMA,
    ],
}

Condition = Annotated[
    ConditionNode,
    PlainValidator(_validate),
    PlainSerializer(dump_condition),
    WithJsonSchema({"x-rekindle": "condition"}),  # assessments.schema points it at CONDITION_SCHEMA
]
