"""The rule-set file: outcomes, flags, scores, rules and the decision."""

from __future__ import annotations

import datetime
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Discriminator, Field, Tag, WithJsonSchema, field_validator, model_validator
from pydantic_core import PydanticCustomError

from assessments.models.base import BandBound, Count, Id, Number, StrictModel, Text, WholeNumber, version_text
from assessments.models.conditions import Condition

NOT_ENOUGH_INFORMATION = "not-enough-information"


class Resource(StrictModel):
    """A helpline, service or page a person can turn to."""

    name: Text = Field(description="The service's name as people know it.")
    description: str | None = Field(None, description="One line on what it offers and when.")
    phone: str | None = Field(None, description="A number to call, as it is dialled in its country.")
    sms: str | None = Field(None, description="A number or short code to text.")
    url: str | None = Field(None, pattern=r"^https://", description="A web address starting https://.")
    emergency: bool = Field(
        False, description="An emergency number such as 999: shown first, under 'If you are in danger now'."
    )
    silent: str | None = Field(
        None, description="How to ask for help without speaking, where the service publishes a way (shown first)."
    )
    country: str = Field(
        pattern=r"^(any|[A-Z]{2})$", description="ISO 3166 two-letter code such as GB or US, or `any`."
    )
    last_verified: datetime.date = Field(
        description="When someone last checked it works, YYYY-MM-DD; today or earlier, never a date to come."
    )

    @field_validator("last_verified")
    @classmethod
    def _not_in_future(cls, value: datetime.date) -> datetime.date:
        if value > datetime.date.today():
            raise PydanticCustomError(
                "future_date",
                "{value} is in the future; write the day someone last checked this resource works (today or earlier)",
                {"value": value.isoformat()},
            )
        return value


class Outcome(StrictModel):
    """One answer the rule set can give."""

    id: Id
    title: Text = Field(description="Short, e.g. 'Work on yourself first'.")
    summary: Text = Field(description="A few sentences shown under the title.")
    advice: tuple[Text, ...] = Field((), description="What to do next, one item per entry.")
    resources: tuple[Resource, ...] = Field((), description="Services shown with this outcome.")
    safety: bool = Field(
        False,
        description=(
            "A safety outcome: its result shows only the reasons that led to it, its resources and"
            " advice — no scores, no weights, no reasons towards other outcomes."
        ),
    )


class Flag(StrictModel):
    """Something a rule can raise, shown beside the outcome."""

    id: Id
    title: Text = Field(description="Shown beside the outcome when a rule raises the flag.")
    description: str | None = Field(None, description="A sentence or two on what the flag means.")
    safety: bool = Field(False, description="A safety flag puts its resources before everything else.")
    resources: tuple[Resource, ...] = Field(
        (), description="Services shown whenever the flag is raised; a safety flag needs at least one."
    )
    interrupt: bool = Field(
        False,
        description=(
            "In the web journey, as soon as the answers so far make this flag certain to be raised, the"
            " next page shows the flag's resources and lets the person see the result, go on or leave."
        ),
    )

    @model_validator(mode="after")
    def _safety_has_help(self) -> Flag:
        if self.safety and not self.resources:
            raise PydanticCustomError(
                "safety_no_resources",
                "a safety flag puts help first, so it needs resources; add at least one under resources (name,"
                " country, last_verified and a phone or url), or remove safety: true",
                {"at": ("safety",)},
            )
        return self


class QuestionItem(StrictModel):
    question: str = Field(description="Question id (`questionnaire.question` in a rule set over several).")
    weight: Number = Field(1, description="Multiplies the answer's points.")
    reverse: bool = Field(
        False,
        description="Score the question upside down: an answer worth x points counts (lowest + highest) − x, where"
        " lowest and highest are the question's lowest and highest points (a number question's min and max).",
    )


class ScoreItem(StrictModel):
    score: Id = Field(description="Another named score, computed first.")
    weight: Number = Field(1, description="Multiplies the other score's value.")


def _item_tag(value: Any) -> str:
    if isinstance(value, dict):
        return "score" if "score" in value and "question" not in value else "question"
    return "question" if not isinstance(value, ScoreItem) else "score"


Item = Annotated[
    Annotated[QuestionItem, Tag("question")] | Annotated[ScoreItem, Tag("score")],
    Discriminator(_item_tag),
]
SCORE_METHODS = ("sum", "mean", "count", "max")


