"""A questionnaire small enough to score every answer set, and random rule sets over it.

Shared by the tests that check the analyzer and the engine's rule tables against brute force.
"""

from __future__ import annotations

import itertools
import json
import random
import textwrap
from typing import Any

QUESTIONNAIRE = """
kind: questionnaire
id: small
version: "1"
title: Small
summary: A questionnaire small enough to score every answer set.
minutes: 1
default_ruleset: small-rules
sections:
  - id: one
    title: One
    questions:
      - id: a
        kind: scale
        text: A?
        options:
          - {value: low, label: Low, points: 0}
          - {value: mid, label: Mid, points: 1}
          - {value: high, label: High, points: 3}
      - {id: b, kind: single-choice, text: B?, options: [{value: p, label: P, points: 2}, {value: q, label: Q, points: 0}]}
      - {id: c, kind: yes-no, text: C?, points: {yes: 2, no: 0}}
      - id: d
        kind: multiple-choice
        text: D?
        options:
          - {value: x, label: X, points: 1}
          - {value: y, label: Y, points: 2}
          - {value: none, label: None of these, points: 0, exclusive: true}
      - {id: n, kind: number, text: N?, min: 0, max: 4}
      - {id: e, kind: yes-no, text: E?, show_when: {c: {equals: "yes"}}}
"""
DOMAINS: dict[str, list[Any]] = {
    "a": [None, "low", "mid", "high"],
    "b": [None, "p", "q"],
    "c": [None, "yes", "no"],
    "d": [None, ["x"], ["y"], ["x", "y"], ["none"]],
    "n": [None, 0, 1, 2, 3, 4],
    "e": [None, "yes", "no"],
}
OUTCOMES = ["o1", "o2", "o3"]


def random_compare(rng: random.Random) -> dict[str, Any]:
    question = rng.choice(["a", "b", "c", "d", "n", "e", "total", "avg", "half", "top", "combo", "cnt"])
    if question == "top":
        return {"top": rng.choice([{"at_least": rng.choice([1, 2, 2.5])}, {"at_most": 0.5}])}
    if question == "combo":
        return {"combo": rng.choice([{"at_least": rng.choice([-3, -1, 0])}, {"at_most": -10}])}
    if question == "cnt":
        return {"cnt": {"equals": rng.randint(0, 2)}}
    if question == "a":
        return {"a": rng.choice([{"equals": "high"}, {"in": ["low", "mid"]}, {"answered": rng.random() < 0.5}])}
    if question == "b":
        return {"b": {"equals": rng.choice(["p", "q"])}}
    if question in ("c", "e"):
        return {question: {"equals": rng.choice(["yes", "no"])}}
    if question == "d":
        return {"d": rng.choice([{"contains": "x"}, {"contains_any": ["y", "none"]}, {"answered": False}])}
    if question == "n":
        return {"n": rng.choice([{"at_least": rng.randint(0, 5)}, {"between": [1, 3]}, {"at_most": 1}])}
    if question == "total":
        return {"total": rng.choice([{"at_least": rng.randint(0, 15)}, {"at_most": rng.randint(0, 6)}, {"equals": 7}])}
    if question == "half":  # weights below 1: the mean is still an average of the points
        return {"half": {"at_least": rng.choice([1.5, 2, 2.5, 3])}}
    return {"avg": rng.choice([{"at_least": rng.choice([0.5, 1, 1.5, 2.5])}, {"at_most": rng.choice([0.2, 1, 2])}])}


def random_condition(rng: random.Random, depth: int = 0) -> dict[str, Any]:
    roll = rng.random()
    if depth < 2 and roll < 0.2:
        return {"all": [random_condition(rng, depth + 1) for _ in range(rng.randint(2, 3))]}
    if depth < 2 and roll < 0.35:
        return {"any": [random_condition(rng, depth + 1) for _ in range(2)]}
    if depth < 2 and roll < 0.42:
        return {"not": random_condition(rng, depth + 1)}
    return random_compare(rng)


def random_ruleset(seed: int) -> str:
    rng = random.Random(seed)
    rules = []
    for index in range(rng.randint(3, 6)):
        rule: dict[str, Any] = {"id": f"r{index}", "when": random_condition(rng), "because": "Because."}
        if rng.random() < 0.2:
            rule["force"] = rng.choice(OUTCOMES)
            rule["priority"] = rng.randint(0, 2)
        else:
            rule["add"] = {o: rng.choice([1, 2, 3]) for o in rng.sample(OUTCOMES, rng.randint(1, 2))}
        rules.append(rule)
    if rng.random() < 0.5:
        decision: dict[str, Any] = {"method": "highest", "ties": rng.sample(OUTCOMES, 3), "if_no_weight": "o1"}
    else:
        cut = rng.randint(1, 13)
        decision = {
            "method": "bands",
            "score": "total",
            "bands": [
                {"outcome": "o1", "min": 0, "max": cut - 1},
                {"outcome": rng.choice(["o2", "o3"]), "min": cut, "max": 14},
            ],
        }
    missing: dict[str, Any] = {"max_missing": rng.randint(2, 5)} if rng.random() < 0.5 else {}
    if rng.random() < 0.3:
        missing["treat_as"] = "zero"

    return (
        textwrap.dedent(
            """
        kind: ruleset
        id: small-rules
        version: "1"
        title: Small rules
        author: Tests
        questionnaires: [small]
        outcomes: [{id: o1, title: O1, summary: One.}, {id: o2, title: O2, summary: Two.}, {id: o3, title: O3, summary: Three.}]
        scores:
          - {id: total, sum: [{question: a}, {question: b}, {question: c}, {question: d}, {question: n}]}
          - {id: avg, mean: [{question: a, weight: 0.5}, {question: c, reverse: true, weight: 2}, {question: b}]}
          - {id: half, mean: [{question: a, weight: 0.5}, {question: b, weight: 0.25}]}
          - {id: top, max: [{question: a}, {question: n, weight: 0.5}]}
          - {id: combo, sum: [{score: total, weight: -1}, {score: half}]}
          - {id: cnt, count: [{c: {equals: "yes"}}, {any: [{b: {equals: p}}, {d: {contains: x}}]}]}
        """
        )
        + f"rules: {json.dumps(rules)}\ndecision: {json.dumps(decision)}\nmissing: {json.dumps(missing)}\n"
    )


def every_answer_set() -> list[dict[str, dict[str, Any]]]:
    found = []
    for values in itertools.product(*DOMAINS.values()):
        answers = {q: v for q, v in zip(DOMAINS, values, strict=True) if v is not None}
        if "e" in answers and answers.get("c") != "yes":
            continue  # e is asked only when c is yes
        found.append({"small": answers})
    return found


ALL = every_answer_set()
