"""Check a scenario file against the rule set it tests, before any case is run."""

from __future__ import annotations

from assessments.answers import response_reader
from assessments.models.base import suggest
from assessments.models.questionnaire import Questionnaire
from assessments.models.ruleset import RuleSet
from assessments.models.scenarios import ScenarioFile

Keys = tuple[str | int, ...]


def check_scenarios(
    scenarios: ScenarioFile,
    rulesets: dict[str, RuleSet],
    questionnaires: dict[str, Questionnaire],
    failed: frozenset[str] = frozenset(),
) -> list[tuple[Keys, str]]:
    """Give what is wrong with a scenario file: unknown names and answers that do not fit."""
    ruleset = rulesets.get(scenarios.ruleset)
    if ruleset is None and scenarios.ruleset in failed:
        return [(("ruleset",), f"rule set '{scenarios.ruleset}' failed to load; fix the errors reported for it first")]
    if ruleset is None:
        known = ", ".join(sorted(rulesets)) or "none loaded"
        return [
            (
                ("ruleset",),
                f"unknown rule set '{scenarios.ruleset}'{suggest(scenarios.ruleset, list(rulesets))}; loaded: {known}",
            )
        ]
    reader = response_reader([questionnaires[q] for q in ruleset.questionnaires])
    outcomes = ruleset.outcome_ids()
    flags = [f.id for f in ruleset.flags]
    rules = [r.id for r in ruleset.rules]
    scores = [s.id for s in ruleset.scores]
    findings: list[tuple[Keys, str]] = []
    names: dict[str, int] = {}
    for index, case in enumerate(scenarios.cases):
        at: Keys = ("cases", index)
        if case.name in names:
            findings.append(((*at, "name"), f"case name '{case.name}' is used twice; give each case its own name"))
        names[case.name] = index
        _, _, problems = reader.read(case.answers)
        for (qid, question), message in problems:
            keys = (*at, "answers", qid, question) if question else (*at, "answers", qid)
            findings.append((keys, message))
        expect = case.expect
        if expect.outcome not in outcomes:
            findings.append(
                (
                    (*at, "expect", "outcome"),
                    f"unknown outcome '{expect.outcome}'{suggest(expect.outcome, outcomes)}; expected one of: {', '.join(outcomes)}",
                )
            )
        named: list[tuple[str, tuple[str, ...], list[str], str]] = [
            ("flags", expect.flags or (), flags, "flag"),
            ("fired", expect.fired, rules, "rule"),
            ("not_fired", expect.not_fired, rules, "rule"),
        ]
        for key, wanted, declared, what in named:
            for item_index, item in enumerate(wanted):
                if item not in declared:
                    findings.append(
                        (
                            (*at, "expect", key, item_index),
                            f"unknown {what} '{item}'{suggest(item, declared)}; known: {', '.join(declared) or 'none'}",
                        )
                    )
        for score_id in expect.scores:
            if score_id not in scores:
                findings.append(
                    (
                        (*at, "expect", "scores", score_id),
                        f"unknown score '{score_id}'{suggest(score_id, scores)}; known: {', '.join(scores) or 'none'}",
                    )
                )
    return findings