class Score(StrictModel):
    """A named number computed from answers or other scores; exactly one method key."""

    id: Id
    title: str | None = Field(None, description="Shown to the person (on the chart) when given.")
    description: str | None = Field(None, description="For authors: what the score measures.")
    note: str | None = Field(
        None, description="Shown to the person under the chart when this score is on it, e.g. what a low number means."
    )
    sum: tuple[Item, ...] | None = Field(None, min_length=1, description="Add up points times weights.")
    mean: tuple[Item, ...] | None = Field(
        None,
        min_length=1,
        description="Average of the answered items (weights make some count more). With no item answered the"
        " mean has no value: a comparison on it is false, and bands over it give not-enough-information.",
    )
    max: tuple[Item, ...] | None = Field(None, min_length=1, description="The largest item.")
    count: tuple[Condition, ...] | None = Field(None, min_length=1, description="How many conditions hold.")

    @model_validator(mode="after")
    def _one_method(self) -> Score:
        given = [m for m in SCORE_METHODS if getattr(self, m) is not None]
        if len(given) != 1:
            raise PydanticCustomError(
                "score_method",
                "a score needs exactly one of sum, mean, count or max (found {found})",
                {"found": ", ".join(given) or "none"},
            )
        return self

    @property
    def method(self) -> str:
        """Give 'sum', 'mean', 'count' or 'max'."""
        return next(m for m in SCORE_METHODS if getattr(self, m) is not None)


class Advice(StrictModel):
    text: Text = Field(description="The advice as the person reads it.")
    outcomes: tuple[Id, ...] | None = Field(
        None, description="Show this advice only when the final outcome is one of these."
    )


def _advice_item(value: Any) -> Any:
    return {"text": value} if isinstance(value, str) else value


class Rule(StrictModel):
    """When a condition holds: add weight, raise a flag, add advice, or force an outcome."""

    id: Id
    when: Condition = Field(description="The condition on answers and scores that makes the rule fire.")
    because: Text = Field(description="Shown to the person as a reason for the result.")
    add: dict[Id, Number] = Field(default_factory=dict, description="Weight added to each named outcome.")
    flag: Id | None = Field(None, description="A declared flag to raise.")
    advice: tuple[Annotated[Advice, BeforeValidator(_advice_item), WithJsonSchema({"x-rekindle": "advice"})], ...] = (
        Field((), description="Advice items to add; text, or {text, outcomes}.")
    )
    force: Id | None = Field(None, description="Force this outcome, whatever the decision says.")
    priority: WholeNumber = Field(0, description="Among forcing rules that fire, the highest priority wins.")

    @model_validator(mode="after")
    def _has_effect(self) -> Rule:
        if not (self.add or self.flag or self.advice or self.force):
            raise PydanticCustomError("no_effect", "this rule does nothing; give it add, flag, advice or force", {})
        return self


class Band(StrictModel):
    """A range of a score and its outcome; min and max are both included."""

    outcome: Id
    min: BandBound = Field(description="Lowest score in the band (included).")
    max: BandBound | None = Field(None, description="Highest score in the band (included).")
    below: BandBound | None = Field(None, description="Instead of max: the band stops just below this value.")

    @model_validator(mode="after")
    def _one_top(self) -> Band:
        if (self.max is None) == (self.below is None):
            raise PydanticCustomError("band_top", "a band needs exactly one of max (included) or below", {})
        top = self.max if self.max is not None else self.below
        assert top is not None
        if top < self.min or (self.below is not None and self.below == self.min):
            raise PydanticCustomError("band_order", "the band's top is below its min; swap them", {})
        return self

    def holds(self, value: float) -> bool:
        """Give whether the value falls in this band."""
        if value < self.min:
            return False
        return value <= self.max if self.max is not None else value < self.below  # type: ignore[operator]


class BandVariant(StrictModel):
    when: Condition = Field(
        description="Use these bands instead when this condition holds. A comparison on an unanswered question is"
        " false, so the main bands are used then; to treat unanswered otherwise, put a variant whose condition is"
        " `QUESTION: {answered: false}` first."
    )
    bands: tuple[Band, ...] = Field(min_length=1)


class BandsDecision(StrictModel):
    """Pick the outcome whose band holds the score."""

    method: Literal["bands"]
    score: Id
    bands: tuple[Band, ...] = Field(min_length=1)
    variants: tuple[BandVariant, ...] = Field(
        (), description="Other cut-offs for some answers; the first whose condition holds is used."
    )


class HighestDecision(StrictModel):
    """Pick the outcome with the most weight from the rules that fired."""

    method: Literal["highest"]
    ties: tuple[Id, ...] | Literal["not-enough-information"] = Field(
        description="Order of preference among tied outcomes (list them all), or not-enough-information."
    )
    if_no_weight: Id = Field(NOT_ENOUGH_INFORMATION, description="Outcome when no rule added weight to any outcome.")


