"""Scoring semantics: scores, rules, decisions, missing answers, invalid answers, explain."""

from __future__ import annotations

from typing import Any

import pytest

from assessments import InvalidAnswers, Library
from tests.assessments.conftest import Build, rules

OUTCOMES = """
outcomes:
  - {id: low, title: Low, summary: Low.}
  - {id: mid, title: Mid, summary: Mid.}
  - {id: high, title: High, summary: High.}
"""
FULL = {"a": "often", "b": "sometimes", "c": "no", "d": ["x", "y"], "n": 4}


def score(library: Library, answers: dict[str, Any], ruleset: str = "quiz-rules") -> Any:
    return library.scorer(ruleset).score({"quiz": answers})


def bands_library(build: Build, score_body: str, bands: str, missing: str = "") -> Library:
    library = build(
        {
            "r.yaml": rules(
                OUTCOMES
                + score_body
                + f"""
decision:
  method: bands
  score: s
  bands:
{bands}
"""
                + missing
            )
        }
    )
    assert not library.errors, [str(e) for e in library.errors]
    return library


SUM_ALL = """
scores:
  - id: s
    title: Total
    sum:
      - {question: a}
      - {question: b, weight: 2}
      - {question: c}
      - {question: d}
      - {question: n}
"""
BANDS_0_23 = """    - {min: 0, max: 5, outcome: low}
    - {min: 6, max: 10, outcome: mid}
    - {min: 11, max: 23, outcome: high}"""


def test_sum_uses_points_weights_multiple_choice_and_numbers(build: Build) -> None:
    library = bands_library(build, SUM_ALL, BANDS_0_23)
    result = score(library, FULL)
    # a often 2 + b sometimes 1*2 + c no 0 + d x+y 3 + n 4
    assert result.scores == {"s": 11}
    assert result.outcome.id == "high"
    assert result.decided_by == "bands"


@pytest.mark.parametrize(("n", "expected"), [(0, "low"), (1, "mid"), (5, "mid"), (6, "high"), (10, "high")])
def test_band_edges_are_inclusive(build: Build, n: int, expected: str) -> None:
    library = bands_library(build, SUM_ALL, BANDS_0_23)
    answers = {"a": "never", "b": "never", "c": "no", "d": ["none"], "n": n}
    # total = n + 5 with a weight-2 'b'... keep it simple: a, b, d add nothing here
    answers["a"] = "often"
    answers["b"] = "sometimes"
    answers["d"] = ["x"]
    assert score(library, answers).scores["s"] == n + 5
    assert score(library, answers).outcome.id == expected


def test_reverse_scoring_and_mean(build: Build) -> None:
    library = bands_library(
        build,
        """
scores:
  - id: s
    mean:
      - {question: a}
      - {question: b, reverse: true}
""",
        """    - {min: 0, below: 1, outcome: low}
    - {min: 1, below: 1.5, outcome: mid}
    - {min: 1.5, max: 2, outcome: high}""",
    )
    assert score(library, {"a": "often", "b": "never"}).scores["s"] == 2  # (2 + (2-0)) / 2
    assert score(library, {"a": "never", "b": "sometimes"}).scores["s"] == 0.5
    assert score(library, {"a": "sometimes", "b": "sometimes"}).outcome.id == "mid"  # exactly 1
    assert score(library, {"a": "often"}).scores["s"] == 2  # skip: the mean of what was answered


def test_mean_with_zero_policy_counts_unanswered_as_zero(build: Build) -> None:
    library = bands_library(
        build,
        "scores:\n  - id: s\n    mean: [{question: a}, {question: b}]\n",
        "    - {min: 0, below: 1, outcome: low}\n    - {min: 1, max: 2, outcome: high}",
        "missing: {treat_as: zero}\n",
    )
    assert score(library, {"a": "often"}).scores["s"] == 1
    assert score(library, {"a": "often"}).missing_treatment == "zero"


def test_mean_of_nothing_gives_not_enough_information(build: Build) -> None:
    library = bands_library(
        build,
        "scores:\n  - id: s\n    mean: [{question: a}, {question: b}]\n",
        "    - {min: 0, below: 1, outcome: low}\n    - {min: 1, max: 2, outcome: high}",
    )
    result = score(library, {"c": "no"})
    assert result.scores["s"] is None
    assert result.outcome.id == "not-enough-information"
    assert result.outcome.title == "Not enough information yet"


