"""Texts for new documents: the engine's starter rule set and scenario file (as `rekindle
new-ruleset` writes them), and copies of a version under a new id."""

from __future__ import annotations

import re
from pathlib import Path

from assessments import Library, Questionnaire, Scorer, read_source
from assessments.library import BUNDLED
from assessments.models.ruleset import RuleSet
from assessments.starter import inherited, starter_ruleset, starter_scenarios
from assessments.workbench import starter_cases

# the modelines then point at ../schemas/, as the bundled files' do and `rekindle library export` writes
_FOLDER = BUNDLED / "rules"


def starter_texts(library: Library, questionnaire: Questionnaire, ruleset_id: str) -> list[tuple[str, str]]:
    """Give (kind, text) of a starter rule set over a questionnaire and its starter scenario file.

    The starter keeps what the library's policies ask of every rule set over the questionnaire,
    taken from its default rule set, so it is proven safe from its first save.
    """
    default = library.rulesets.get(questionnaire.default_ruleset)
    keep = inherited(questionnaire, default, list(library.policies.values()))
    text = starter_ruleset(questionnaire, ruleset_id, _FOLDER, keep=keep)
    model = read_source(text.encode(), Path(f"{ruleset_id}.yaml")).model
    assert isinstance(model, RuleSet)  # the engine's tests check starters load for every questionnaire
    cases = starter_cases(Scorer(model, [questionnaire]))
    return [("ruleset", text), ("scenarios", starter_scenarios(ruleset_id, cases, _FOLDER))]


def copy_text(text: str, kind: str, new_id: str) -> str:
    """Give a version's text under a new id (a scenario file: for the rule set with that id).

    Only the top-level line is changed, so the copy is otherwise exactly as written.
    """
    key = "ruleset" if kind == "scenarios" else "id"
    changed, count = re.subn(
        rf"^{key}:[ \t]*[^\n#]*?([ \t]*#[^\n]*)?$", rf"{key}: {new_id}\1", text, count=1, flags=re.M
    )
    return changed if count else f"{key}: {new_id}\n{text}"
