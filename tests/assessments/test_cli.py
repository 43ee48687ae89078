"""The engine's commands, as a counsellor runs them."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from assessments.library import BUNDLED, load_library
from webapp.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "should-i-try.yaml"


def run(*args: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args), env=env or {"REKINDLE_LIBRARY": ""}, catch_exceptions=False)


def test_validate_the_whole_library() -> None:
    result = run("validate")
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith("files checked: all valid")


def test_validate_a_copy_with_a_misspelt_option(tmp_path: Path) -> None:
    copy = tmp_path / "my-red-flags.yaml"
    text = (BUNDLED / "rules" / "red-flags.yaml").read_text()
    copy.write_text(text.replace("addiction: {equals: not-addressed}", "addiction: {equals: not-adressed}"))
    line = next(i for i, ln in enumerate(copy.read_text().splitlines(), 1) if "not-adressed" in ln)
    result = CliRunner().invoke(main, ["validate", str(copy)], env={"REKINDLE_LIBRARY": ""})
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert lines == [
        f"note: {copy} stands in for assessments/rules/red-flags.yaml (same id) in this run",
        f"{copy}:{line}:19: rules[9].when.addiction.equals: unknown option 'not-adressed' (did you mean"
        " 'not-addressed'?) for question 'addiction'; expected one of: no, getting-help, not-addressed",
        "1 files checked: 1 problem in 1 file",
    ]


def test_list_shows_versions() -> None:
    result = run("list")
    assert result.exit_code == 0
    assert (
        "should-i-try                 v2.0    Should I try? (scores red-flags, motivation-check, signs-they-want-you-back)"
        in result.output
    )
    assert "red-flags                    v2.0    Red flags check (about 6 min; scored by red-flags)" in result.output


def test_score_explains_the_outcome() -> None:
    result = run("score", "should-i-try", "--answers", str(EXAMPLE))
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Outcome: Work on yourself first (work-on-yourself)\n")
    assert "Why:\n  - You can name things you did that hurt the relationship." in result.output
    assert "They have not said, in their own words, that they would like to try again." in result.output
    assert "No number of days makes someone come back." in result.output
    assert "Tallies" not in result.output and "[no-own-words" not in result.output  # a counsellor's view
    assert "Rule set: should-i-try v2.0 (content " in result.output


def test_score_explain_adds_the_counsellors_trace() -> None:
    result = run("score", "should-i-try", "--answers", str(EXAMPLE), "--explain")
    assert "For counsellors — the full trace:" in result.output
    assert (
        "They have not said, in their own words, that they would like to try again.  [no-own-words: +1 work-on-yourself]"
        in result.output
    )
    assert "Tallies: " in result.output


def test_a_safety_result_in_the_terminal_shows_no_scores(tmp_path: Path) -> None:
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({"red-flags": {"strangled": "yes"}}))
    result = run("score", "should-i-try", "--answers", str(answers))
    assert result.output.startswith("Outcome: Please talk to a specialist today (high-risk)\n")
    assert "\nScores:" not in result.output and "Tallies" not in result.output
    assert result.output.index("Safety first — people who can help:") < result.output.index("Why:")


def test_score_json_by_path_and_with_explain() -> None:
    result = run(
        "score", str(BUNDLED / "rules" / "should-i-try.yaml"), "--answers", str(EXAMPLE), "--json", "--explain"
    )
    data = json.loads(result.output)
    assert data["outcome"] == "work-on-yourself"
    assert data["tallies"]["work-on-yourself"] == 2 and data["tallies"]["pursue-with-patience"] == 0
    assert {
        "id": "early-days",
        "fired": False,
        "why_not": "motivation-check.weeks-since is 6, which is above 3",
    } in data["rules"]


def test_score_reports_every_bad_answer(tmp_path: Path) -> None:
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({"red-flags": {"threats": "maybe", "afraid": True}}))
    result = CliRunner().invoke(main, ["score", "red-flags", "--answers", str(answers)], env={"REKINDLE_LIBRARY": ""})
    assert result.exit_code == 1
    assert result.output == (
        f"{answers}: 2 problems with the answers:\n"
        "- red-flags.threats: unknown option 'maybe'; expected one of: yes, no\n"
        "- red-flags.afraid: 'true' is not an option; write one of: yes, no\n"
    )


def test_score_unknown_rule_set_is_a_usage_error() -> None:
    result = run("score", "nope", "--answers", str(EXAMPLE))
    assert result.exit_code == 2
    assert (
        "no rule set with id 'nope'; known: motivation-check, red-flags, should-i-try, signs-they-want-you-back"
        in result.output
    )


def test_test_runs_every_scenario() -> None:
    result = run("test")
    assert result.exit_code == 0, result.output
    cases = sum(len(f.cases) for f in load_library().scenarios)
    assert cases >= 60
    assert result.output.strip() == f"{cases} passed, 0 failed"


def test_test_fails_on_a_wrong_expectation(tmp_path: Path) -> None:
    wrong = tmp_path / "wrong.scenarios.yaml"
    wrong.write_text(
        "kind: scenarios\nruleset: red-flags\ncases:\n  - name: expects the wrong thing\n"
        "    answers: {red-flags: {court-order: yes}}\n    expect: {outcome: few-concerns}\n"
    )
    result = CliRunner().invoke(main, ["test", str(wrong)], env={"REKINDLE_LIBRARY": ""})
    assert result.exit_code == 1
    assert result.output == (
        "FAIL wrong.scenarios.yaml: expects the wrong thing\n"
        "     outcome is 'respect-their-wish', expected 'few-concerns'\n"
        "0 passed, 1 failed\n"
    )


def test_library_option_and_env_var_add_folders() -> None:
    folder = str(Path(__file__).parent / "instruments")
    assert "mood-screen" in run("--library", folder, "list").output
    assert "mood-screen" in run("list", env={"REKINDLE_LIBRARY": folder}).output
    assert "mood-screen" not in run("list").output


def test_schema_writes_a_schema_for_each_kind(tmp_path: Path) -> None:
    result = run("schema", "--out", str(tmp_path))
    assert result.exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "policy.schema.json",
        "questionnaire.schema.json",
        "ruleset.schema.json",
        "scenarios.schema.json",
    ]