def test_count_and_max_and_scores_of_scores(build: Build) -> None:
    library = bands_library(
        build,
        """
scores:
  - id: yeses
    count:
      - c: {equals: yes}
      - d: {contains: x}
      - n: {at_least: 5}
  - id: biggest
    max: [{question: a}, {question: b}]
  - id: s
    sum: [{score: yeses, weight: 10}, {score: biggest}]
""",
        "    - {min: 0, max: 9, outcome: low}\n    - {min: 10, max: 32, outcome: high}",
    )
    result = score(library, {"a": "sometimes", "b": "often", "c": "yes", "d": ["x"], "n": 2})
    assert result.scores == {"yeses": 2, "biggest": 2, "s": 22}


def test_missing_answers_over_the_limit_give_not_enough_information(build: Build) -> None:
    library = bands_library(build, SUM_ALL, BANDS_0_23, "missing: {max_missing: 2}\n")
    two_missing = {"a": "often", "b": "often", "c": "no"}  # 2 + 2*2 + 0
    assert score(library, two_missing).outcome.id == "mid"
    three = {"a": "often", "b": "often"}
    result = score(library, three)
    assert result.outcome.id == "not-enough-information"
    assert result.decided_by == "missing"
    assert result.missing == ("quiz.c", "quiz.d", "quiz.n")


def test_hidden_and_text_questions_are_never_missing(build: Build) -> None:
    library = bands_library(build, SUM_ALL, BANDS_0_23)
    result = score(library, {"a": "never", "b": "never", "c": "no", "d": ["none"], "n": 0})
    assert result.missing == ()  # e is hidden (c is no) and t is text
    result = score(library, {"a": "never", "b": "never", "c": "yes", "d": ["none"], "n": 0})
    assert result.missing == ("quiz.e",)


HIGHEST = (
    OUTCOMES
    + """
rules:
  - {id: r-low, when: {a: {equals: never}}, because: Low because a is never., add: {low: 2}}
  - {id: r-mid, when: {b: {in: [sometimes, often]}}, because: Mid because of b., add: {mid: 2}}
  - {id: r-high, when: {n: {between: [5, 10]}}, because: High because n is big., add: {high: 3, mid: 1}}
  - {id: r-force, when: {c: {equals: yes}}, because: Forced by c., force: high, priority: 5}
  - {id: r-force-low, when: {d: {contains: x}}, because: Forced by d., force: low, priority: 9}
decision:
  method: highest
  ties: [mid, low, high]
"""
)


def test_highest_tally_wins_and_fired_rules_carry_their_contribution(build: Build) -> None:
    library = build({"r.yaml": rules(HIGHEST)})
    result = score(library, {"a": "sometimes", "b": "often", "n": 7})
    assert result.tallies == {"low": 0, "mid": 3, "high": 3}
    assert result.outcome.id == "mid"  # a tie, broken by the declared order
    assert result.decided_by == "tie"
    assert [(r.id, r.add) for r in result.fired] == [("r-mid", {"mid": 2}), ("r-high", {"high": 3, "mid": 1})]
    assert result.fired[1].because == "High because n is big."


def test_forced_outcomes_apply_first_by_priority(build: Build) -> None:
    library = build({"r.yaml": rules(HIGHEST)})
    assert score(library, {"b": "often", "c": "yes", "e": "no"}).outcome.id == "high"
    result = score(library, {"b": "often", "c": "yes", "e": "no", "d": ["x"]})
    assert (result.outcome.id, result.decided_by) == ("low", "forced")


def test_no_weight_gives_the_declared_outcome(build: Build) -> None:
    library = build({"r.yaml": rules(HIGHEST)})
    result = score(library, {"a": "sometimes", "b": "never", "n": 1})
    assert (result.outcome.id, result.decided_by) == ("not-enough-information", "no-weight")


def test_ties_can_give_not_enough_information(build: Build) -> None:
    library = build({"r.yaml": rules(HIGHEST.replace("ties: [mid, low, high]", "ties: not-enough-information"))})
    result = score(library, {"a": "never", "b": "often"})
    assert (result.outcome.id, result.decided_by) == ("not-enough-information", "tie")


