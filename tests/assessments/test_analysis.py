"""The analyzer on planted rule sets: each mistake reported exactly; a clean rule set reports nothing."""

from __future__ import annotations

from typing import Any

import pytest

from assessments import Library
from assessments.analysis import Analysis, analyze, render_text
from tests.assessments.conftest import Build, rules

OUTCOMES = """
outcomes:
  - {id: a, title: A, summary: Outcome a.}
  - {id: b, title: B, summary: Outcome b.}
  - {id: c, title: C, summary: Outcome c.}
"""


def run(library: Library, **options: Any) -> Analysis:
    assert not library.errors, [str(e) for e in library.errors]
    ruleset = library.ruleset("quiz-rules")
    return analyze(ruleset, library.questionnaires_for(ruleset), **options)


def outcome(analysis: Analysis, outcome_id: str) -> Any:
    return next(o for o in analysis.outcomes if o.id == outcome_id)


def rule(analysis: Analysis, rule_id: str) -> Any:
    return next(r for r in analysis.rules if r.id == rule_id)


def assert_examples_hold(library: Library, analysis: Analysis) -> None:
    """Every example the analysis gives really does what it claims, scored by the engine."""
    scorer = library.scorer(analysis.ruleset.id)
    for report in analysis.outcomes:
        if report.example is not None:
            assert scorer.score(report.example).outcome.id == report.id
    for report in analysis.rules:
        if report.example is not None:
            assert report.id in {r.id for r in scorer.explain(report.example).result.fired}
    for score in analysis.scores:
        for value, example in ((score.low, score.low_example), (score.high, score.high_example)):
            if example is not None:
                assert scorer.score(example).scores[score.id] == value


CLEAN = rules(
    OUTCOMES
    + """
scores:
  - {id: total, sum: [{question: a}, {question: b}, {question: c}]}
rules:
  - id: yes-c
    when: {c: {equals: "yes"}}
    because: C was yes.
    force: c
decision:
  method: bands
  score: total
  bands:
    - {outcome: a, min: 0, max: 3}
    - {outcome: b, min: 4, max: 7}
missing: {max_missing: 1}
"""
)


def test_clean_rule_set_reports_nothing(build: Build) -> None:
    library = build({"r.yaml": CLEAN})
    analysis = run(library)
    assert analysis.problems() == []
    assert analysis.warnings() == []
    (total,) = analysis.scores
    assert (total.low, total.high, total.exact) == (0, 7, True)
    assert [o.reachable for o in analysis.outcomes] == [True, True, True, True]  # n-e-i: two or more unanswered
    assert all(o.tried < 10_000 for o in analysis.outcomes)
    assert_examples_hold(library, analysis)


def test_unreachable_outcome_is_proven(build: Build) -> None:
    library = build(
        {
            "r.yaml": rules(
                OUTCOMES
                + """
rules:
  - {id: a-often, when: {a: {equals: often}}, because: A often., add: {a: 2}}
  - {id: b-yes, when: {c: {equals: "yes"}}, because: C yes., add: {b: 1}}
decision: {method: highest, ties: [a, b, c], if_no_weight: a}
"""
            )
        }
    )
    analysis = run(library)
    assert outcome(analysis, "c").reachable is False
    assert outcome(analysis, "a").reachable is True
    assert outcome(analysis, "b").reachable is True
    assert analysis.problems() == [
        "outcome 'c' can never be reached: no answer set leads to it; check the bands, the rules that add"
        " weight to it or force it, or remove it"
    ]
    assert "c                            UNREACHABLE (proven)" in render_text(analysis)
    assert_examples_hold(library, analysis)


def test_unsatisfiable_rules_are_proven(build: Build) -> None:
    library = build(
        {
            "r.yaml": rules(
                OUTCOMES
                + """
scores:
  - {id: total, sum: [{question: a}, {question: c}]}
rules:
  - id: contradiction
    when: {all: [{a: {equals: never}}, {a: {in: [sometimes, often]}}]}
    because: Cannot be.
    add: {a: 1}
  - id: out-of-range
    when: {total: {at_least: 6}}
    because: Total is at most 5.
    add: {b: 1}
  - id: hidden
    when: {all: [{c: {equals: "no"}}, {e: {equals: "yes"}}]}
    because: E is asked only when C is yes.
    add: {c: 1}
  - id: fine
    when: {total: {at_least: 5}}
    because: Possible.
    add: {b: 1}
decision: {method: highest, ties: [a, b, c]}
"""
            )
        }
    )
    analysis = run(library)
    assert [r.id for r in analysis.rules if r.can_fire is False] == ["contradiction", "out-of-range", "hidden"]
    assert rule(analysis, "fine").can_fire is True
    assert rule(analysis, "fine").example == {"quiz": {"a": "often", "c": "yes"}}
    problems = analysis.problems()
    assert (
        "rule 'out-of-range' can never fire: total: {at_least: 6} (the score 'total' ranges from 0 to 5) can never"
        " hold; change the value it compares with"
    ) in problems
    assert (
        "rule 'hidden' can never fire: its parts can each hold, but never together; check for 'all' that should"
        " be 'any', or answers that exclude each other"
    ) in problems
    assert_examples_hold(library, analysis)


