"""What the app holds between requests: the library, the public flows, storage and caches."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import current_app

from assessments import Library, Scorer
from webapp.accounts import Accounts
from webapp.documents import Documents
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
    documents: Documents
    public: dict[str, str] = field(default_factory=dict)  # questionnaire -> rule set, from settings
    combined: list[str] | None = None
    form_classes: dict[tuple[str, int, int], Any] = field(default_factory=dict)
    stored_scorers: dict[str, Scorer] = field(default_factory=dict)
    analyses: dict[str, Any] = field(default_factory=dict)  # rule-set content key -> Analysis
    partials: dict[str, Any] = field(default_factory=dict)  # rule-set content key -> PartialAnswers
    fingerprint: tuple[Any, ...] = ()  # library files as last imported (live reload)
    generation: int = -1  # the library generation being served (webapp/published.py)
    checked_at: float = -1e9  # when this process last asked the database for the generation
    imports: Any = None  # what the last import of files did (webapp.published.Imported)
    drafts: dict[Any, Any] = field(default_factory=dict)  # checked drafts, by generation and contents


def state() -> AppState:
    """Give the current app's state."""
    found: AppState = current_app.extensions["rekindle"]
    return found
