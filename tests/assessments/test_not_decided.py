"""A guarantee that is not decided is a failure, never a pass: `validate` and `test` exit 1 and
name the guarantee's file:line:col, and the library refuses the rule set (it is not served).

A proof is not decided in two ways: its search runs out of steps (here the step budget is made
tiny, the knob a test has), or it searched a question whose answers could only be sampled (a
scored number with more whole values than the analyzer lists), which no budget makes exact.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from assessments import guard, load_library
from assessments.analysis.guarantees import PROVEN, UNDECIDED, GuaranteeReport, prove
from assessments.engine import Scorer
from assessments.errors import GuaranteeFailure, display_path
from webapp.cli import main
from webapp.flows import build_flows

QUESTIONNAIRE = """
kind: questionnaire
id: savings
version: "1"
title: Savings
summary: A check with a number too wide to list.
minutes: 1
default_ruleset: savings-rules
sections:
  - id: one
    title: One
    questions:
      - {id: afraid, kind: yes-no, text: Are you afraid of them?, required: false}
      - {id: saved, kind: number, text: How much have you saved?, min: 0, max: MAX, required: false}
"""

RULES = """
kind: ruleset
id: savings-rules
version: "1"
title: Savings rules
author: Tests
questionnaires: [savings]
outcomes:
  - {id: safety-first, title: Safety first, summary: Safety.}
  - {id: work-on-yourself, title: Work on yourself, summary: Work.}
  - {id: pursue, title: Pursue, summary: Pursue.}
rules:
  - {id: afraid, when: {afraid: {equals: "yes"}}, because: You are afraid., force: safety-first}
scores:
  - {id: hope, sum: [{question: saved}]}
decision:
  method: bands
  score: hope
  bands:
    - {outcome: work-on-yourself, min: 0, max: 60}
    - {outcome: pursue, min: 61, max: 1000}
guarantees:
  - id: fear-means-safety
    says: Fear always means safety first.
    when: {afraid: {equals: "yes"}}
    then: {outcome: safety-first}
"""

SAMPLED = """
  - id: little-never-pursue
    says: Little saved never leads to pursue.
    when: {saved: {at_most: 50}}
    then: {never: [pursue]}
"""

SCENARIOS = """
kind: scenarios
ruleset: savings-rules
cases:
  - {name: afraid, answers: {savings: {afraid: "yes"}}, expect: {outcome: safety-first}}
"""

WAYS = {
    # way: (the most one can have saved, the guarantees, the one not decided, why it says so)
    # (a file of its own, so that no proof of the twin below made with every step is remembered)
    "out of steps": (100, "# proven with two steps\n" + RULES, "fear-means-safety", ""),
    "answers only sampled": (
        1000,
        RULES + SAMPLED,
        "little-never-pursue",
        " (the answers to savings.saved could only be sampled)",
    ),
}


def write(folder: Path, rules: str, most: int = 100) -> Path:
    (folder / "savings.yaml").write_text(textwrap.dedent(QUESTIONNAIRE).lstrip().replace("MAX", str(most)))
    (folder / "rules.yaml").write_text(textwrap.dedent(rules).lstrip())
    (folder / "rules.scenarios.yaml").write_text(textwrap.dedent(SCENARIOS).lstrip())
    return folder / "rules.yaml"


def tiny_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    """Give the proofs of savings-rules two steps (the bundled rule sets keep the full budget, and
    the proofs remembered for them), remembering nothing past the test."""

    def proving(scorer: Scorer, guarantees: Any, **options: Any) -> list[GuaranteeReport]:
        if scorer.ruleset.id == "savings-rules":
            options["budget"] = 2
        return prove(scorer, guarantees, **options)

    monkeypatch.setattr(guard, "prove", proving)
    monkeypatch.setattr(guard, "_MEMO", dict(guard._MEMO))


def test_with_the_full_budget_the_guarantee_is_proven_and_served(tmp_path: Path) -> None:
    # the twin of "out of steps": the same rule set, decided when the search has all its steps
    write(tmp_path, RULES)
    library = load_library([tmp_path], bundled=False)
    assert [r.status for r in library.proofs["savings-rules"]] == [PROVEN]
    assert "savings-rules" not in library.refused
    assert "savings-rules" in build_flows(library, {}, None)


@pytest.mark.parametrize("way", list(WAYS))
def test_a_guarantee_not_decided_fails_validate_and_test_at_its_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, way: str
) -> None:
    most, rules, guarantee_id, why = WAYS[way]
    path = write(tmp_path, rules, most)
    if way == "out of steps":
        tiny_budget(monkeypatch)
    line = _line_of(path, guarantee_id)
    index = 0 if guarantee_id == "fear-means-safety" else 1
    expected = re.compile(
        re.escape(f"{display_path(path)}:{line}:5: guarantees[{index}]: guarantee '{guarantee_id}' was not decided in ")
        + r"\d+ steps"
        + re.escape(f"{why}, so it is not proven and the rule set is not served;")
    )
    env = {"REKINDLE_LIBRARY": ""}

    validated = CliRunner().invoke(main, ["validate", str(tmp_path / "savings.yaml"), str(path)], env=env)
    assert validated.exit_code == 1, validated.output
    assert [ln for ln in validated.output.splitlines() if expected.match(ln)], validated.output

    tested = CliRunner().invoke(
        main, ["--library", str(tmp_path), "test", str(tmp_path / "rules.scenarios.yaml")], env=env
    )
    assert tested.exit_code == 1, tested.output
    assert "1 passed, 0 failed" in tested.output  # its cases pass: the undecided proof alone fails it
    assert [ln for ln in tested.output.splitlines() if expected.match(ln)], tested.output
    assert "rule set(s) not keeping every guarantee (not served): savings-rules" in tested.output


@pytest.mark.parametrize("way", list(WAYS))
def test_a_rule_set_with_a_guarantee_not_decided_is_refused_by_the_library(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, way: str
) -> None:
    most, rules, guarantee_id, _ = WAYS[way]
    write(tmp_path, rules, most)
    if way == "out of steps":
        tiny_budget(monkeypatch)
    library = load_library([tmp_path], bundled=False)
    statuses = {r.id: r.status for r in library.proofs["savings-rules"]}
    assert statuses[guarantee_id] == UNDECIDED
    assert "savings-rules" in library.rulesets  # loaded, so counsellors can analyse and try it ...
    (reason,) = library.refused["savings-rules"]
    assert f"guarantee '{guarantee_id}' was not decided in " in reason
    (failure,) = [e for e in library.errors if isinstance(e, GuaranteeFailure)]
    assert failure.path.name == "rules.yaml" and failure.declares == ("ruleset", "savings-rules")
    assert [p.line for p in failure.problems] == [_line_of(tmp_path / "rules.yaml", guarantee_id)]
    assert "savings-rules" not in build_flows(library, {}, None)  # ... but not served to the public


def _line_of(path: Path, guarantee_id: str) -> int:
    return next(i for i, text in enumerate(path.read_text().splitlines(), 1) if f"- id: {guarantee_id}" in text)