def test_band_variants_change_the_cut_offs_for_some_answers(build: Build) -> None:
    library = bands_library(
        build,
        SUM_ALL,
        BANDS_0_23
        + """
  variants:
    - when: {c: {equals: yes}}
      bands:
        - {min: 0, max: 2, outcome: low}
        - {min: 3, max: 23, outcome: high}""",
    )
    answers = {"a": "sometimes", "b": "never", "c": "no", "d": ["none"], "n": 0}
    assert score(library, answers).outcome.id == "low"  # 1
    answers.update(c="yes", e="no")  # 1 + 3 = 4: mid in the usual bands, high in the variant
    assert score(library, answers).outcome.id == "high"


FLAGS_AND_ADVICE = (
    OUTCOMES
    + """
flags:
  - id: plain
    title: Plain flag
    resources: [{name: Plain line, country: GB, last_verified: 2026-01-01}]
  - id: urgent
    title: Urgent
    safety: true
    resources:
      - {name: Emergency, country: any, last_verified: 2026-01-01}
      - {name: Plain line, country: GB, last_verified: 2026-01-01}
rules:
  - id: r1
    when: {a: {equals: often}}
    because: A is often.
    flag: plain
    add: {low: 1}
    advice: [Always shown., {text: Only for high., outcomes: [high]}]
  - id: r2
    when: {b: {equals: often}}
    because: B is often.
    flag: urgent
    advice: [Always shown.]
decision:
  method: highest
  ties: [low, mid, high]
"""
)


def test_safety_flags_lead_and_resources_and_advice_are_not_repeated(build: Build) -> None:
    library = build({"r.yaml": rules(FLAGS_AND_ADVICE)})
    result = score(library, {"a": "often", "b": "often"})
    assert [f.id for f in result.flags] == ["urgent", "plain"]
    assert result.safety
    assert [r.name for r in result.resources] == ["Emergency", "Plain line"]
    assert result.advice == ("Always shown.",)  # the high-only item is left out for 'low'


def test_advice_can_be_limited_to_outcomes(build: Build) -> None:
    body = FLAGS_AND_ADVICE.replace("add: {low: 1}", "add: {high: 1}")
    library = build({"r.yaml": rules(body)})
    assert score(library, {"a": "often"}).advice == ("Always shown.", "Only for high.")


@pytest.mark.parametrize(
    ("answers", "problems"),
    [
        ({"zz": "often"}, ["quiz.zz: unknown question"]),
        # every known question answered (or emptied) beside an unknown one: still found
        ({**FULL, "zz": "often"}, ["quiz.zz: unknown question"]),
        ({"a": None, "d": [], "zz": None}, ["quiz.zz: unknown question"]),
        ({**FULL, "t": "note", "a": None, "9": 1}, ["quiz.9: unknown question"]),
        (
            {"a": "oftn"},
            ["quiz.a: unknown option 'oftn' (did you mean 'often'?); expected one of: never, sometimes, often"],
        ),
        ({"a": ["often"]}, ["quiz.a: takes one answer, not a list; choose one of: never, sometimes, often"]),
        ({"c": True}, ["quiz.c: 'true' is not an option; write one of: yes, no"]),
        ({"n": 11}, ["quiz.n: 11 is out of range; give a number from 0 to 10"]),
        ({"n": 2.5}, ["quiz.n: 2.5 is not a whole number; give a whole number from 0 to 10"]),
        ({"n": "3"}, ["quiz.n: '3' is not a number; give a number from 0 to 10"]),
        ({"d": ["x", "none"]}, ["quiz.d: 'none' cannot be combined with other options"]),
        ({"d": ["x", "x"]}, ["quiz.d: lists an option twice"]),
        ({"d": "x"}, ["quiz.d: should be a list of options (multiple choice); choose from: x, y, none"]),
        (
            {"c": "no", "e": "yes"},
            [
                "quiz.e: is answered, but the question is not asked for these earlier answers (its show_when does not hold); remove the answer"
            ],
        ),
        ({"t": "x" * 21}, ["quiz.t: is 21 characters long; the limit is 20"]),
        (
            {"a": "oftn", "n": -1, "zz": 1},
            [
                "quiz.zz: unknown question",
                "quiz.a: unknown option 'oftn' (did you mean 'often'?); expected one of: never, sometimes, often",
                "quiz.n: -1 is out of range; give a number from 0 to 10",
            ],
        ),
    ],
)
def test_invalid_answers_raise_listing_every_problem(
    build: Build, answers: dict[str, Any], problems: list[str]
) -> None:
    library = bands_library(build, SUM_ALL, BANDS_0_23)
    with pytest.raises(InvalidAnswers) as caught:
        score(library, answers)
    assert caught.value.problems == problems


