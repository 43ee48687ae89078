"""No file can take the library down: deep or wide files of any shape load cleanly or give a clean
`file:line:col` error, and everything after the loader copes with what the loader lets through."""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, note, settings

from assessments import load_library
from assessments.analysis import analyze
from assessments.errors import AssessmentError, GuaranteeFailure
from assessments.yamlload import MAX_FILE_BYTES, MAX_NESTING, TOO_DEEP
from tests.assessments.hostile import COMPARE, deep_value, first_beyond, hostile_files, nesting, place
from webapp.cli import main

TOO_BIG = f"the limit is {MAX_FILE_BYTES:,} (1 MiB)"


def check_cleanly(path: Path, text: str) -> None:
    """Load one file with the bundled library; assert a clean load or clean errors, as its shape demands."""
    path.write_text(text)
    library = load_library(files=[path], replace=True)  # must not raise, whatever the file holds
    assert {"red-flags", "should-i-try"} <= set(library.rulesets)  # the rest of the library is untouched
    mine = [e for e in library.errors if e.path == path]
    problems = [p for e in mine for p in e.problems]
    for problem in problems:
        assert "\n" not in problem.message and "Traceback" not in problem.message
        assert problem.format(path.name).startswith(f"{path.name}:")
    depth = nesting(text)
    if len(text.encode()) > MAX_FILE_BYTES:
        assert [p.message for p in problems] == [f"file is {len(text.encode()):,} bytes; {TOO_BIG} — split it"]
    elif depth is not None and depth > MAX_NESTING:
        (problem,) = problems
        assert (problem.message, problem.line, problem.column) == (TOO_DEEP, *first_beyond(text, MAX_NESTING))
    elif not mine and "hostile" in library.rulesets:  # it loaded: it must score and explain too
        scorer = library.scorer("hostile")
        for answers in ({"red-flags": {}}, {"red-flags": {"threats": "yes", "dishonesty": "often"}}):
            with contextlib.suppress(AssessmentError):  # refused answers are a clean answer too
                scorer.explain(answers)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.large_base_example])
@given(hostile_files())
def test_any_deep_or_wide_file_loads_cleanly_or_gives_a_clean_error(case: tuple[str, str]) -> None:
    name, text = case
    note(name)  # shown when the property fails: which shape, where
    with tempfile.TemporaryDirectory() as folder:
        check_cleanly(Path(folder) / "hostile.yaml", text)


@pytest.mark.parametrize("shape", ["block-sequence", "block-mapping", "block-not", "flow"])
@pytest.mark.parametrize("n", [MAX_NESTING + 1, 300, 3000])
def test_each_shape_nested_too_deep_gets_one_message_with_its_position(tmp_path: Path, shape: str, n: int) -> None:
    if shape.startswith("block-") and shape != "block-sequence" and n > 300:
        n = 300  # each level is a line of its own: 3000 of them would pass the size limit
    text = place(deep_value(shape, n, ["{not: ", "{all: [", "["], 6), "VALUE_WHEN")
    path = tmp_path / "deep.yaml"
    path.write_text(text)
    library = load_library(files=[path], replace=True)
    (error,) = [e for e in library.errors if e.path == path]
    (line,) = error.format(relative_to=tmp_path).splitlines()
    row, column = first_beyond(text, MAX_NESTING)  # PyYAML's own events say where level 65 starts
    assert line == f"deep.yaml:{row}:{column}: {TOO_DEEP}"


def test_a_condition_as_deep_as_the_limit_allows_loads_scores_explains_and_analyses(tmp_path: Path) -> None:
    # `when` sits 3 levels down and each 'not' adds one: the deepest chain the limit lets through
    chain = MAX_NESTING - 5
    path = tmp_path / "deep.yaml"
    path.write_text(place("{not: " * chain + "{" + COMPARE + "}" + "}" * chain, "VALUE_WHEN"))
    library = load_library([tmp_path])
    # (over red-flags, the bundled safety policy's guarantees apply, and this rule set keeps none)
    loading = [e for e in library.errors if not isinstance(e, GuaranteeFailure)]
    assert not loading, [str(e) for e in loading]
    scorer = library.scorer("hostile")
    fired = scorer.explain({"red-flags": {"threats": "yes"}}).result.fired
    assert [r.id for r in fired] == ([] if chain % 2 else ["first"])
    analysis = analyze(scorer.ruleset, list(scorer.questionnaires), samples=20, budget=200)
    assert [r.id for r in analysis.rules] == ["first"]