Decision = Annotated[BandsDecision | HighestDecision, Field(discriminator="method")]


class MissingPolicy(StrictModel):
    treat_as: Literal["skip", "zero"] = Field(
        "skip", description="skip: leave unanswered items out of scores; zero: count them as 0 points."
    )
    max_missing: Count | None = Field(
        None, description="With more unanswered questions than this, the outcome is not-enough-information."
    )


class Then(StrictModel):
    """What must hold of the result whenever a guarantee's condition holds (every key given)."""

    outcome: Id | None = Field(None, description="The outcome is this one.")
    one_of: tuple[Id, ...] | None = Field(None, min_length=1, description="The outcome is one of these.")
    never: tuple[Id, ...] | None = Field(None, min_length=1, description="The outcome is none of these.")
    flags: tuple[Id, ...] = Field((), description="Each of these flags is raised.")
    advice: tuple[Text, ...] = Field((), description="Each of these advice texts is shown, word for word.")
    resources: tuple[Text, ...] = Field((), description="Each of these services (by name) is shown.")

    @model_validator(mode="after")
    def _says_something(self) -> Then:
        if not (self.outcome or self.one_of or self.never or self.flags or self.advice or self.resources):
            raise PydanticCustomError(
                "then_empty", "say what must hold: outcome, one_of, never, flags, advice or resources", {}
            )
        return self

    def keys(self) -> list[str]:
        """Give the keys given, in the order they are checked."""
        return [k for k in ("outcome", "one_of", "never", "flags", "advice", "resources") if getattr(self, k)]


class Guarantee(StrictModel):
    """A promise about every answer set: whenever `when` holds, `then` holds of the result.

    `rekindle analyze` proves it over every answer combination, or gives a counterexample.
    """

    id: Id
    says: Text = Field(description="The promise in a sentence for people, e.g. 'Danger always means safety first.'")
    when: Condition = Field(description="The answers it speaks about; may use tag quantifiers (tagged: ...).")
    then: Then = Field(description="What must then hold of the result.")


class RuleSet(StrictModel):
    """A rule-set file (`kind: ruleset`)."""

    kind: Literal["ruleset"]
    id: Id
    version: Annotated[str, BeforeValidator(version_text)] = Field(
        description='Text such as "1.2"; stored with every result, so raise it when the scoring changes.'
    )
    title: Text = Field(description="Shown to counsellors and at the top of the result.")
    author: Text = Field(description="Who wrote it and answers for it.")
    description: str | None = Field(None, description="What the rule set is for, and for whom.")
    questionnaires: tuple[Id, ...] = Field(min_length=1, description="The questionnaire ids it scores.")
    outcomes: tuple[Outcome, ...] = Field(min_length=1, description="Every answer the rule set can give.")
    flags: tuple[Flag, ...] = Field((), description="Flags its rules may raise.")
    scores: tuple[Score, ...] = Field((), description="Named scores, each computed once per answer set.")
    rules: tuple[Rule, ...] = Field((), description="Rules, checked in order; every rule whose condition holds fires.")
    decision: Decision = Field(description="How the outcome is chosen: method bands or method highest.")
    missing: MissingPolicy = Field(
        default_factory=MissingPolicy, description="What unanswered questions count as (default: skip them)."
    )
    guarantees: tuple[Guarantee, ...] = Field(
        (), description="Promises this rule set keeps for every answer set, proven by rekindle analyze."
    )

    def outcome(self, outcome_id: str) -> Outcome:
        """Give the outcome with this id, the built-in not-enough-information included."""
        for outcome in self.outcomes:
            if outcome.id == outcome_id:
                return outcome
        if outcome_id == NOT_ENOUGH_INFORMATION:
            return BUILT_IN_NOT_ENOUGH
        raise KeyError(outcome_id)

    def outcome_ids(self) -> list[str]:
        """Give every outcome id, the built-in not-enough-information last unless overridden."""
        ids = [o.id for o in self.outcomes]
        return ids if NOT_ENOUGH_INFORMATION in ids else [*ids, NOT_ENOUGH_INFORMATION]


BUILT_IN_NOT_ENOUGH = Outcome(
    id=NOT_ENOUGH_INFORMATION,
    title="Not enough information yet",
    summary=(
        "Too many questions were left unanswered to give a fair answer. You can go back and"
        " answer more of them, or talk it through with someone you trust."
    ),
)
