"""The benchmark's hand-written baseline gives the engine's outcome and tallies."""

from __future__ import annotations

import random

from assessments import load_library
from bench.handwritten import decide
from bench.responses import random_answers


def test_handwritten_matches_the_engine_on_generated_responses() -> None:
    scorer = load_library().scorer("should-i-try")
    rng = random.Random(7)
    seen = set()
    for _ in range(3000):
        answers = random_answers(list(scorer.questionnaires), rng, skip=0.05)
        result = scorer.score(answers)
        assert (result.outcome.id, result.tallies) == decide(answers), answers
        seen.add(result.outcome.id)
    assert {"high-risk", "safety-first", "respect-their-wish", "letting-go", "work-on-yourself"} <= seen


def test_handwritten_matches_the_engine_on_every_scenario_case() -> None:
    library = load_library()
    scorer = library.scorer("should-i-try")
    cases = [c for s in library.scenarios if s.ruleset == "should-i-try" for c in s.cases]
    for case in cases:
        result = scorer.score(case.answers)
        assert (result.outcome.id, result.tallies) == decide(case.answers), case.name