def test_answers_for_other_questionnaires_are_refused(build: Build) -> None:
    library = bands_library(build, SUM_ALL, BANDS_0_23)
    with pytest.raises(InvalidAnswers) as caught:
        library.scorer("quiz-rules").score({"quiz": {}, "other": {"a": "x"}})
    assert caught.value.problems == [
        "other: answers for questionnaire 'other', which this rule set does not score; expected: quiz"
    ]
    with pytest.raises(InvalidAnswers):
        library.scorer("quiz-rules").score(["not", "a", "mapping"])


def test_empty_answers_count_as_unanswered_and_numbers_are_normalised(build: Build) -> None:
    library = bands_library(build, SUM_ALL, BANDS_0_23)
    result = score(library, {"a": None, "d": [], "n": 3.0})
    assert result.answers == {"quiz": {"n": 3}}
    assert isinstance(result.answers["quiz"]["n"], int)
    assert result.missing == ("quiz.a", "quiz.b", "quiz.c", "quiz.d")


def test_scoring_does_not_change_or_share_the_answers_given(build: Build) -> None:
    library = bands_library(build, SUM_ALL, BANDS_0_23)
    given = {"a": "often", "n": 2}
    result = score(library, given)
    given["a"] = "never"
    assert result.answers["quiz"]["a"] == "often"


def test_result_names_the_rule_set_version_and_content_hash(build: Build, tmp_path: Any) -> None:
    library = bands_library(build, SUM_ALL, BANDS_0_23)
    result = score(library, FULL)
    source = library.source("ruleset", "quiz-rules")
    assert (result.ruleset_id, result.ruleset_version, result.ruleset_hash) == ("quiz-rules", "1", source.content_hash)
    assert len(result.ruleset_hash) == 64
    assert result.questionnaires == {
        "quiz": {"version": "1", "hash": library.source("questionnaire", "quiz").content_hash}
    }
    assert result.to_dict()["ruleset"] == {"id": "quiz-rules", "version": "1", "hash": source.content_hash}


def test_explain_says_which_part_of_each_condition_failed(build: Build) -> None:
    body = (
        OUTCOMES
        + """
scores:
  - {id: s, sum: [{question: a}]}
rules:
  - id: both
    when:
      all:
        - a: {equals: often}
        - n: {at_least: 5}
    because: Both.
    add: {high: 1}
  - id: either
    when:
      any:
        - c: {equals: yes}
        - d: {contains_any: [y]}
    because: Either.
    add: {mid: 1}
  - id: never-x
    when:
      not: {d: {contains: x}}
    because: Not x.
    add: {low: 1}
  - id: answered
    when: {t: {answered: true}}
    because: Wrote a note.
    add: {low: 1}
  - id: big-score
    when: {s: {at_least: 2}}
    because: Big score.
    add: {low: 1}
decision:
  method: highest
  ties: [low, mid, high]
"""
    )
    library = build({"r.yaml": rules(body)})
    explanation = library.scorer("quiz-rules").explain({"quiz": {"a": "often", "n": 3, "c": "no", "d": ["x"]}})
    assert [(t.id, t.fired, t.why_not) for t in explanation.rules] == [
        ("both", False, "n is 3, which is below 5"),
        ("either", False, "none of these held: c is no, which is not yes; d is [x], which includes none of [y]"),
        ("never-x", False, "d contains x holds, and it must not"),
        ("answered", False, "t is not answered"),
        ("big-score", True, None),
    ]
    assert explanation.result == library.scorer("quiz-rules").score(
        {"quiz": {"a": "often", "n": 3, "c": "no", "d": ["x"]}}
    )
