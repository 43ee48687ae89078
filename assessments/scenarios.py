"""Run scenario cases: each answer set must give the outcome, flags, rules and scores it expects."""

from __future__ import annotations

from dataclasses import dataclass

from assessments.engine import Scorer
from assessments.errors import AssessmentError
from assessments.models.scenarios import Case, ScenarioFile


@dataclass(frozen=True)
class CaseReport:
    """One case's verdict: passed, or what differed."""

    ruleset: str
    name: str
    failures: tuple[str, ...]
    outcome: str | None
    fired: tuple[str, ...]
    band: tuple[int, int] | None = None  # (variant or -1, band index) when bands decided

    @property
    def passed(self) -> bool:
        """Give whether every expectation held."""
        return not self.failures


def printed(value: float) -> str:
    """Give a score as `rekindle score` prints it: at most 6 significant digits."""
    return f"{value:g}"


def score_matches(got: float, wanted: float) -> bool:
    """Give whether a score is the expected one, to the digits `rekindle score` prints (20/7 is 2.85714)."""
    return abs(got - wanted) <= 1e-9 or printed(got) == printed(wanted)


def run_case(scorer: Scorer, case: Case) -> CaseReport:
    """Score one case and compare it with what it expects."""
    try:
        values, missing = scorer.values_for(case.answers)
    except AssessmentError as exc:
        return CaseReport(scorer.ruleset.id, case.name, (f"answers were refused: {exc}",), None, ())
    result = scorer.decide(values, missing)
    found_band = scorer.band_for(values) if result.decided_by == "bands" else None
    expect = case.expect
    failures = []
    if result.outcome.id != expect.outcome:
        failures.append(f"outcome is '{result.outcome.id}', expected '{expect.outcome}'")
    fired = tuple(rule.id for rule in result.fired)
    flags = sorted(flag.id for flag in result.flags)
    if expect.flags is not None and flags != sorted(expect.flags):
        failures.append(f"flags are [{', '.join(flags)}], expected [{', '.join(sorted(expect.flags))}]")
    for rule_id in expect.fired:
        if rule_id not in fired:
            failures.append(f"rule '{rule_id}' did not fire")
    for rule_id in expect.not_fired:
        if rule_id in fired:
            failures.append(f"rule '{rule_id}' fired but should not")
    for score_id, wanted in expect.scores.items():
        got = result.scores.get(score_id)
        if got is None or not score_matches(got, wanted):
            shown = "no value" if got is None else printed(got)
            failures.append(f"score '{score_id}' is {shown}, expected {printed(wanted)}")
    band = found_band[:2] if found_band else None
    return CaseReport(scorer.ruleset.id, case.name, tuple(failures), result.outcome.id, fired, band)


def run_scenarios(scorer: Scorer, scenarios: ScenarioFile) -> list[CaseReport]:
    """Run every case of a scenario file."""
    return [run_case(scorer, case) for case in scenarios.cases]
