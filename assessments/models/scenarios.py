"""The scenario file: named answer sets with the result a rule set must give."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from assessments.models.base import Id, Number, StrictModel, Text


class Expectation(StrictModel):
    outcome: Id = Field(description="The outcome id the rule set must give.")
    flags: tuple[Id, ...] | None = Field(None, description="Exactly these flags are raised (when given).")
    fired: tuple[Id, ...] = Field((), description="Rules that must fire.")
    not_fired: tuple[Id, ...] = Field((), description="Rules that must not fire.")
    scores: dict[Id, Number] = Field(
        default_factory=dict,
        description="Scores and their expected values. A fractional score matches when it agrees to the 6"
        " significant digits `rekindle score` prints: 20/7 matches 2.85714.",
    )


class Case(StrictModel):
    name: Text = Field(description="What the case checks, e.g. 'lowest band edge'.")
    answers: dict[Id, dict[Id, Any]] = Field(description="{questionnaire: {question: answer}}")
    expect: Expectation = Field(description="What the rule set must give for these answers.")


class ScenarioFile(StrictModel):
    """A scenario file (`kind: scenarios`)."""

    kind: Literal["scenarios"]
    ruleset: Id
    cases: tuple[Case, ...] = Field(min_length=1)