def test_guaranteed_tie_is_reported_with_its_outcomes(build: Build) -> None:
    library = build(
        {
            "r.yaml": rules(
                OUTCOMES
                + """
rules:
  - id: always
    when: {any: [{c: {answered: true}}, {c: {answered: false}}]}
    because: Always.
    add: {a: 1, b: 1}
decision: {method: highest, ties: [b, a, c]}
"""
            )
        }
    )
    analysis = run(library)
    assert analysis.ties is not None
    assert analysis.ties.possible is True
    assert analysis.ties.outcomes == ["a", "b"]
    assert analysis.ties.resolved_to == "b"
    assert analysis.ties.example == {"quiz": {}}
    assert "outcomes can tie on weight (a, b); the tie goes to 'b'" in analysis.warnings()
    assert outcome(analysis, "a").reachable is False  # the tie always goes to b
    assert analysis.problems()[0].startswith("outcome 'a' can never be reached")


def test_no_tie_is_proven_when_weights_differ(build: Build) -> None:
    library = build(
        {
            "r.yaml": rules(
                OUTCOMES
                + """
rules:
  - {id: one, when: {c: {equals: "yes"}}, because: Yes., add: {a: 2}}
  - {id: two, when: {c: {equals: "no"}}, because: No., add: {b: 1}}
decision: {method: highest, ties: [a, b, c], if_no_weight: c}
"""
            )
        }
    )
    analysis = run(library)
    assert analysis.ties is not None and analysis.ties.possible is False
    assert "no answer set ties (proven)" in render_text(analysis)


def test_rule_that_never_changes_the_outcome(build: Build) -> None:
    library = build(
        {
            "r.yaml": rules(
                OUTCOMES
                + """
rules:
  - {id: big, when: {c: {equals: "yes"}}, because: Big., add: {a: 10}}
  - {id: small, when: {all: [{c: {equals: "yes"}}, {b: {equals: often}}]}, because: Small., add: {b: 1}}
  - {id: decisive, when: {c: {equals: "no"}}, because: Decisive., add: {c: 1}}
decision: {method: highest, ties: [a, b, c], if_no_weight: b}
"""
            )
        }
    )
    analysis = run(library)
    assert rule(analysis, "small").changes_outcome is False
    assert rule(analysis, "big").changes_outcome is True
    assert rule(analysis, "decisive").changes_outcome is True
    assert (
        "rule 'small' never changes the outcome: whenever it fires, the outcome is the same without it"
        in analysis.warnings()
    )
    assert_examples_hold(library, analysis)


def test_outcome_only_missing_answers_produce(build: Build) -> None:
    library = build(
        {
            "r.yaml": rules(
                OUTCOMES
                + """
  - {id: not-enough-information, title: Not yet, summary: Answer more.}
scores:
  - {id: total, sum: [{question: a}, {question: b}]}
decision:
  method: bands
  score: total
  bands:
    - {outcome: a, min: 0, max: 1}
    - {outcome: b, min: 2, max: 2}
    - {outcome: c, min: 3, max: 4}
missing: {max_missing: 4}
"""
            )
        }
    )
    analysis = run(library)
    report = outcome(analysis, "not-enough-information")
    assert report.reachable is True and report.only_when_missing is True
    assert report.example is not None and len(report.example["quiz"]) <= 1
    assert any("'not-enough-information' is reached only when answers are missing" in w for w in analysis.warnings())


def test_sampling_mode_says_not_found_never_unreachable(build: Build) -> None:
    """Two scores over the same 20 questions: too correlated for the bounds to prune; budget runs out."""
    questions = "\n".join(f"      - {{id: q{i}, kind: single-choice, text: Q{i}?, options: four}}" for i in range(20))
    big = f"""
kind: questionnaire
id: big
version: "1"
title: Big
summary: Twenty questions.
minutes: 5
default_ruleset: quiz-rules
option_lists:
  four:
    - {{value: w, label: W, points: 0}}
    - {{value: x, label: X, points: 1}}
    - {{value: y, label: Y, points: 2}}
    - {{value: z, label: Z, points: 3}}
sections:
  - id: one
    title: One
    questions:
{questions}
"""
    items = ", ".join(f"{{question: q{i}}}" for i in range(20))
    ruleset = f"""
kind: ruleset
id: quiz-rules
version: "1"
title: Big rules
author: Tests
questionnaires: [big]
{OUTCOMES}
scores:
  - {{id: up, sum: [{items}]}}
  - {{id: same, sum: [{items}]}}
rules:
  - id: impossible
    when: {{all: [{{up: {{at_least: 30}}}}, {{same: {{at_most: 0}}}}]}}
    because: Cannot both hold.
    force: c
  - {{id: some, when: {{up: {{at_least: 10}}}}, because: Some., add: {{b: 1}}}}
decision: {{method: highest, ties: [a, b, c], if_no_weight: a}}
"""
    library = build({"big.yaml": big, "r.yaml": ruleset}, quiz=False)
    analysis = run(library, samples=200, budget=500)
    impossible = rule(analysis, "impossible")
    assert impossible.can_fire is None  # not proven either way
    c = outcome(analysis, "c")
    assert c.reachable is None
    text = render_text(analysis)
    assert "impossible                   firing not found in 2,500 tries (not proven impossible)" in text
    assert "c                            not found in 700 tries (not proven impossible)" in text
    assert "UNREACHABLE" not in text and "NEVER" not in text
    assert analysis.problems() == []
    assert analysis.combinations == 5**20


