"""Which outcomes, bands and rules of a rule set no scenario case reached."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from assessments.band_names import band_name
from assessments.models.ruleset import BandsDecision, RuleSet
from assessments.scenarios import CaseReport


@dataclass
class Coverage:
    """What a rule set's scenario cases reached, and what they did not."""

    ruleset: str
    cases: int = 0
    outcomes: set[str] = field(default_factory=set)
    rules: set[str] = field(default_factory=set)
    bands: set[tuple[int, int]] = field(default_factory=set)  # (variant or -1, band index)

    def missed(self, ruleset: RuleSet) -> dict[str, list[str]]:
        """Give, per kind, what no case reached (bands named by outcome and bounds, as everywhere)."""
        declared = [o.id for o in ruleset.outcomes]
        missed = {
            "outcomes": [o for o in declared if o not in self.outcomes],
            "rules": [r.id for r in ruleset.rules if r.id not in self.rules],
            "bands": [],
        }
        decision = ruleset.decision
        if isinstance(decision, BandsDecision):
            tables = [(-1, decision.bands)] + [(i, v.bands) for i, v in enumerate(decision.variants)]
            for table, bands in tables:
                for index, band in enumerate(bands):
                    if (table, index) not in self.bands:
                        missed["bands"].append(band_name(band, table))
        return missed


def measure(ruleset_id: str, reports: Iterable[CaseReport]) -> Coverage:
    """Note what each case reached, from the reports `run_scenarios` gave."""
    coverage = Coverage(ruleset_id)
    for report in reports:
        coverage.cases += 1
        if report.outcome is None:
            continue  # the case itself fails; `rekindle test` says why
        coverage.outcomes.add(report.outcome)
        coverage.rules.update(report.fired)
        if report.band is not None:
            coverage.bands.add(report.band)
    return coverage
