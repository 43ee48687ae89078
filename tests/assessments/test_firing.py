"""Looking rules up by slot (assessments.firing) must agree with each rule's own closure."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from assessments import AssessmentError, load_library
from assessments.compiler import compile_condition
from assessments.firing import compile_firing
from assessments.models.conditions import parse_condition
from assessments.models.questionnaire import Questionnaire
from assessments.refs import Resolver
from tests.assessments.small_space import ALL, QUESTIONNAIRE, random_ruleset

# Constants that trip up a region table built carelessly: values with no float between them,
# sums that are not what they look like, integers past float precision, both signs.
CUTS = [
    -3,
    0,
    0.1,
    0.3,
    0.1 + 0.2,
    math.nextafter(0.3, 1),
    1,
    1.5,
    2**53,
    2**53 + 1,
    10.0,
]
VALUES = [*CUTS, -5, 0.2, 0.7, 2, 2**53 + 2, 9.999, 12, None]

GRID = Questionnaire.model_validate(
    yaml.safe_load(
        """
kind: questionnaire
id: q
version: "1"
title: Q
summary: Q.
minutes: 1
default_ruleset: none
sections:
  - id: s
    title: S
    questions:
      - {id: n, kind: number, text: "N?", min: -10, max: 10000000000000000, integer: false}
      - {id: c, kind: single-choice, text: "C?", options: [{value: x, label: X}, {value: y, label: Y}, {value: z, label: Z}]}
      - {id: b, kind: yes-no, text: "B?"}
"""
    )
)
RESOLVER = Resolver([GRID], qualified=False)


def number_compare() -> st.SearchStrategy[dict[str, Any]]:
    cut = st.sampled_from(CUTS)
    return st.one_of(
        st.builds(lambda c: {"n": {"at_least": c}}, cut),
        st.builds(lambda c: {"n": {"at_most": c}}, cut),
        st.builds(lambda c: {"n": {"equals": c}}, cut),
        st.builds(lambda a, b: {"n": {"between": sorted([a, b])}}, cut, cut),
        st.builds(lambda a: {"n": {"answered": a}}, st.booleans()),
    )


def choice_compare() -> st.SearchStrategy[dict[str, Any]]:
    return st.one_of(
        st.builds(lambda v: {"c": {"equals": v}}, st.sampled_from("xyz")),
        st.builds(lambda v: {"c": {"in": v}}, st.lists(st.sampled_from("xyz"), min_size=1, max_size=3, unique=True)),
        st.builds(lambda v: {"b": {"equals": v}}, st.sampled_from(["yes", "no"])),
        st.builds(lambda a: {"c": {"answered": a}}, st.booleans()),
    )


def conditions(leaf: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    return st.recursive(
        leaf,
        lambda inner: st.one_of(
            st.builds(lambda items: {"all": items}, st.lists(inner, min_size=1, max_size=3)),
            st.builds(lambda items: {"any": items}, st.lists(inner, min_size=1, max_size=3)),
            st.builds(lambda item: {"not": item}, inner),
        ),
        max_leaves=4,
    )


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.one_of(conditions(number_compare()), conditions(choice_compare())), min_size=1, max_size=8),
    st.sampled_from(VALUES),
    st.sampled_from([None, "x", "y", "z"]),
    st.sampled_from([None, "yes", "no"]),
)
def test_firing_agrees_with_each_condition(written: list[dict[str, Any]], n: Any, c: Any, b: Any) -> None:
    nodes = [parse_condition(data) for data in written]
    answers = {key: value for key, value in (("n", n), ("c", c), ("b", b)) if value is not None}
    values = {"q": answers}
    expected = [i for i, node in enumerate(nodes) if compile_condition(node, RESOLVER)(values)]
    assert compile_firing(nodes, RESOLVER)(values) == expected


def test_number_regions_between_neighbouring_floats() -> None:
    """0.1 + 0.2 and 0.3 are different floats with none between them; both edges must hold."""
    nodes = [parse_condition({"n": {"at_least": 0.1 + 0.2}}), parse_condition({"n": {"at_most": 0.3}})]
    firing = compile_firing(nodes, RESOLVER)
    assert firing({"q": {"n": 0.3}}) == [1]
    assert firing({"q": {"n": 0.1 + 0.2}}) == [0]
    assert firing({"q": {"n": 2**53 + 1}}) == [0]  # an integer past float precision, compared exactly
    assert firing({"q": {}}) == []


@pytest.mark.parametrize("seed", range(40))
def test_engine_fires_what_the_closures_say(tmp_path: Path, seed: int) -> None:
    """Random rule sets (mixed slots, scores, compound conditions) over every answer set."""
    (tmp_path / "small.yaml").write_text(QUESTIONNAIRE.lstrip())
    (tmp_path / "rules.yaml").write_text(random_ruleset(1000 + seed))
    library = load_library([tmp_path], bundled=False)
    scorer = library.scorer("small-rules")
    rules = library.ruleset("small-rules").rules
    checked = 0
    for answers in ALL:
        try:
            values, missing = scorer.values_for(answers)
        except AssessmentError:
            continue
        holding = [rule.id for rule, holds in zip(rules, scorer.predicates(), strict=True) if holds(values)]
        assert [r.id for r in scorer.decide(values, missing).fired] == holding, answers
        checked += 1
    assert checked > 1000
