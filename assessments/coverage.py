"""Which outcomes, bands and rules of a rule set no scenario case reached."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from assessments.engine import Scorer
from assessments.errors import AssessmentError
from assessments.models.ruleset import BandsDecision
from assessments.models.scenarios import ScenarioFile


@dataclass
class Coverage:
    """What a rule set's scenario cases reached, and what they did not."""

    ruleset: str
    cases: int = 0
    outcomes: set[str] = field(default_factory=set)
    rules: set[str] = field(default_factory=set)
    bands: set[tuple[int, int]] = field(default_factory=set)  # (variant or -1, band index)

    def missed(self, scorer: Scorer) -> dict[str, list[str]]:
        """Give, per kind, what no case reached (bands named as where they are written)."""
        ruleset = scorer.ruleset
        declared = [o.id for o in ruleset.outcomes]
        missed = {
            "outcomes": [o for o in declared if o not in self.outcomes],
            "rules": [r.id for r in ruleset.rules if r.id not in self.rules],
            "bands": [],
        }
        decision = ruleset.decision
        if isinstance(decision, BandsDecision):
            tables = [(-1, "decision.bands", decision.bands)] + [
                (i, f"decision.variants[{i + 1}].bands", v.bands) for i, v in enumerate(decision.variants)
            ]
            for table, where, bands in tables:
                for index, band in enumerate(bands):
                    if (table, index) not in self.bands:
                        top = f"max {band.max:g}" if band.max is not None else f"below {band.below:g}"
                        missed["bands"].append(f"{where}[{index + 1}] ({band.outcome}, min {band.min:g}, {top})")
        return missed


def measure(scorer: Scorer, files: Iterable[ScenarioFile]) -> Coverage:
    """Run every case of the scenario files and note what each reached."""
    coverage = Coverage(scorer.ruleset.id)
    for scenario_file in files:
        for case in scenario_file.cases:
            coverage.cases += 1
            try:
                values, missing = scorer.values_for(case.answers)
            except AssessmentError:
                continue  # the case itself fails; `rekindle test` says why
            result = scorer.decide(values, missing)
            coverage.outcomes.add(result.outcome.id)
            coverage.rules.update(rule.id for rule in result.fired)
            band = scorer.band_for(values)
            if band is not None and result.decided_by == "bands":
                coverage.bands.add(band[:2])
    return coverage
