"""Two files with one id, settled by one rule wherever files are read: the library folders the
commands load (assessments.library) and those the web app imports (webapp.published).

Never by which name sorts first: a file named on the command line (with `replace`) stands in for
the library's, and the run says so; a bundled file is never replaced by a library folder's;
otherwise none of them is used, and each one's error names the others.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

File = TypeVar("File")


@dataclass(frozen=True)
class Settled(Generic[File]):
    """Which of the files that claim one id keeps it, and which are refused."""

    kept: File | None
    stood_in_for: list[File]  # files the kept one stands in for (it was named on the command line)
    refused: list[tuple[File, list[File]]]  # each refused file, with the files it clashes with
    by_bundled: bool  # refused because a bundled file keeps the id


def settle(
    files: Sequence[File], *, bundled: Callable[[File], bool], named: Callable[[File], bool] = lambda _: False
) -> Settled[File]:
    """Give which of the files that claim one id keeps it (None: none does), and those refused."""
    if len(files) == 1:
        return Settled(files[0], [], [], by_bundled=False)
    chosen = [file for file in files if named(file)]
    if len(chosen) == 1:
        return Settled(chosen[0], [file for file in files if file is not chosen[0]], [], by_bundled=False)
    shipped = [file for file in files if bundled(file)]
    if len(shipped) == 1 and not chosen:
        refused = [(file, [shipped[0]]) for file in files if file is not shipped[0]]
        return Settled(shipped[0], [], refused, by_bundled=True)
    refused = [(file, [other for other in files if other is not file]) for file in files]
    return Settled(None, [], refused, by_bundled=False)


def duplicate_message(kind: str, item_id: str, others: str, *, by_bundled: bool) -> str:
    """Give the error for a refused file (`others`: the files it clashes with, each with its id's line)."""
    if by_bundled:
        return (
            f"{kind} id '{item_id}' is already used by the bundled file {others}, which a library folder cannot"
            " replace; give this one another id (to check an edited copy, name it on the command line:"
            " rekindle validate FILE)"
        )
    return f"{kind} id '{item_id}' is also used by {others}; neither is loaded until one of them gets another id"
