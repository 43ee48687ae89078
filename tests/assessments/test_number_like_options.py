"""Option values that look like numbers ("0", "3"): an answer or a condition written as a number
gets "write it as text", never "unknown option '3' (did you mean '3'?)"."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from assessments import load_library
from webapp.cli import main

QUESTIONNAIRE = """kind: questionnaire
id: counted
version: "1"
title: Counted
summary: Options whose values are digits.
minutes: 1
default_ruleset: counted
sections:
  - id: only
    title: Only
    questions:
      - id: days
        kind: single-choice
        text: How many days this week?
        options:
          - {value: "0", label: None, points: 0}
          - {value: "3", label: Three, points: 3}
      - id: which
        kind: multiple-choice
        text: Which ones?
        options:
          - {value: "1", label: One, points: 1}
          - {value: "2", label: Two, points: 2}
"""
RULES = """kind: ruleset
id: counted
version: "1"
title: Counted
author: Tests
questionnaires: [counted]
outcomes: [{id: some, title: Some, summary: Some.}, {id: none, title: None, summary: None.}]
rules:
  - {id: three, when: {days: {equals: 3}}, because: Three days., force: some}
  - {id: listed, when: {days: {in: ["0", 0]}}, because: No days., force: none}
decision: {method: highest, ties: [some, none], if_no_weight: none}
"""


def test_a_condition_with_a_number_for_a_text_option_says_to_write_it_as_text(tmp_path: Path) -> None:
    (tmp_path / "counted.yaml").write_text(QUESTIONNAIRE)
    (tmp_path / "rules.yaml").write_text(RULES)
    library = load_library([tmp_path], bundled=False)
    assert [line for e in library.errors for line in e.format(relative_to=tmp_path).splitlines()] == [
        "rules.yaml:9:31: rules[0].when.days.equals: option values are text, and 3 is written as a number; write it"
        " in quotes: '3'",
        "rules.yaml:10:32: rules[1].when.days.in: option values are text, and 0 is written as a number; write it in"
        " quotes: '0'",
        "counted.yaml:7:1: default_ruleset: default rule set 'counted' failed to load; fix the errors reported for it",
    ]


def test_answers_written_as_numbers_for_text_options_say_to_write_them_as_text(tmp_path: Path) -> None:
    (tmp_path / "counted.yaml").write_text(QUESTIONNAIRE)
    (tmp_path / "rules.yaml").write_text(RULES.replace("equals: 3}", "equals: '3'}").replace(", 0]}", "]}"))
    (tmp_path / "rules.scenarios.yaml").write_text(
        "kind: scenarios\nruleset: counted\ncases:\n"
        "  - {name: numbers, answers: {counted: {days: 0, which: [1]}}, expect: {outcome: none}}\n"
    )
    library = load_library([tmp_path], bundled=False)
    assert [line for e in library.errors for line in e.format(relative_to=tmp_path).splitlines()] == [
        "rules.scenarios.yaml:4:41: cases[0].answers.counted.days: option values are text, and 0 is written as a"
        " number; write it as text: '0'",
        "rules.scenarios.yaml:4:50: cases[0].answers.counted.which: option values are text, and 1 is written as a"
        " number; write it as text: '1'",
    ]
    answers = tmp_path / "answers.yaml"
    answers.write_text("counted: {days: 3}\n")
    scored = CliRunner().invoke(
        main, ["--library", str(tmp_path), "score", "counted", "--answers", str(answers)], env={"REKINDLE_LIBRARY": ""}
    )
    assert scored.exit_code == 1
    assert scored.output.splitlines()[-2:] == [
        f"{answers}: 1 problem with the answers:",
        "- counted.days: option values are text, and 3 is written as a number; write it as text: '3'",
    ]
