"""Pydantic models of the three kinds of file."""

from assessments.models.conditions import All, AnyOf, Compare, Condition, ConditionNode, Not
from assessments.models.questionnaire import (
    MultipleChoice,
    NumberQuestion,
    Option,
    Question,
    Questionnaire,
    Scale,
    Section,
    ShortText,
    SingleChoice,
    YesNo,
)
from assessments.models.ruleset import (
    NOT_ENOUGH_INFORMATION,
    Band,
    BandsDecision,
    Flag,
    HighestDecision,
    Outcome,
    Resource,
    Rule,
    RuleSet,
    Score,
)
from assessments.models.scenarios import Case, ScenarioFile

__all__ = [
    "NOT_ENOUGH_INFORMATION",
    "All",
    "AnyOf",
    "Band",
    "BandsDecision",
    "Case",
    "Compare",
    "Condition",
    "ConditionNode",
    "Flag",
    "HighestDecision",
    "MultipleChoice",
    "Not",
    "NumberQuestion",
    "Option",
    "Outcome",
    "Question",
    "Questionnaire",
    "Resource",
    "Rule",
    "RuleSet",
    "Scale",
    "ScenarioFile",
    "Score",
    "Section",
    "ShortText",
    "SingleChoice",
    "YesNo",
]
