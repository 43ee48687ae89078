"""Live reload for authors: with REKINDLE_RELOAD (on by default in debug mode), every request
first checks whether a library file was added, changed or removed, and if so loads the library
again and rebuilds the public flows.

Forms and compiled rules are cached by content hash, not version, so an edit without a version
bump is seen. A file that breaks keeps its last good version in service, and the rule-set page
shows its errors; a file that is removed is gone.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from assessments import Library, load_library
from assessments.library import bundled_dirs, yaml_files
from webapp.flows import build_flows
from webapp.state import AppState, state

Fingerprint = tuple[tuple[str, int, int], ...]


def fingerprint(dirs: list[Path]) -> Fingerprint:
    """Give (path, modification time, size) for every library file: cheap to compare per request."""
    found = []
    for folder in [*bundled_dirs(), *dirs]:
        if not folder.is_dir():
            continue
        for path in yaml_files(folder):
            try:
                info = path.stat()
            except OSError:
                continue  # removed between listing and stat
            found.append((str(path), info.st_mtime_ns, info.st_size))
    return tuple(found)


def keep_last_good(new: Library, old: Library) -> list[tuple[str, str]]:
    """Put back into `new` the last good version of every questionnaire or rule set whose file broke.

    Gives the (kind, id) pairs so kept. A broken file is matched to what it held by its path
    (a file too broken to parse declares no id) or by the id it declares.
    """
    broken_paths = {str(error.path) for error in new.errors}
    declared = {error.declares for error in new.errors if error.declares}
    kept: list[tuple[str, str]] = []
    for (kind, item_id), source in old.sources.items():
        if (kind, item_id) in new.sources:
            continue
        if str(source.path) not in broken_paths and (kind, item_id) not in declared:
            continue  # the file was removed (or renamed): do not bring it back
        target = new.questionnaires if kind == "questionnaire" else new.rulesets
        model = (old.questionnaires if kind == "questionnaire" else old.rulesets).get(item_id)
        if model is None:
            continue
        target[item_id] = model  # type: ignore[assignment]
        new.sources[(kind, item_id)] = source
        kept.append((kind, item_id))
    # a kept rule set's questionnaires must be served too (they may be kept themselves)
    for kind, item_id in list(kept):
        if kind == "ruleset" and any(q not in new.questionnaires for q in new.rulesets[item_id].questionnaires):
            del new.rulesets[item_id]
            del new.sources[(kind, item_id)]
            kept.remove((kind, item_id))
    return kept


def reload_if_changed(current: AppState) -> bool:
    """Load the library again if its files changed; give whether it did."""
    now = fingerprint(current.library_dirs)
    if now == current.fingerprint:
        return False
    library = load_library(current.library_dirs)
    current.kept = keep_last_good(library, current.library)
    current.library = library
    current.flows = build_flows(library, current.public, current.combined)
    current.fingerprint = now
    current.analyses.clear()
    current.partials.clear()
    current.form_classes.clear()  # keyed by content hash; the old ones can never be asked for again
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
