"""Check the rest of a file whose structure has mistakes, so every mistake is reported at once.

When pydantic refuses a file, its mistakes usually sit in a few items: a rule with a misspelt
key, a band with its bounds swapped. Those items are set aside (rules, scores, outcomes, flags,
questions, sections, scenario cases) or stood in for (the decision, the title, also when its key
is misspelt and so missing), and the rest is validated again and given the same checks as a
sound file, against the same library. Findings are mapped back to the positions in the file as
written.

Two things keep the extra findings honest: a finding that names something set aside ("unknown
outcome 'x'" when outcome x had a mistake of its own) is dropped, and where setting aside cannot
leave a valid file (the questionnaires a rule set scores are broken, say), nothing more is
checked and the file's errors end with a line that says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from assessments.checks import check_questionnaire, check_ruleset
from assessments.errors import FileError, Problem
from assessments.models.questionnaire import Questionnaire
from assessments.models.ruleset import RuleSet
from assessments.models.scenarios import ScenarioFile
from assessments.scenario_checks import check_scenarios
from assessments.yamlload import Document

if TYPE_CHECKING:
    from assessments.library import Library

Keys = tuple[str | int, ...]

KINDS = ("questionnaire", "ruleset", "scenarios", "policy")
# Lists whose items with mistakes are set aside (findings that name them are dropped)
_LISTS = {
    "ruleset": ("rules", "scores", "outcomes", "flags"),
    "questionnaire": ("sections",),
    "scenarios": ("cases",),
    "policy": (),  # a policy is checked against the library's questionnaires only once it is sound
}
# Top-level values stood in for when they have mistakes (findings under them are dropped)
_STAND_INS: dict[str, Any] = {
    "id": "set-aside",
    "version": "0",
    "title": "-",
    "author": "-",
    "summary": "-",
    "minutes": 1,
    "default_ruleset": "set-aside",
    "decision": {"method": "highest", "ties": "not-enough-information"},
}
_OPTIONAL = ("description", "missing")
NOT_CHECKED = "the rest of this file (names, options, bands) is checked once the errors above are fixed"


@dataclass(frozen=True)
class SetAside:
    """A file's model without its broken parts, and how to point back into the file as written."""

    model: Any  # None when every item had a mistake of its own
    document: Document
    kept: dict[Keys, list[int]]  # list path (as written) -> the written index of each kept item
    broken_names: frozenset[str]  # ids of items set aside: findings naming them are not reported
    replaced: frozenset[str]  # top-level keys stood in for: findings under them are not reported

    def written(self, keys: Keys) -> Keys:
        """Give the key path in the file as written for a key path in the model."""
        out: list[str | int] = []
        for key in keys:
            kept = self.kept.get(tuple(out))
            out.append(kept[key] if isinstance(key, int) and kept is not None and key < len(kept) else key)
        return tuple(out)

    def keep(self, keys: Keys, message: str) -> bool:
        """Give whether a finding on the model is worth reporting (it names nothing set aside)."""
        if keys[:1] and keys[0] in self.replaced:
            return False
        return not any(f"'{name}'" in message for name in self.broken_names)


def set_aside(model_class: type[BaseModel], kind: str, document: Document, error: ValidationError) -> SetAside | None:
    """Give the file's model with the items that failed set aside, or None when that leaves nothing sound."""
    try:
        return _set_aside(model_class, kind, document, error)
    except (KeyError, IndexError, TypeError, ValueError):
        return None  # a shape this does not foresee: the errors already found stand on their own


def _set_aside(model_class: type[BaseModel], kind: str, document: Document, error: ValidationError) -> SetAside | None:
    data = document.data
    broken: dict[Keys, set[int]] = {}  # path of a list -> indexes of its items with mistakes
    replaced: set[Keys] = set()  # top-level keys (or option lists) with mistakes
    errors = error.errors(include_url=False)
    locs = [tuple(item["loc"]) + tuple(item.get("ctx", {}).get("at", ())) for item in errors]
    for item, loc in zip(errors, locs, strict=True):
        if item["type"] == "too_short" and any(len(d) > len(loc) and d[: len(loc)] == loc for d in locs):
            continue  # a list too short only because its items failed: the items are set aside
        where = _broken_item(kind, loc, data)
        if where is None:
            return None
        if isinstance(where[-1], int):
            broken.setdefault(where[:-1], set()).add(where[-1])
        else:
            replaced.add(where)
    pruned = dict(data)
    for where in replaced:
        if where[0] == "option_lists":
            pruned["option_lists"] = {k: v for k, v in pruned["option_lists"].items() if k != where[1]}
        elif where[0] in _STAND_INS and where[0] in model_class.model_fields:
            pruned[str(where[0])] = _STAND_INS[str(where[0])]
        else:
            pruned.pop(str(where[0]), None)
    for key, stand_in in _STAND_INS.items():
        field = model_class.model_fields.get(key)
        if key not in pruned and field is not None and field.is_required():
            # misspelt (`autor:`), so left out above: without a stand-in, one wrong letter would
            # keep the rest of the file from being checked
            pruned[key] = stand_in
            replaced.add((key,))
    names: set[str] = set()
    kept: dict[Keys, list[int]] = {}
    if any(len(path) == 3 for path in broken):  # questions, inside their sections
        sections = list(pruned["sections"])
        for path in [p for p in broken if len(p) == 3]:
            section_index = int(path[1])
            section = dict(sections[section_index])
            questions = section["questions"]
            kept_here = [i for i in range(len(questions)) if i not in broken[path]]
            names |= _ids(questions[i] for i in broken[path])
            if not kept_here:  # a section needs a question: set the whole section aside
                broken.setdefault(("sections",), set()).add(section_index)
                continue
            kept[path] = kept_here
            sections[section_index] = {**section, "questions": [questions[i] for i in kept_here]}
        pruned["sections"] = sections
    for top in [p for p in broken if len(p) == 1]:
        items = pruned[str(top[0])]
        names |= _ids(items[i] for i in broken[top])
        kept[top] = [i for i in range(len(items)) if i not in broken[top]]
        pruned[str(top[0])] = [items[i] for i in kept[top]]
    try:
        model = model_class.model_validate(pruned)
    except ValidationError as again:
        emptied = {path for path, indexes in kept.items() if not indexes}
        if all(e["type"] == "too_short" and tuple(e["loc"]) in emptied for e in again.errors()):
            model = None  # every item had a mistake: nothing is left to check, and nothing to say
        else:
            return None
    return SetAside(model, document, kept, frozenset(names), frozenset(str(r[0]) for r in replaced))


