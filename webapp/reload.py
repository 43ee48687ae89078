"""Live reload for authors who work in files: with REKINDLE_RELOAD (on by default in debug mode),
every request first checks whether a library file was added or changed, and if so imports the
files again (webapp/published.py): a file that may be published is published, and every app
instance serves it within a second or two; a file with a mistake becomes a draft, with its
errors in the workspace, while the last good version stays in service.

Removing a file does not retire its document (a second instance may simply not have the
folder): retire it in the workspace.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from webapp.published import import_files, library_files, refresh
from webapp.state import AppState, state

Fingerprint = tuple[tuple[str, int, int], ...]


def fingerprint(dirs: list[Path]) -> Fingerprint:
    """Give (path, modification time, size) for every library file: cheap to compare per request."""
    found = []
    for path, _ in library_files(dirs):
        try:
            info = path.stat()
        except OSError:
            continue  # removed between listing and stat
        found.append((str(path), info.st_mtime_ns, info.st_size))
    return tuple(found)


def reload_if_changed(current: AppState) -> bool:
    """Import the library files again if they changed; give whether they had."""
    now = fingerprint(current.library_dirs)
    if now == current.fingerprint:
        return False
    current.fingerprint = now
    current.imports = import_files(
        current.documents, library_files(current.library_dirs), actor="live reload", publish=True
    )
    refresh(current, current.documents, interval=0, force=True)
    return True


def init_app(app: Flask) -> None:
    """Check for changed files before each request when REKINDLE_RELOAD (default: debug mode) is on."""
    setting = app.config.get("REKINDLE_RELOAD")
    if not (app.debug if setting is None else setting):
        return
    current: AppState = app.extensions["rekindle"]
    current.fingerprint = fingerprint(current.library_dirs)

    @app.before_request
    def _reload() -> None:
        reload_if_changed(state())
