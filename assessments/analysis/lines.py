"""The lines that changed between two versions of a file, as hunks with line numbers."""

from __future__ import annotations

import difflib
from dataclasses import dataclass


@dataclass(frozen=True)
class DiffLine:
    """One line of a text diff: ' ' kept, '-' removed, '+' added, with its line in each version."""

    tag: str
    old_line: int | None
    new_line: int | None
    text: str


def text_diff(old: str, new: str, context: int = 3) -> list[list[DiffLine]]:
    """Give the changed lines with `context` lines around them, as hunks (empty when the texts are equal)."""
    a, b = old.splitlines(), new.splitlines()
    hunks = []
    for group in difflib.SequenceMatcher(None, a, b, autojunk=False).get_grouped_opcodes(context):
        lines = []
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines += [DiffLine(" ", i + 1, j + 1, a[i]) for i, j in zip(range(i1, i2), range(j1, j2), strict=True)]
                continue
            lines += [DiffLine("-", i + 1, None, a[i]) for i in range(i1, i2)]
            lines += [DiffLine("+", None, j + 1, b[j]) for j in range(j1, j2)]
        hunks.append(lines)
    return hunks