def has_rest(data: dict[str, Any]) -> bool:
    """Give whether a file holds anything the checks would look at (rules, questions, cases)."""
    return any(
        isinstance(data.get(key), (list, dict)) and data[key]
        for key in ("rules", "scores", "decision", "sections", "cases")
    )


def _broken_item(kind: str, loc: tuple[Any, ...], data: dict[str, Any]) -> Keys | None:
    """Give the list item (path ending in its index) or top-level key that holds a mistake, or None."""
    if not loc:
        return None
    first = loc[0]
    if kind == "questionnaire" and first == "sections" and len(loc) >= 2 and isinstance(loc[1], int):
        if len(loc) >= 4 and loc[2] == "questions" and isinstance(loc[3], int):
            return ("sections", loc[1], "questions", loc[3])
        return ("sections", loc[1])
    if first in _LISTS[kind] and len(loc) >= 2 and isinstance(loc[1], int):
        return (first, loc[1])
    if first in _STAND_INS or first in _OPTIONAL:
        return (first,)
    if kind == "questionnaire" and first == "option_lists" and len(loc) >= 2 and isinstance(data.get(first), dict):
        return (first, loc[1])
    if first not in ("kind", "questionnaires", "ruleset", "option_lists") and first in data:
        return (first,)  # left out: an unknown key, or a list that falls back to empty
    return None


def _ids(items: Any) -> set[str]:
    return {item["id"] for item in items if isinstance(item, dict) and isinstance(item.get("id"), str)}


def checked_rest(aside: SetAside, findings: list[tuple[Keys, str]]) -> list[Problem]:
    """Turn the findings on the model into problems positioned in the file as written."""
    problems = []
    for keys, message in findings:
        if aside.keep(keys, message):
            found, line, column = aside.document.locate(aside.written(keys))
            problems.append(Problem(message, line, column, found))
    return problems


def add_findings(error: FileError, problems: list[Problem]) -> None:
    """Add problems to a file's errors, all in the order of the file."""
    error.problems = sorted([*error.problems, *problems], key=lambda p: (p.line or 0, p.column or 0))


def unknown_default_ruleset(library: Library, questionnaire: Questionnaire) -> list[tuple[Keys, str]]:
    """Give a finding when no file at all declares the questionnaire's default rule set.

    Checked even when the questionnaire has other mistakes: it does not depend on them.
    """
    wanted = questionnaire.default_ruleset
    declared = ("ruleset", wanted) in library.sources or any(e.declares == ("ruleset", wanted) for e in library.errors)
    if declared:
        return []
    return [
        (
            ("default_ruleset",),
            f"default rule set '{wanted}' is not loaded; name a rule set that scores this questionnaire",
        )
    ]


def check_rest(library: Library) -> None:
    """Give each file with structural mistakes the findings of the checks on the rest of it."""
    failed = {kind: {e.declares[1] for e in library.errors if e.declares and e.declares[0] == kind} for kind in KINDS}
    for error in library.errors:
        aside = error.set_aside
        if not isinstance(aside, SetAside):
            continue
        model = aside.model
        if model is None:
            continue
        if isinstance(model, Questionnaire):
            tags = frozenset(t.id for p in library.policies.values() for t in p.tags)
            findings = check_questionnaire(model, tags) + unknown_default_ruleset(library, model)
        elif isinstance(model, RuleSet):
            # sound in themselves: a questionnaire whose only fault is this rule set is checked against
            sound = library.sound_questionnaires
            findings = check_ruleset(model, sound, frozenset(failed["questionnaire"] - set(sound)))
        elif isinstance(model, ScenarioFile):
            unloaded = frozenset(failed["ruleset"] - set(library.rulesets))
            findings = check_scenarios(model, library.rulesets, library.questionnaires, unloaded)
        else:
            continue
        add_findings(error, checked_rest(aside, findings))
