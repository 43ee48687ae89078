"""The semantic diff against brute force: on a questionnaire small enough to score every answer
set, the exact count of answer sets moving from each old outcome to each new one must equal what
scoring every answer set with both rule sets finds; the sampled estimate must come close."""

from __future__ import annotations

import textwrap
from collections import Counter
from pathlib import Path

import pytest

from assessments import build_library, load_library
from assessments.analysis.diff import REFUSED, case_changes, outcome_diff
from assessments.analysis.lines import text_diff
from assessments.engine import Scorer
from assessments.errors import AssessmentError
from assessments.library import BUNDLED
from tests.assessments.small_space import ALL, QUESTIONNAIRE, random_ruleset


def _scorer(ruleset_text: str) -> Scorer:
    library = build_library(
        [
            (Path("small.yaml"), textwrap.dedent(QUESTIONNAIRE).lstrip().encode()),
            (Path("rules.yaml"), ruleset_text.encode()),
        ]
    )
    assert not library.errors, [str(e) for e in library.errors]
    return library.scorer("small-rules")


def _outcome(scorer: Scorer, answers: dict) -> str:  # type: ignore[type-arg]
    try:
        return scorer.score(answers).outcome.id
    except AssessmentError:
        return REFUSED


def _brute(old: Scorer, new: Scorer) -> Counter[tuple[str, str]]:
    return Counter((_outcome(old, a), _outcome(new, a)) for a in ALL)


@pytest.mark.parametrize("seed", range(30))
def test_exact_counts_equal_brute_force(seed: int) -> None:
    old, new = _scorer(random_ruleset(seed)), _scorer(random_ruleset(seed + 100))
    diff = outcome_diff(old, new)
    assert diff.exact and diff.samples == 0
    counted = {(m.old, m.new): m.count for m in (*diff.moves, *diff.stays)}
    assert counted == dict(_brute(old, new))
    assert diff.total == len(ALL)
    for move in diff.moves:
        assert move.old != move.new and 0 < len(move.examples) <= 3
        for example in move.examples:  # every example really moves that way
            assert (_outcome(old, example), _outcome(new, example)) == (move.old, move.new)


ONLY_C = textwrap.dedent(
    """
    kind: ruleset
    id: small-rules
    version: "1"
    title: Small rules
    author: Tests
    questionnaires: [small]
    outcomes: [{id: o1, title: O1, summary: One.}, {id: o2, title: O2, summary: Two.}]
    rules:
      - {id: c-yes, when: {c: {equals: "yes"}}, force: o2, because: Because.}
    decision: {method: highest, ties: [o1, o2], if_no_weight: o1}
    """
)


def test_answers_that_behave_alike_are_walked_once_and_weighted_by_how_many_they_are() -> None:
    old = _scorer(ONLY_C)
    new = _scorer(ONLY_C.replace("force: o2", "force: o1"))
    diff = outcome_diff(old, new)
    assert diff.walked == 5  # a and b: one class each; then c is yes, or not, and both outcomes are decided
    assert [(m.old, m.new, m.count) for m in diff.moves] == [("o2", "o1", _brute(old, new)[("o2", "o1")])]
    assert diff.total == len(ALL)


def test_a_rule_set_against_itself_moves_nothing() -> None:
    scorer = _scorer(random_ruleset(7))
    diff = outcome_diff(scorer, scorer)
    assert diff.moves == () and diff.changed == 0 and diff.total == len(ALL)


@pytest.mark.parametrize("seed", [3, 11])
def test_a_space_too_large_to_walk_is_estimated_close_to_the_truth(seed: int) -> None:
    old, new = _scorer(random_ruleset(seed)), _scorer(random_ruleset(seed + 100))
    diff = outcome_diff(old, new, limit=10, samples=20_000)
    assert not diff.exact and diff.samples == 20_000
    assert diff.total == pytest.approx(len(ALL), rel=0.05)
    truth = _brute(old, new)
    for move in (*diff.moves, *diff.stays):
        assert move.share == pytest.approx(truth[(move.old, move.new)] / len(ALL), abs=0.03), (move.old, move.new)
    assert sum(m.share for m in (*diff.moves, *diff.stays)) == pytest.approx(1.0)


def _bundled_with(path: str, old: str, new: str) -> Scorer:
    library = load_library()
    files = [
        (s.path.relative_to(BUNDLED), s.text.encode()) for s in [*library.sources.values(), *library.scenario_sources]
    ]
    text = (BUNDLED / path).read_text()
    assert old in text
    edited = build_library(
        [(p, t) for p, t in files if p != Path(path)] + [(Path(path), text.replace(old, new, 1).encode())]
    )
    return edited.scorer("red-flags")


def test_a_large_space_is_a_labelled_estimate_and_rare_moves_are_found_with_small_examples() -> None:
    published = load_library().scorer("red-flags")
    same = outcome_diff(published, _bundled_with("rules/red-flags.yaml", "title: Consider letting go", "title: Let go"))
    assert not same.exact and same.samples == 4000 and same.moves == ()  # a title changes no outcome
    edited = _bundled_with("rules/red-flags.yaml", "force: respect-their-wish", "force: letting-go")
    diff = outcome_diff(published, edited)
    assert not diff.exact
    move = next(m for m in diff.moves if (m.old, m.new) == ("respect-their-wish", "letting-go"))
    assert move.examples and all(len(e["red-flags"]) <= 2 for e in move.examples)  # only what makes it move
    for example in move.examples:
        assert (_outcome(published, example), _outcome(edited, example)) == (move.old, move.new)
    assert all(m.old != m.new for m in diff.moves)


def test_versions_over_different_questionnaires_cannot_be_compared() -> None:
    library = load_library()
    with pytest.raises(ValueError, match="same questionnaires"):
        outcome_diff(library.scorer("signs-they-want-you-back"), library.scorer("red-flags"))


def test_case_changes_score_each_case_with_both_versions() -> None:
    library = load_library()
    cases = [c for f in library.scenarios if f.ruleset == "red-flags" for c in f.cases]
    scorer = library.scorer("red-flags")
    same = case_changes(scorer, scorer, cases)
    assert len(same) == len(cases) and not any(c.changed for c in same)
    assert all(c.old == c.new == c.expected for c in same)  # the bundled cases pass
    first = case_changes(None, scorer, cases[:1])[0]
    assert first.old == "–" and first.changed


def test_text_diff_gives_hunks_with_line_numbers() -> None:
    old = "".join(f"line {i}\n" for i in range(1, 21))
    new = old.replace("line 5\n", "line five\n").replace("line 18\n", "")
    hunks = text_diff(old, new, context=1)
    assert [[(d.tag, d.old_line, d.new_line, d.text) for d in h] for h in hunks] == [
        [(" ", 4, 4, "line 4"), ("-", 5, None, "line 5"), ("+", None, 5, "line five"), (" ", 6, 6, "line 6")],
        [(" ", 17, 17, "line 17"), ("-", 18, None, "line 18"), (" ", 19, 18, "line 19")],
    ]
    assert text_diff(old, old) == []
