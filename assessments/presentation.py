"""What a person is shown of a result: the same on the web page, in the PDF and in `rekindle score`.

A result decided for safety shows the outcome, the reasons that led to it, its resources and
advice — never scores, tallies, points, or reasons that weighed towards other outcomes: a chart
of "signs of interest" beside "put your safety first" says the wrong thing. Otherwise the
reasons that support the outcome come first, and the ones that weighed towards other outcomes
are kept apart. The full trace stays with counsellors (`--explain`, "try it").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from assessments.models.conditions import condition_refs
from assessments.models.ruleset import NOT_ENOUGH_INFORMATION, Resource, RuleSet
from assessments.result import FiredRule, Result
from assessments.scores import score_order

COUNTRY_NAMES = {
    "any": "Anywhere",
    "AU": "Australia",
    "CA": "Canada",
    "GB": "United Kingdom",
    "IE": "Ireland",
    "NZ": "New Zealand",
    "US": "United States",
}


@dataclass(frozen=True)
class Presentation:
    """A result as the person sees it."""

    safety_first: bool  # decided for safety: no scores, no weights, no other reasons
    reasons: tuple[str, ...]  # why this outcome (and, for safety, what raised the safety flags)
    other_reasons: tuple[str, ...]  # what weighed towards other outcomes (never on a safety result)
    resources: tuple[Resource, ...]  # each service once, the safety flags' first
    show_scores: bool  # the scores decided this result, so a chart of them explains it


def decided_for_safety(result: Result) -> bool:
    """Give whether the result is about safety: a safety outcome, or any safety flag raised.

    A chart of "signs of interest" or a reason that "counted for less" beside a sign of danger,
    control or crisis says the wrong thing, whatever decided the outcome.
    """
    return result.outcome.safety or result.safety


def present(result: Result) -> Presentation:
    """Give what the person is shown of a result."""
    outcome = result.outcome.id
    resources = result.resources  # already each once, the safety flags' first (see Scorer)
    fired = [r for r in result.fired if _said(r, outcome)]
    if decided_for_safety(result):
        safety = {flag.id for flag in result.flags if flag.safety}
        reasons = [
            r.because
            for r in fired
            if r.force == outcome or r.flag in safety or not (r.force or r.add)  # not: towards another outcome
        ]
        return Presentation(True, tuple(dict.fromkeys(reasons)), (), resources, False)
    supporting = [r.because for r in fired if _supports(r, outcome)]
    # with too little answered, what pointed elsewhere says nothing the person told us
    others = [] if outcome == NOT_ENOUGH_INFORMATION else [r.because for r in fired if not _supports(r, outcome)]
    decided_by_scores = result.decided_by not in ("forced", "missing") and outcome != NOT_ENOUGH_INFORMATION
    return Presentation(
        False, tuple(dict.fromkeys(supporting)), tuple(dict.fromkeys(others)), resources, decided_by_scores
    )


def answered_scores(result: Result, ruleset: RuleSet) -> set[str]:
    """Give the scores with at least one answered question behind them (a chart of the others
    would draw a confident 0 from nothing)."""
    single = ruleset.questionnaires[0] if len(ruleset.questionnaires) == 1 else None
    by_id = {s.id: s for s in ruleset.scores}

    def answered(name: str) -> bool:
        group, _, question = name.rpartition(".") if single is None else (single, ".", name)
        return question in result.answers.get(group, {})

    found: set[str] = set()
    for score in score_order(ruleset.scores):  # a score's own scores are settled first
        if score.count is not None:
            names = [ref for condition in score.count for ref in condition_refs(condition)]
        else:
            names = [getattr(item, "question", None) or item.score for item in getattr(score, score.method)]
        if any(name in found if name in by_id else answered(name) for name in names):
            found.add(score.id)
    return found


def _supports(rule: FiredRule, outcome: str) -> bool:
    """A rule supports the outcome when it forced it, added weight to it, or only raised a flag or advice."""
    if rule.force is not None:
        return rule.force == outcome
    if not rule.add:
        return True
    return rule.add.get(outcome, 0) > 0


def _said(rule: FiredRule, outcome: str) -> bool:
    """Give whether a rule's reason belongs with this outcome: not an advice-only rule whose
    advice is kept for other outcomes (its reason would explain advice that is not shown)."""
    if rule.add or rule.force or rule.flag or rule.advice_for is None:
        return True
    return outcome in rule.advice_for


def unique_resources(resources: Iterable[Resource]) -> tuple[Resource, ...]:
    """Give each service once, by name and number (per country), keeping the first; a way to ask
    for help without speaking that another copy gives is kept."""
    kept: dict[tuple[str, str, str], Resource] = {}
    for resource in resources:
        key = (resource.name.casefold(), (resource.phone or "").replace(" ", ""), resource.country)
        found = kept.get(key)
        if found is None:
            kept[key] = resource
        elif found.silent is None and resource.silent is not None:
            kept[key] = found.model_copy(update={"silent": resource.silent})
    return tuple(kept.values())


@dataclass(frozen=True)
class ByCountry:
    """Resources arranged for a person in one country (or in none chosen)."""

    emergency: tuple[Resource, ...]  # "If you are in danger now": emergency numbers, first
    mine: tuple[Resource, ...]  # the chosen country's services
    anywhere: tuple[Resource, ...]  # services marked `any`
    elsewhere: tuple[tuple[str, tuple[Resource, ...]], ...]  # other countries, each with its services


def by_country(resources: Sequence[Resource], country: str | None) -> ByCountry:
    """Arrange resources for a person: emergency numbers (with how to call without speaking) first, their country's
    services, those for anywhere, then other countries (all countries when none is chosen)."""
    local = [r for r in resources if country is None or r.country in (country, "any")]
    emergency = tuple(r for r in local if r.emergency)
    rest = [r for r in resources if not (r.emergency and r in emergency)]
    mine = tuple(r for r in rest if country is not None and r.country == country)
    anywhere = tuple(r for r in rest if r.country == "any")
    others: dict[str, list[Resource]] = {}
    for resource in rest:
        if resource.country not in ("any", country):
            others.setdefault(resource.country, []).append(resource)
    elsewhere = tuple((code, tuple(items)) for code, items in sorted(others.items()))
    return ByCountry(emergency, mine, anywhere, elsewhere)
