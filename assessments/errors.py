"""The one family of exceptions the engine raises."""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class AssessmentError(Exception):
    """Base class: anything the engine refuses, with a message a person can act on."""


def display_path(path: Path | str, relative_to: Path | None = None) -> str:
    """Give a path as a person would type it: relative to `relative_to` or the cwd when inside it."""
    path = Path(path)
    base = relative_to if relative_to is not None else Path.cwd()
    try:
        return os.path.relpath(path, base) if path.is_absolute() and path.is_relative_to(base) else str(path)
    except ValueError:  # different drives on Windows
        return str(path)


def format_key_path(keys: tuple[str | int, ...]) -> str:
    """Render ('rules', 3, 'when') as rules[3].when."""
    out = ""
    for key in keys:
        if isinstance(key, int):
            out += f"[{key}]"
        else:
            out += f".{key}" if out else str(key)
    return out


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a file: where it is and what to do about it."""

    message: str
    line: int | None = None  # 1-based
    column: int | None = None  # 1-based
    keys: tuple[str | int, ...] = ()

    def format(self, file: str) -> str:
        """Give `file:line:col: key.path: message`."""
        where = file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        key_path = format_key_path(self.keys)
        return f"{where}: {key_path}: {self.message}" if key_path else f"{where}: {self.message}"


class FileError(AssessmentError):
    """A file that cannot be loaded; holds every problem found in it."""

    def __init__(
        self,
        path: Path | str,
        problems: list[Problem],
        *,
        root: Path | None = None,
        declares: tuple[str, str] | None = None,
        set_aside: Any = None,
    ) -> None:
        self.path = Path(path)
        self.problems = problems
        self.root = root
        self.declares = declares  # (kind, id) when the file got far enough to say
        self.set_aside = set_aside  # the rest of the file, to check once the library is read (partial.py)
        super().__init__(self.format())

    def format(self, relative_to: Path | None = None) -> str:
        """Give one line per problem, paths relative to `relative_to` (default: the cwd)."""
        shown = display_path(self.path, relative_to)
        return "\n".join(problem.format(shown) for problem in self.problems)

    def __str__(self) -> str:
        return self.format()


class GuaranteeFailure(FileError):
    """A rule set that loaded but does not keep a guarantee (its own or a policy's).

    It stays loaded, so counsellors can analyse and try it, but it is not served to the public;
    the problems sit at the guarantee in the rule set or policy file.
    """


class InvalidAnswers(AssessmentError):
    """Answers that do not fit the questionnaire(s); lists every problem at once."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))

    def __str__(self) -> str:
        count = len(self.problems)
        head = "1 problem with the answers" if count == 1 else f"{count} problems with the answers"
        return head + ":\n" + "\n".join(f"- {p}" for p in self.problems)


class UnknownId(AssessmentError, LookupError):
    """A questionnaire or rule set id that the library does not hold."""

    def __init__(self, kind: str, wanted: str, known: list[str]) -> None:
        self.kind = kind
        self.wanted = wanted
        self.known = known
        listed = ", ".join(sorted(known)) or "(none loaded)"
        close = difflib.get_close_matches(wanted, known, n=1, cutoff=0.6)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        super().__init__(f"no {kind} with id '{wanted}'{hint}; known: {listed}")
