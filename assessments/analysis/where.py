"""Where in its file each thing `analyze` proves wrong sits, so its errors read like validate's.

The problems name the outcome or rule they are about; the outcome's id or the rule's condition
is the place to look.
"""

from __future__ import annotations

import re

from assessments.models.ruleset import RuleSet

Keys = tuple[str | int, ...]
_ABOUT = re.compile(r"^(outcome|rule) '([^']+)'")


def problem_keys(ruleset: RuleSet, message: str) -> Keys:
    """Give the key path a problem is about: an outcome's id, a rule's `when`, or () for the file."""
    found = _ABOUT.match(message)
    if found is None:
        return ()
    kind, name = found.groups()
    if kind == "outcome":
        index = next((i for i, o in enumerate(ruleset.outcomes) if o.id == name), None)
        return ("outcomes", index, "id") if index is not None else ("decision",)
    index = next((i for i, r in enumerate(ruleset.rules) if r.id == name), None)
    return ("rules", index, "when") if index is not None else ()
