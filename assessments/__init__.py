"""Rekindle's assessment engine: YAML questionnaires and rule sets, scored with explanations.

The engine is a pure function of (questionnaires, rule set, answers) -> Result. It imports
no web, template or PDF library.

`import assessments` does no work: each name below is imported from its module the first
time it is used (PEP 562), so a command that needs only part of the engine — or none of it,
like `rekindle --help` — does not pay for building every model.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assessments.engine import Scorer, explain, score
    from assessments.errors import AssessmentError, FileError, InvalidAnswers, Problem, UnknownId
    from assessments.library import Library, build_library, load_library
    from assessments.loading import load_source, read_source
    from assessments.models import Questionnaire, RuleSet, ScenarioFile
    from assessments.result import Explanation, FiredRule, Result, RuleTrace

_WHERE = {
    "Scorer": "assessments.engine",
    "explain": "assessments.engine",
    "score": "assessments.engine",
    "AssessmentError": "assessments.errors",
    "FileError": "assessments.errors",
    "InvalidAnswers": "assessments.errors",
    "Problem": "assessments.errors",
    "UnknownId": "assessments.errors",
    "Library": "assessments.library",
    "build_library": "assessments.library",
    "load_library": "assessments.library",
    "load_source": "assessments.loading",
    "read_source": "assessments.loading",
    "Questionnaire": "assessments.models",
    "RuleSet": "assessments.models",
    "ScenarioFile": "assessments.models",
    "Explanation": "assessments.result",
    "FiredRule": "assessments.result",
    "Result": "assessments.result",
    "RuleTrace": "assessments.result",
}

__all__ = [
    "AssessmentError",
    "Explanation",
    "FileError",
    "FiredRule",
    "InvalidAnswers",
    "Library",
    "Problem",
    "Questionnaire",
    "Result",
    "RuleSet",
    "RuleTrace",
    "ScenarioFile",
    "Scorer",
    "UnknownId",
    "build_library",
    "explain",
    "load_library",
    "load_source",
    "read_source",
    "score",
]


def __getattr__(name: str) -> Any:
    """Give one of the engine's public names, importing its module on first use."""
    if name not in _WHERE:
        raise AttributeError(f"module 'assessments' has no attribute {name!r}")
    value = getattr(importlib.import_module(_WHERE[name]), name)
    globals()[name] = value  # the next lookup finds it directly
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_WHERE])
