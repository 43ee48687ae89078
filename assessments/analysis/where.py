"""Where in its file each thing `analyze` proves wrong sits, so its errors read like validate's.

The problems name the outcome or rule they are about; the outcome's id or the rule's condition
is the place to look.
"""

from __future__ import annotations

import re

from assessments.models.ruleset import RuleSet

Keys = tuple[str | int, ...]
_ABOUT = re.compile(r"^(outcome|rule|guarantee) '([^']+)'")


def problem_keys(ruleset: RuleSet, message: str) -> Keys | None:
    """Give the key path a problem is about — an outcome's id, a rule's `when`, a guarantee of the
    rule set's own — or None when it is about another file (a library policy's guarantee)."""
    found = _ABOUT.match(message)
    if found is None:
        return ()
    kind, name = found.groups()
    if kind == "guarantee":
        own = [g.id for g in getattr(ruleset, "guarantees", ())]
        return ("guarantees", own.index(name), "id") if name in own else None
    if kind == "outcome":
        index = next((i for i, o in enumerate(ruleset.outcomes) if o.id == name), None)
        return ("outcomes", index, "id") if index is not None else ("decision",)
    index = next((i for i, r in enumerate(ruleset.rules) if r.id == name), None)
    return ("rules", index, "when") if index is not None else ()
