"""What docs/format.md says about scoring is what the engine does: reverse scoring, a mean over
nothing, band variants over unanswered questions, fractional scores in scenarios, the limits."""

from __future__ import annotations

from pathlib import Path

import pytest

from assessments.scenarios import run_scenarios
from assessments.yamlload import MAX_NESTING, Document, parse_yaml
from tests.assessments.conftest import Build, rules

FORMAT = (Path(__file__).resolve().parents[2] / "docs" / "format.md").read_text()

OUTCOMES = """
outcomes:
  - {id: low, title: Low, summary: Low.}
  - {id: high, title: High, summary: High.}
  - {id: other, title: Other, summary: Other cut-offs.}
"""


def one_line(text: str) -> str:
    return " ".join(text.split())


def test_the_nesting_limit_is_stated_and_is_the_one_enforced() -> None:
    assert MAX_NESTING == 64
    assert "nested at most 64 levels deep" in one_line(FORMAT)
    inside = "a:\n" + "".join("  " * i + "- \n" for i in range(MAX_NESTING - 1)).rstrip(" \n") + " 1\n"
    assert isinstance(parse_yaml(inside.encode()), Document)  # 64 levels: the mapping and 63 lists
    beyond = "a:\n" + "".join("  " * i + "- \n" for i in range(MAX_NESTING)).rstrip(" \n") + " 1\n"
    (problem,) = parse_yaml(beyond.encode())  # type: ignore[misc]
    assert problem.message.startswith("this is nested more than 64 levels deep;")


def test_reverse_is_lowest_plus_highest_minus_the_points(build: Build) -> None:
    assert "counts (lowest + highest) − x" in one_line(FORMAT)
    library = build(
        {
            "uneven.yaml": """
                kind: questionnaire
                id: uneven
                version: "1"
                title: Uneven
                summary: Points that are not evenly spaced.
                minutes: 1
                default_ruleset: uneven-rules
                sections:
                  - id: s
                    title: S
                    questions:
                      - id: q
                        kind: single-choice
                        text: Q?
                        options:
                          - {value: a, label: A, points: 1}
                          - {value: b, label: B, points: 2}
                          - {value: c, label: C, points: 5}
            """,
            "uneven-rules.yaml": """
                kind: ruleset
                id: uneven-rules
                version: "1"
                title: Uneven rules
                author: Tests
                questionnaires: [uneven]
                outcomes: [{id: low, title: Low, summary: Low.}]
                scores: [{id: flipped, sum: [{question: q, reverse: true}]}]
                decision: {method: bands, score: flipped, bands: [{outcome: low, min: 0, max: 5}]}
            """,
        },
        quiz=False,
    )
    scorer = library.scorer("uneven-rules")
    assert [scorer.score({"uneven": {"q": v}}).scores["flipped"] for v in "abc"] == [5, 4, 1]  # 6 - x


def test_a_mean_over_no_answers_gives_not_enough_information(build: Build) -> None:
    assert "With no item answered the mean has no value" in one_line(FORMAT)
    library = build(
        {
            "r.yaml": rules(
                OUTCOMES
                + """
scores:
  - {id: average, mean: [{question: a}, {question: b}]}
decision:
  method: bands
  score: average
  bands:
    - {outcome: low, min: 0, below: 1}
    - {outcome: high, min: 1, max: 2}
"""
            )
        }
    )
    result = library.scorer("quiz-rules").score({"quiz": {"c": "yes"}})
    assert (result.scores["average"], result.outcome.id, result.decided_by) == (
        None,
        "not-enough-information",
        "missing",
    )


VARIANTS = """
scores:
  - {id: total, sum: [{question: a}, {question: b}]}
decision:
  method: bands
  score: total
  bands:
    - {outcome: low, min: 0, max: 1}
    - {outcome: high, min: 2, max: 4}
  variants:
    - when: {c: {equals: "yes"}}
      bands:
        - {outcome: other, min: 0, max: 4}
"""


def test_a_variant_over_an_unanswered_question_falls_back_to_the_main_bands(build: Build) -> None:
    assert "so the main bands are used then" in one_line(FORMAT)
    library = build({"r.yaml": rules(OUTCOMES + VARIANTS)})
    assert library.scorer("quiz-rules").score({"quiz": {"a": "often"}}).outcome.id == "high"
    # and the documented way to say otherwise: a variant on `answered: false`, first
    otherwise = VARIANTS.replace(
        "  variants:\n",
        "  variants:\n    - when: {c: {answered: false}}\n      bands: [{outcome: other, min: 0, max: 4}]\n",
    )
    library = build({"r.yaml": rules(OUTCOMES + otherwise)})
    assert library.scorer("quiz-rules").score({"quiz": {"a": "often"}}).outcome.id == "other"


@pytest.mark.parametrize(
    ("written", "failures"), [("2.85714", []), ("2.8571", ["score 'w' is 2.85714, expected 2.8571"])]
)
def test_a_fractional_score_matches_as_rekindle_score_prints_it(
    build: Build, written: str, failures: list[str]
) -> None:
    assert "agrees to the 6 significant digits `rekindle score` prints" in one_line(FORMAT)
    body = rules(
        OUTCOMES
        + """
scores:
  - {id: w, mean: [{question: a, weight: 1}, {question: c, weight: 6}]}
decision: {method: bands, score: w, bands: [{outcome: low, min: 0, max: 3}]}
"""
    )
    cases = f"""
        kind: scenarios
        ruleset: quiz-rules
        cases:
          - {{name: twenty sevenths, answers: {{quiz: {{a: often, c: "yes"}}}}, expect: {{outcome: low, scores: {{w: {written}}}}}}}
    """
    library = build({"r.yaml": body, "r.scenarios.yaml": cases})
    assert not library.errors, [str(e) for e in library.errors]
    (report,) = run_scenarios(library.scorer("quiz-rules"), library.scenarios[0])
    assert list(report.failures) == failures


def test_the_answers_file_rule_is_stated() -> None:
    assert (
        "Answers files (`{questionnaire: {question: answer}}`, for `rekindle score --answers`) do not belong in a library folder"
        in one_line(FORMAT)
    )
    # the message itself is in the broken-file corpus: answers-file.yaml
