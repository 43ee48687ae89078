"""Rekindle's assessment engine: YAML questionnaires and rule sets, scored with explanations.

The engine is a pure function of (questionnaires, rule set, answers) -> Result. It imports
no web, template or PDF library.
"""

from assessments.engine import Scorer, explain, score
from assessments.errors import AssessmentError, FileError, InvalidAnswers, Problem, UnknownId
from assessments.library import Library, build_library, load_library
from assessments.loading import load_source, read_source
from assessments.models import Questionnaire, RuleSet, ScenarioFile
from assessments.result import Explanation, FiredRule, Result, RuleTrace

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
