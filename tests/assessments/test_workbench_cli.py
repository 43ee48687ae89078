"""analyze, test --coverage and new-ruleset, as a counsellor runs them."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from assessments.library import load_library
from tests.assessments.conftest import QUIZ, rules
from webapp.cli import main

ENV = {"REKINDLE_LIBRARY": ""}


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), env=ENV, catch_exceptions=False)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text).lstrip())
    return path


BANDS = """
outcomes:
  - {id: low, title: Low, summary: Low.}
  - {id: high, title: High, summary: High.}
scores:
  - {id: total, sum: [{question: a}, {question: b}]}
decision:
  method: bands
  score: total
  bands:
"""


@pytest.mark.parametrize(
    ("bands", "message"),
    [
        (
            "    - {outcome: low, min: 0, max: 2}\n    - {outcome: high, min: 2, max: 4}\n",
            "18:23: decision.bands[1].min: bands overlap: min 2 is inside band 'low' (0 to 2); start this band at 3",
        ),
        (
            "    - {outcome: low, min: 0, max: 1}\n    - {outcome: high, min: 3, max: 4}\n",
            "18:23: decision.bands[1].min: gap between bands: values after 1 and before 3 have no band; start this band at min: 2",
        ),
    ],
    ids=["overlap", "gap"],
)
def test_analyze_reports_band_overlaps_and_gaps_and_exits_1(tmp_path: Path, bands: str, message: str) -> None:
    write(tmp_path, "quiz.yaml", QUIZ)
    path = write(tmp_path, "quiz-rules.yaml", rules(BANDS) + bands)
    result = run("--library", str(tmp_path), "analyze", str(path))
    assert result.exit_code == 1
    assert result.output == f"{path}:{message}\n"


def test_analyze_exits_1_for_a_rule_that_can_never_fire(tmp_path: Path) -> None:
    write(tmp_path, "quiz.yaml", QUIZ)
    text = rules(BANDS) + "    - {outcome: low, min: 0, max: 2}\n    - {outcome: high, min: 3, max: 4}\n"
    text += "rules:\n  - {id: never, when: {total: {at_least: 5}}, because: Never., force: high}\n"
    path = write(tmp_path, "quiz-rules.yaml", text)
    result = run("--library", str(tmp_path), "analyze", str(path))
    assert result.exit_code == 1, result.output
    assert "never                        NEVER FIRES (proven over 16 combinations)" in result.output
    assert (
        f"error: {path}:20:17: rules[0].when: rule 'never' can never fire: total: {{at_least: 5}} (the score 'total'"
        " ranges from 0 to 4) can never hold; change the value it compares with"
    ) in result.output.splitlines()
    data = json.loads(run("--library", str(tmp_path), "analyze", "quiz-rules", "--json").output)
    assert data["rules"][0] == {
        "id": "never",
        "can_fire": False,
        "example": None,
        "tried": 1,  # the bounds rule it out before any answer is chosen
        "combinations": 16,
        "impossible": ["total: {at_least: 5} (the score 'total' ranges from 0 to 4)"],
        "changes_outcome": None,
        "change_example": None,
        "change_tried": 0,
    }
    assert data["scores"][0]["low"] == 0 and data["scores"][0]["high"] == 4
    assert len(data["problems"]) == 1


def test_analyze_bundled_rule_sets_exit_0() -> None:
    result = run("analyze", "red-flags")
    assert result.exit_code == 0, result.output
    assert "warning-signs                0 .. 19" in result.output
    assert (
        "safety-first                 reachable, e.g. physical-harm=yes" in result.output
    )  # plain ids, as the file names them


def test_test_coverage_lists_what_no_case_reaches(tmp_path: Path) -> None:
    write(tmp_path, "quiz.yaml", QUIZ)
    text = rules(BANDS) + "    - {outcome: low, min: 0, max: 2}\n    - {outcome: high, min: 3, max: 4}\n"
    text += "rules:\n  - {id: c-yes, when: {c: {equals: 'yes'}}, because: C., flag: f}\n"
    text = text.replace("scores:", "flags:\n  - {id: f, title: F}\nscores:")
    write(tmp_path, "quiz-rules.yaml", text)
    cases = write(
        tmp_path,
        "quiz-rules.scenarios.yaml",
        """
        kind: scenarios
        ruleset: quiz-rules
        cases:
          - {name: none, answers: {quiz: {}}, expect: {outcome: low}}
        """,
    )
    result = run("--library", str(tmp_path), "test", str(cases), "--coverage")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-4:] == [
        "Coverage of quiz-rules (1 case):",
        "  outcomes no case reaches: high",
        "  rules no case reaches: c-yes",
        "  bands no case reaches: band 'high' (3 to 4)",
    ]


def test_new_ruleset_starter_is_valid_tested_and_clean(tmp_path: Path) -> None:
    for questionnaire in ("red-flags", "motivation-check", "signs-they-want-you-back"):
        out = tmp_path / questionnaire
        result = run("new-ruleset", questionnaire, "--out", str(out))
        assert result.exit_code == 0, result.output
        path = out / f"{questionnaire}-draft.yaml"
        text = path.read_text()
        assert text.startswith("# yaml-language-server: $schema=")
        schema = (out / text.splitlines()[0].split("$schema=")[1]).resolve()
        assert schema.name == "ruleset.schema.json" and schema.is_file()
        library = load_library([out])
        assert not library.errors, [str(e) for e in library.errors]
        for question in library.questionnaire(questionnaire).questions():
            assert f"#   {question.id} " in text  # every question listed
        for kind in ("force:", "flag:", "advice:", "add:"):
            assert kind in text
        tested = run("--library", str(out), "test", str(out / f"{questionnaire}-draft.scenarios.yaml"))
        assert tested.exit_code == 0, tested.output
        assert tested.output.startswith("2 passed, 0 failed")
        analysed = run("--library", str(out), "analyze", str(path))
        assert analysed.exit_code == 0, analysed.output


def test_new_ruleset_never_overwrites(tmp_path: Path) -> None:
    assert run("new-ruleset", "red-flags", "--out", str(tmp_path)).exit_code == 0
    before = (tmp_path / "red-flags-draft.yaml").read_text()
    again = run("new-ruleset", "red-flags", "--out", str(tmp_path))
    assert again.exit_code == 2
    assert "already exists; choose another --id or --out (nothing was written)" in again.output
    assert (tmp_path / "red-flags-draft.yaml").read_text() == before


def test_new_ruleset_refuses_unknown_questionnaire_and_bad_id(tmp_path: Path) -> None:
    unknown = run("new-ruleset", "red-flag", "--out", str(tmp_path))
    assert unknown.exit_code == 2 and "did you mean 'red-flags'" in unknown.output
    bad = run("new-ruleset", "red-flags", "--id", "My Rules", "--out", str(tmp_path))
    assert bad.exit_code == 2 and "lowercase letters, digits and hyphens" in bad.output
    taken = run("new-ruleset", "red-flags", "--id", "red-flags", "--out", str(tmp_path))
    assert taken.exit_code == 2 and "a rule set 'red-flags' already exists" in taken.output
    assert list(tmp_path.iterdir()) == []