def test_scores_built_on_scores_past_the_limit_are_refused_without_recursion(tmp_path: Path) -> None:
    for length in (MAX_NESTING + 1, 5000):
        scores = "".join(f"  - {{id: s{i}, sum: [{{score: s{i + 1}}}]}}\n" for i in range(length))
        scores += f"  - {{id: s{length}, sum: [{{question: dishonesty}}]}}\n"
        text = place("[{question: dishonesty}]", "VALUE_ITEMS").replace("scores:\n", "scores:\n" + scores)
        path = tmp_path / "chain.yaml"
        path.write_text(text)
        library = load_library(files=[path], replace=True)
        (error,) = [e for e in library.errors if e.path == path]
        assert error.format(relative_to=tmp_path).splitlines() == [
            f"chain.yaml:12:6: scores[0].id: scores are built on other scores {length + 1} levels deep (s0 -> s1 -> s2"
            f" -> ... -> s{length}); the limit is 64 — let a score use the questions directly instead of a chain"
            " of scores"
        ]


def test_a_questionnaire_with_thousands_of_questions_is_analysed_without_recursion(tmp_path: Path) -> None:
    count = 1100  # past the recursion limit (1000): the search is a loop
    questions = "".join(f"      - {{id: q{i}, kind: yes-no, text: Question {i}?}}\n" for i in range(count))
    (tmp_path / "wide.yaml").write_text(
        "kind: questionnaire\nid: wide\nversion: '1'\ntitle: Wide\nsummary: Many questions.\nminutes: 60\n"
        f"default_ruleset: wide-rules\nsections:\n  - id: all\n    title: All\n    questions:\n{questions}"
    )
    items = ", ".join(f"{{question: q{i}}}" for i in range(count))
    (tmp_path / "wide-rules.yaml").write_text(
        "kind: ruleset\nid: wide-rules\nversion: '1'\ntitle: Wide\nauthor: Tests\nquestionnaires: [wide]\n"
        "outcomes: [{id: few, title: Few, summary: Few.}, {id: many, title: Many, summary: Many.}]\n"
        f"scores: [{{id: total, sum: [{items}]}}]\n"
        f"rules: [{{id: last, when: {{q{count - 1}: {{equals: 'yes'}}}}, because: Last., force: many}}]\n"
        f"decision: {{method: bands, score: total, bands: [{{outcome: few, min: 0, max: 10}},"
        f" {{outcome: many, min: 11, max: {count}}}]}}\nmissing: {{max_missing: 10}}\n"
    )
    library = load_library([tmp_path], bundled=False)
    assert not library.errors, [str(e) for e in library.errors]
    ruleset = library.ruleset("wide-rules")
    analysis = analyze(ruleset, library.questionnaires_for(ruleset), samples=5, budget=2 * count)
    assert {o.id: o.reachable for o in analysis.outcomes}["many"] is True


def test_json_answers_nested_past_any_limit_are_refused_cleanly(tmp_path: Path) -> None:
    answers = tmp_path / "deep.json"
    answers.write_text("[" * 200_000 + "]" * 200_000)
    result = CliRunner().invoke(main, ["score", "red-flags", "--answers", str(answers)], env={"REKINDLE_LIBRARY": ""})
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == (
        f"Error: Invalid value for --answers: {answers}: nested far too deeply; answers are"
        " {questionnaire: {question: answer}}"
    )


def test_a_thousand_brackets_get_the_same_message_where_level_65_starts(tmp_path: Path) -> None:
    # libyaml stops at its own limit of 1,000 open brackets before the loader sees an event
    text = place(deep_value("flow", 1229, ["["], 0), "VALUE_DESCRIPTION")
    path = tmp_path / "brackets.yaml"
    path.write_text(text)
    (error,) = [e for e in load_library(files=[path], replace=True).errors if e.path == path]
    row, column = first_beyond(text, MAX_NESTING)
    assert error.format(relative_to=tmp_path) == f"brackets.yaml:{row}:{column}: {TOO_DEEP}"
