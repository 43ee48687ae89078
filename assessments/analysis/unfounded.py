"""Outcomes the bands give when none of the questions feeding their score is answered.

A sum over no answers is 0, and 0 usually falls in some band: the person skipped every question
the decision rests on and still gets a confident outcome. The search keeps those questions
unanswered and walks the others (which may still force an outcome, or count as missing), so
what it reports is an answer set a person can really give.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from assessments.analysis.abstract import Node, Tri
from assessments.analysis.report import UnfoundedOutcome
from assessments.analysis.search import Answers, minimise
from assessments.models.ruleset import BandsDecision

if TYPE_CHECKING:
    from assessments.analysis.analyze import Analyzer


def unfounded_outcomes(analyzer: Analyzer) -> list[UnfoundedOutcome]:
    """Give each outcome the bands decide while no question feeding the decision's score is answered."""
    decision = analyzer.ruleset.decision
    if not isinstance(decision, BandsDecision):
        return []
    feeding = analyzer.space.slots_of_name(decision.score)
    unanswered = [var.index for var in analyzer.space.vars if var.slot in feeding]
    order = [var for var in analyzer.everything if var.slot not in feeding]
    outcomes = {band.outcome for bands in [decision.bands, *(v.bands for v in decision.variants)] for band in bands}
    found: dict[str, Answers] = {}

    def decided_by_bands(answers: Answers) -> str | None:
        result = analyzer.result(answers)
        return result.outcome.id if result is not None and result.decided_by == "bands" else None

    def confirm(answers: Answers) -> bool:
        outcome = decided_by_bands(answers)
        if outcome is not None:
            found.setdefault(outcome, answers)
        return outcomes <= set(found)

    def test(node: Node) -> Tri:
        for index in unanswered:  # outside the search's order, so these stay as set
            node.chosen[index] = 0  # values[0] is None: unanswered
        node.memo.clear()
        possible = analyzer.abstract.outcomes(node, analyzer.truths(node))
        return None if any(how == "bands" and o not in found for o, how in possible) else False

    if unanswered:
        analyzer.searcher.find(order, test, confirm, analyzer.budget)
    reports = []
    for outcome in [o for o in analyzer.ruleset.outcome_ids() if o in found]:

        def same(answers: Answers, outcome: str = outcome) -> bool:
            return decided_by_bands(answers) == outcome

        reports.append(UnfoundedOutcome(id=outcome, score=decision.score, example=minimise(found[outcome], same)))
    return reports
