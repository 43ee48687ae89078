"""Every tie that can happen under the `highest` decision: each pair and each three-way tie.

One tie found is not enough for a counsellor: the `ties` order decides each tie differently, so
every group of outcomes that can tie at the top is worth seeing with an example. The sampled
answer sets name the common ones; one pruned search then looks for the pairs and triples not yet
seen, and stops early when none is left. What a finished search did not find cannot happen.
"""

from __future__ import annotations

from itertools import combinations
from typing import TYPE_CHECKING

from assessments.analysis.abstract import Node, Tri
from assessments.analysis.report import TieGroup, TieReport
from assessments.analysis.search import Answers, minimise
from assessments.models.ruleset import BandsDecision
from assessments.result import Result

if TYPE_CHECKING:
    from assessments.analysis.analyze import Analyzer

Group = frozenset[str]


def leaders(result: Result) -> Group:
    """Give the outcomes that share the highest tally."""
    best = max(result.tallies.values())
    return frozenset(o for o, tally in result.tallies.items() if tally == best)


def find_ties(analyzer: Analyzer, sampled: list[tuple[Answers, Result]]) -> TieReport | None:
    """Give every group of outcomes that can tie (pairs and triples searched for), with examples."""
    if isinstance(analyzer.ruleset.decision, BandsDecision):
        return None
    ids = list(analyzer.scorer.score({q: {} for q in analyzer.ruleset.questionnaires}).tallies)
    wanted = {frozenset(g) for size in (2, 3) for g in combinations(ids, size)}
    found: dict[Group, Answers] = {}
    for answers, result in sampled:
        if result.decided_by == "tie":
            found.setdefault(leaders(result), answers)

    def confirm(answers: Answers) -> bool:
        result = analyzer.result(answers)
        if result is not None and result.decided_by == "tie":
            found.setdefault(leaders(result), answers)
        return wanted <= set(found)  # stop once every pair and triple is found

    def test(node: Node) -> Tri:
        truths = analyzer.truths(node)
        if not any(how == "tie" for _, how in analyzer.abstract.outcomes(node, truths)):
            return False
        low, high, _ = analyzer.abstract.tallies(truths)
        open_groups = (g for g in wanted if g not in found)
        return None if any(_can_tie(g, ids, low, high) for g in open_groups) else False

    steps = 0
    complete = True
    if not wanted <= set(found):
        search = analyzer.searcher.find(analyzer.everything, test, confirm, analyzer.budget)
        steps, complete = search.steps, search.complete or wanted <= set(found)
    groups = []
    for group, answers in sorted(found.items(), key=lambda item: (len(item[0]), sorted(item[0]))):

        def same_tie(candidate: Answers, group: Group = group) -> bool:
            result = analyzer.result(candidate)
            return result is not None and result.decided_by == "tie" and leaders(result) == group

        example = minimise(answers, same_tie)
        decided = analyzer.result(example)
        assert decided is not None
        ordered = [o for o in ids if o in group]
        groups.append(TieGroup(outcomes=ordered, example=example, resolved_to=decided.outcome.id))
    tried = analyzer.samples + steps
    if not groups:
        return TieReport(possible=False if complete else None, tried=tried)
    first = groups[0]
    return TieReport(
        possible=True,
        tried=tried,
        example=first.example,
        outcomes=first.outcomes,
        resolved_to=first.resolved_to,
        groups=groups,
        complete=complete,
    )


def _can_tie(group: Group, ids: list[str], low: dict[str, float], high: dict[str, float]) -> bool:
    """Give whether the tallies' bounds leave room for exactly this group to share the top."""
    floor = max(low[o] for o in group)
    ceiling = min(high[o] for o in group)
    return floor <= ceiling and all(low[x] < ceiling for x in ids if x not in group)
