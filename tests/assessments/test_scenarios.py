"""Every scenario case, bundled and instrument fixtures, runs as its own test."""

from __future__ import annotations

from pathlib import Path

import pytest

from assessments import load_library
from assessments.models import ScenarioFile
from assessments.scenarios import run_case

INSTRUMENTS = Path(__file__).parent / "instruments"
BUNDLED = load_library()
WITH_INSTRUMENTS = load_library([INSTRUMENTS])


def _cases(library):  # type: ignore[no-untyped-def]
    return [
        pytest.param(library, source.model, case, id=f"{source.path.name}: {case.name}")
        for source in library.scenario_sources
        for case in source.model.cases
    ]


@pytest.mark.parametrize(("library", "scenarios", "case"), _cases(WITH_INSTRUMENTS))
def test_scenario_case(library, scenarios: ScenarioFile, case) -> None:  # type: ignore[no-untyped-def]
    report = run_case(library.scorer(scenarios.ruleset), case)
    assert report.failures == ()


def test_every_bundled_rule_set_has_at_least_eight_cases() -> None:
    counts = {rs: 0 for rs in BUNDLED.rulesets}
    for scenarios in BUNDLED.scenarios:
        counts[scenarios.ruleset] += len(scenarios.cases)
    assert counts and all(n >= 8 for n in counts.values()), counts


def test_each_instrument_loads_cleanly() -> None:
    assert not WITH_INSTRUMENTS.errors
    assert {"mood-screen", "self-regard", "danger-checklist", "weekend-quiz"} <= set(WITH_INSTRUMENTS.rulesets)


def test_a_failing_case_reports_what_differed(tmp_path: Path) -> None:
    (tmp_path / "wrong.yaml").write_text(
        "kind: scenarios\nruleset: red-flags\ncases:\n"
        "  - name: wrong on purpose\n    answers: {red-flags: {threats: yes}}\n"
        "    expect: {outcome: few-concerns, flags: [], fired: [court-order], not_fired: [danger], scores: {warning-signs: 2}}\n"
    )
    library = load_library([tmp_path])
    (source,) = [s for s in library.scenario_sources if s.path.parent == tmp_path]
    report = run_case(library.scorer("red-flags"), source.model.cases[0])
    assert report.failures == (
        "outcome is 'safety-first', expected 'few-concerns'",
        "flags are [danger], expected []",
        "rule 'court-order' did not fire",
        "rule 'danger' fired but should not",
        "score 'warning-signs' is 0, expected 2",
    )
