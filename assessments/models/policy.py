"""The policy file: tags declared for a whole library, and guarantees every rule set must keep.

A policy guarantee speaks about tags, never about a questionnaire's own question names, so it
can apply to rule sets nobody has written yet: it applies to every rule set whose questionnaires
ask a question carrying one of its tags.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BeforeValidator, Field

from assessments.models.base import Id, StrictModel, Text, version_text
from assessments.models.questionnaire import TagDeclaration
from assessments.models.ruleset import Guarantee


class PolicyGuarantee(Guarantee):
    """A guarantee for every rule set that asks questions with its tags."""

    applies_to: tuple[Id, ...] | None = Field(
        None,
        min_length=1,
        description="The tags that make it apply; default: the tags its condition asks for (not those under a `not`).",
    )


class Policy(StrictModel):
    """A policy file (`kind: policy`)."""

    kind: Literal["policy"]
    id: Id
    version: Annotated[str, BeforeValidator(version_text)] = Field(description='Text such as "1.0".')
    title: Text = Field(description="What the policy is, e.g. 'Safety comes first'.")
    description: str | None = Field(None, description="Why the policy exists, for authors.")
    tags: tuple[TagDeclaration, ...] = Field((), description="Tags any questionnaire in the library may use.")
    guarantees: tuple[PolicyGuarantee, ...] = Field(
        (), description="Guarantees every rule set asking questions with their tags must keep."
    )
