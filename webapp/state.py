"""What the app holds between requests: the library, the public flows, storage and caches."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import current_app

from assessments import Library, Scorer
from webapp.accounts import Accounts
from webapp.flows import Flow
from webapp.storage import Store
from webapp.throttle import PasswordChecks, Throttle


@dataclass
class AppState:
    library: Library
    flows: dict[str, Flow]
    store: Store
    accounts: Accounts
    throttle: Throttle
    password_checks: PasswordChecks
    library_dirs: list[Path]
    public: dict[str, str] = field(default_factory=dict)  # questionnaire -> rule set, from settings
    combined: list[str] | None = None
    form_classes: dict[tuple[str, int, int], Any] = field(default_factory=dict)
    stored_scorers: dict[str, Scorer] = field(default_factory=dict)
    analyses: dict[str, Any] = field(default_factory=dict)  # rule-set content key -> Analysis
    partials: dict[str, Any] = field(default_factory=dict)  # rule-set content key -> PartialAnswers
    fingerprint: tuple[Any, ...] = ()  # library files as last loaded (live reload)
    kept: list[tuple[str, str]] = field(default_factory=list)  # broken files served at their last good version


def state() -> AppState:
    """Give the current app's state."""
    found: AppState = current_app.extensions["rekindle"]
    return found