@pytest.mark.parametrize("ruleset_id", ["motivation-check", "red-flags", "should-i-try", "signs-they-want-you-back"])
def test_bundled_rule_sets_have_no_proven_problems(bundled: Library, ruleset_id: str) -> None:
    ruleset = bundled.ruleset(ruleset_id)
    cases = bundled.scenario_answers(ruleset_id)
    analysis = analyze(ruleset, bundled.questionnaires_for(ruleset), examples=cases)
    assert analysis.problems() == []
    declared = [o for o in analysis.outcomes if o.declared]
    assert all(o.reachable for o in declared), [o.id for o in declared if not o.reachable]
    assert all(r.can_fire for r in analysis.rules)
    assert all(s.exact for s in analysis.scores)
    assert_examples_hold(bundled, analysis)


def test_an_outcome_from_no_answers_at_all_is_warned_about(build: Build) -> None:
    library = build({"r.yaml": CLEAN.replace("missing: {max_missing: 1}\n", "")})
    analysis = run(library)
    assert analysis.warnings() == [
        "outcome 'a' is given when none of the questions feeding score 'total' is answered (a confident result"
        " from nothing); set missing.max_missing, or add a rule that forces not-enough-information when they are"
        " unanswered"
    ]
    (unfounded,) = analysis.unfounded
    assert unfounded.example == {"quiz": {}}
    assert library.scorer("quiz-rules").score(unfounded.example).outcome.id == "a"


def test_an_outcome_from_nothing_needs_other_answers_found_too(build: Build) -> None:
    # with nothing answered the forcing rule on 'c' is not the point: here the score does not use c,
    # and answering c 'no' keeps it from forcing; the bands then decide with a and b unanswered
    library = build(
        {
            "r.yaml": rules(
                OUTCOMES
                + """
scores:
  - {id: total, sum: [{question: a}, {question: b}]}
rules:
  - {id: unanswered-c, when: {c: {answered: false}}, because: C unanswered., force: c}
decision:
  method: bands
  score: total
  bands:
    - {outcome: a, min: 0, max: 1}
    - {outcome: b, min: 2, max: 4}
"""
            )
        }
    )
    analysis = run(library)
    assert [(u.id, u.example) for u in analysis.unfounded] == [("a", {"quiz": {"c": "yes"}})]


def test_every_pair_and_three_way_tie_is_reported(build: Build) -> None:
    library = build(
        {
            "r.yaml": rules(
                OUTCOMES
                + """
rules:
  - {id: for-a, when: {a: {equals: often}}, because: A., add: {a: 1}}
  - {id: for-b, when: {b: {equals: often}}, because: B., add: {b: 1}}
  - {id: for-c, when: {c: {equals: "yes"}}, because: C., add: {c: 1}}
decision: {method: highest, ties: [c, b, a]}
"""
            )
        }
    )
    analysis = run(library)
    assert analysis.ties is not None and analysis.ties.complete
    assert [(g.outcomes, g.resolved_to) for g in analysis.ties.groups] == [
        (["a", "b"], "b"),
        (["a", "c"], "c"),
        (["b", "c"], "c"),
        (["a", "b", "c"], "c"),
    ]
    scorer = library.scorer("quiz-rules")
    for group in analysis.ties.groups:
        result = scorer.score(group.example)
        assert result.decided_by == "tie" and result.outcome.id == group.resolved_to
    assert [w for w in analysis.warnings() if "tie" in w] == [
        "outcomes can tie on weight (a, b); the tie goes to 'b'",
        "outcomes can tie on weight (a, c); the tie goes to 'c'",
        "outcomes can tie on weight (b, c); the tie goes to 'c'",
        "outcomes can tie on weight (a, b, c); the tie goes to 'c'",
    ]
    assert "  no other tie can happen (proven)" in render_text(analysis).splitlines()


def test_only_the_ties_that_can_happen_are_reported(build: Build) -> None:
    library = build(
        {
            "r.yaml": rules(
                OUTCOMES
                + """
rules:
  - {id: for-a, when: {a: {equals: often}}, because: A., add: {a: 2}}
  - {id: for-b, when: {b: {equals: often}}, because: B., add: {b: 2}}
  - {id: for-c, when: {c: {equals: "yes"}}, because: C., add: {c: 1}}
decision: {method: highest, ties: [c, b, a]}
"""
            )
        }
    )
    analysis = run(library)
    assert analysis.ties is not None and analysis.ties.complete
    assert [g.outcomes for g in analysis.ties.groups] == [["a", "b"]]
