"""Whether a change to a library may be published.

A change replaces, adds or removes some files of a library. It may be published when the
library with the change (`after`) holds no new mistake: the changed files load and pass every
check, the scenario cases of every rule set the change touches pass, those rule sets keep every
guarantee (their own and the library's policies') — proven, not merely not found broken — and
nothing that loaded or was served before (`before`) stops loading or being served.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from assessments.analysis.guarantees import GuaranteeReport
from assessments.errors import FileError, GuaranteeFailure
from assessments.library import Library
from assessments.models.scenarios import ScenarioFile
from assessments.scenarios import CaseReport, run_scenarios


@dataclass
class ChangeReport:
    """What a change does to a library: its own mistakes, its cases and proofs, and what it breaks."""

    rulesets: list[str]  # the rule sets the change touches, in the library's order
    errors: list[FileError] = field(default_factory=list)  # in the changed files, or a touched rule set's guarantees
    cases: list[CaseReport] = field(default_factory=list)  # every scenario case of the touched rule sets
    proofs: dict[str, list[GuaranteeReport]] = field(default_factory=dict)
    refused: dict[str, list[str]] = field(default_factory=dict)  # touched rule sets that are not served
    elsewhere: list[str] = field(default_factory=list)  # what the change breaks in files it does not touch

    @property
    def failed_cases(self) -> list[CaseReport]:
        """Give the scenario cases that fail."""
        return [case for case in self.cases if not case.passed]

    def problems(self) -> list[str]:
        """Give every reason not to publish, one line each (empty: it may be published)."""
        lines = [str(error) for error in self.errors if not isinstance(error, GuaranteeFailure)]
        for case in self.failed_cases:
            lines += [f"rule set '{case.ruleset}': scenario '{case.name}': {why}" for why in case.failures]
        for ruleset_id, reasons in self.refused.items():
            lines += reasons if reasons else [f"rule set '{ruleset_id}' is not served"]
        return lines + self.elsewhere

    @property
    def publishable(self) -> bool:
        """Give whether nothing stands in the way of publishing."""
        return not self.problems()


def touched_rulesets(after: Library, changed: Collection[Path]) -> list[str]:
    """Give the rule sets a change concerns: changed ones, those whose cases or questionnaires
    changed, and every rule set when a policy changed."""
    changed = set(changed)
    touched: set[str] = set()
    kinds: dict[str, set[str]] = {"questionnaire": set(), "policy": set()}
    for (kind, item_id), source in after.sources.items():
        if source.path in changed:
            kinds.setdefault(kind, set()).add(item_id)
            if kind == "ruleset":
                touched.add(item_id)
    for source in after.scenario_sources:
        if source.path in changed and isinstance(source.model, ScenarioFile):
            touched.add(source.model.ruleset)
    for error in after.errors:  # a changed rule set that does not load at all
        if error.path in changed and error.declares and error.declares[0] == "ruleset":
            touched.add(error.declares[1])
    for ruleset_id, ruleset in after.rulesets.items():
        if kinds["policy"] or set(ruleset.questionnaires) & kinds["questionnaire"]:
            touched.add(ruleset_id)
    order = list(after.rulesets)
    return sorted(touched, key=lambda r: (order.index(r) if r in order else len(order), r))


def review_change(before: Library, after: Library, changed: Collection[Path]) -> ChangeReport:
    """Give what the change from `before` to `after` (the files at `changed` replaced, added or
    removed) does, and whether it may be published."""
    changed = set(changed)
    rulesets = touched_rulesets(after, changed)
    report = ChangeReport(rulesets=rulesets)
    for error in after.errors:
        if isinstance(error, GuaranteeFailure):
            if error.declares and error.declares[1] in rulesets:
                report.errors.append(error)
        elif error.path in changed:
            report.errors.append(error)
    for source in after.scenario_sources:
        model = source.model
        if isinstance(model, ScenarioFile) and model.ruleset in rulesets and model.ruleset in after.rulesets:
            report.cases += run_scenarios(after.scorer(model.ruleset), model)
    for ruleset_id in rulesets:
        if ruleset_id in after.proofs:
            report.proofs[ruleset_id] = after.proofs[ruleset_id]
        if ruleset_id in after.refused:
            report.refused[ruleset_id] = after.refused[ruleset_id]
    report.elsewhere = _broken_elsewhere(before, after, changed, set(rulesets))
    return report


def _broken_elsewhere(before: Library, after: Library, changed: set[Path], touched: set[str]) -> list[str]:
    """Give what stops working in files the change does not touch."""
    found: list[str] = []
    old_lines = {line for error in before.errors for line in str(error).splitlines()}
    for error in after.errors:
        mine = error.path in changed or (
            isinstance(error, GuaranteeFailure) and (error.declares or ("", ""))[1] in touched
        )
        if not mine:
            found += [line for line in str(error).splitlines() if line not in old_lines]
    for (kind, item_id), source in before.sources.items():
        if source.path not in changed and (kind, item_id) not in after.sources:
            found.append(f"{kind} '{item_id}' ({source.path}) would no longer load")
    for ruleset_id in after.refused:
        if ruleset_id not in touched and ruleset_id in before.rulesets and ruleset_id not in before.refused:
            found.append(f"rule set '{ruleset_id}' would no longer be served: it would not keep every guarantee")
    return list(dict.fromkeys(found))
