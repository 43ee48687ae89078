"""The analyzer against brute force: on small questionnaires every answer set can be scored, so
what `analyze` claims (score ranges, reachable outcomes, rules that can fire, ties, rules that
change the outcome) must equal what scoring every answer set finds, for many random rule sets."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest

from assessments import load_library
from assessments.analysis import analyze
from assessments.engine import Scorer
from assessments.errors import AssessmentError
from tests.assessments.small_space import ALL, QUESTIONNAIRE, random_ruleset


@pytest.mark.parametrize("seed", range(25))  # each seed writes a different rule set
def test_analysis_equals_brute_force(tmp_path: Path, seed: int) -> None:
    (tmp_path / "small.yaml").write_text(textwrap.dedent(QUESTIONNAIRE).lstrip())
    (tmp_path / "rules.yaml").write_text(random_ruleset(seed))
    library = load_library([tmp_path], bundled=False)
    assert not library.errors, [str(e) for e in library.errors]  # the generator writes valid rule sets
    ruleset = library.ruleset("small-rules")
    scorer = library.scorer("small-rules")
    analysis = analyze(ruleset, library.questionnaires_for(ruleset), samples=50)

    outcomes: set[str] = set()
    fired: set[str] = set()
    tie = False
    changes: set[str] = set()
    lows: dict[str, float] = {}
    highs: dict[str, float] = {}
    for answers in ALL:
        try:
            result = scorer.score(answers)
        except AssessmentError:
            continue
        outcomes.add(result.outcome.id)
        fired |= {r.id for r in result.fired}
        tie = tie or result.decided_by == "tie"
        for score_id, value in result.scores.items():
            if value is not None:
                lows[score_id] = min(value, lows.get(score_id, value))
                highs[score_id] = max(value, highs.get(score_id, value))
        for rule in result.fired:
            if (rule.add or rule.force) and rule.id not in changes:
                index = next(i for i, r in enumerate(ruleset.rules) if r.id == rule.id)
                if changes_without(scorer, ruleset, index, answers, result.outcome.id):
                    changes.add(rule.id)

    assert {o.id for o in analysis.outcomes if o.reachable} == outcomes
    assert all(o.reachable is not None for o in analysis.outcomes)  # small enough to be exact
    assert {r.id for r in analysis.rules if r.can_fire} == fired
    assert all(r.can_fire is not None for r in analysis.rules)
    for score in analysis.scores:
        assert (score.low, score.high) == (lows.get(score.id), highs.get(score.id)), score.id
    if analysis.ties is not None:
        assert analysis.ties.possible is tie
    for report in analysis.rules:
        if report.can_fire and report.changes_outcome is not None:
            assert report.changes_outcome is (report.id in changes), report.id
        elif report.can_fire and report.change_tried:
            pytest.fail(f"{report.id}: a small space must settle whether the rule changes the outcome")


def changes_without(scorer: Any, ruleset: Any, index: int, answers: dict[str, Any], outcome: str) -> bool:
    rules = tuple(r for i, r in enumerate(ruleset.rules) if i != index)
    without = Scorer(ruleset.model_copy(update={"rules": rules}), scorer.questionnaires)
    return bool(without.score(answers).outcome.id != outcome)
