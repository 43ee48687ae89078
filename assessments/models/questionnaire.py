"""The questionnaire file: sections of questions of six kinds."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, WithJsonSchema, model_validator
from pydantic_core import PydanticCustomError

from assessments.models.base import Id, Number, OptionValue, StrictModel, Text, WholeNumber, suggest, version_text
from assessments.models.conditions import Compare, Condition, parse_answer_test


class Option(StrictModel):
    """One answer a person can choose."""

    value: OptionValue = Field(description="Stable value kept in answers and used in conditions.")
    label: Text = Field(description="What the person reads.")
    points: Number | None = Field(None, description="Points this answer adds to a score.")
    exclusive: bool = Field(
        False, description="Multiple choice only: this option cannot be combined with others (e.g. 'none of these')."
    )


OptionList = Annotated[tuple[Option, ...], Field(min_length=2)]
# In the file, `options` may also name a list under option_lists; the questionnaire replaces the
# name with the list before validation, so only the list form is validated here.
Options = Annotated[OptionList, WithJsonSchema({"x-rekindle": "options"})]  # see assessments.schema


class TagDeclaration(StrictModel):
    """A tag that questions may carry, declared once (here or in a policy file)."""

    id: Id
    description: Text = Field(description="What a question with this tag asks about, for authors.")


def _tag_use(value: Any) -> Any:
    return {"tag": value} if isinstance(value, str) else value


class TagUse(StrictModel):
    """A tag on a question, and which answers count for it (`tagged: {tag: T, is: yes}`)."""

    tag: Id = Field(description="A tag declared in this questionnaire's tags or in a policy file.")
    when: Annotated[
        Compare | None, BeforeValidator(parse_answer_test), WithJsonSchema({"x-rekindle": "answer-test"})
    ] = Field(
        None,
        description=(
            "Which answers count, as one comparison on this question, e.g. {in: [often, always]};"
            " may be left out only on a yes/no question, where yes counts."
        ),
    )


class _Question(StrictModel):
    id: Id = Field(description="Unique within the questionnaire; answers are keyed by it.")
    text: Text = Field(description="The question as the person reads it.")
    help: str | None = Field(None, description="A line of help shown under the question.")
    required: bool = Field(True, description="Whether the web form insists on an answer.")
    show_when: Condition | None = Field(
        None, description="Ask this question only when this condition on earlier answers holds."
    )
    tags: tuple[Annotated[TagUse, BeforeValidator(_tag_use), WithJsonSchema({"x-rekindle": "tag-use"})], ...] = Field(
        (),
        description=(
            "Tags such as danger or their-choice, which guarantees and policies speak about; a tag id"
            " (yes counts, on a yes/no question) or {tag, when}."
        ),
    )


class SingleChoice(_Question):
    """Pick one option."""

    kind: Literal["single-choice"]
    options: Options = Field(description="The options, or the name of a list under option_lists.")


class MultipleChoice(_Question):
    """Pick any number of options; an exclusive option stands alone."""

    kind: Literal["multiple-choice"]
    options: Options = Field(description="The options, or the name of a list under option_lists.")


class Scale(_Question):
    """Pick one labelled point on an ordered scale; every option has points."""

    kind: Literal["scale"]
    options: Options = Field(description="The points of the scale in order, each with points, or an option_lists name.")


class YesNoPoints(StrictModel):
    yes: Number = Field(1, description="Points for 'yes'.")
    no: Number = Field(0, description="Points for 'no'.")


class YesNo(_Question):
    """Answer yes or no (stored as the text `yes` or `no`)."""

    kind: Literal["yes-no"]
    points: YesNoPoints = Field(default_factory=YesNoPoints, description="Points for each answer.")


class NumberQuestion(_Question):
    """Enter a number within bounds."""

    kind: Literal["number"]
    min: Number = Field(description="Smallest accepted answer.")
    max: Number = Field(description="Largest accepted answer.")
    unit: str | None = Field(None, description="Shown after the box, e.g. 'weeks'.")
    integer: bool = Field(True, description="Whether only whole numbers are accepted.")

    @model_validator(mode="after")
    def _bounds_in_order(self) -> NumberQuestion:
        if self.min > self.max:
            raise PydanticCustomError(
                "bounds", "min {min} is greater than max {max}; swap them", {"min": self.min, "max": self.max}
            )
        return self


class ShortText(_Question):
    """A few words in the person's own hand; never scored."""

    kind: Literal["text"]
    max_length: WholeNumber = Field(500, ge=1, le=2000, description="Longest accepted answer, in characters.")


Question = Annotated[
    SingleChoice | MultipleChoice | Scale | YesNo | NumberQuestion | ShortText,
    Field(discriminator="kind"),
]
QUESTION_KINDS = ("single-choice", "multiple-choice", "scale", "yes-no", "number", "text")


def _check_kind(value: Any) -> Any:
    if isinstance(value, dict) and "kind" in value and value["kind"] not in QUESTION_KINDS:
        kind = str(value["kind"])
        raise PydanticCustomError(
            "unknown_kind",
            "unknown question kind '{kind}'{hint}; expected one of: {kinds}",
            {"kind": kind, "hint": suggest(kind, QUESTION_KINDS), "kinds": ", ".join(QUESTION_KINDS), "at": ("kind",)},
        )
    return value


class Section(StrictModel):
    """One page of questions."""

    id: Id
    title: Text = Field(description="The page heading.")
    intro: str | None = Field(None, description="A short paragraph shown above the questions.")
    questions: tuple[Annotated[Question, BeforeValidator(_check_kind)], ...] = Field(min_length=1)


class Questionnaire(StrictModel):
    """A questionnaire file (`kind: questionnaire`)."""

    kind: Literal["questionnaire"]
    id: Id
    version: Annotated[str, BeforeValidator(version_text)] = Field(description='Text such as "1.0".')
    title: Text = Field(description="Shown on the home page and at the top of every page.")
    summary: Text = Field(description="One or two sentences shown on the home page.")
    minutes: WholeNumber = Field(ge=1, le=120, description="About how many minutes it takes.")
    default_ruleset: Id = Field(description="The rule set the public pages use to score it.")
    tags: tuple[TagDeclaration, ...] = Field(
        (), description="Tags its questions may carry, beyond those a policy file declares."
    )
    option_lists: dict[Id, OptionList] = Field(
        default_factory=dict, description="Reusable option lists, named here and used by name in questions."
    )
    sections: tuple[Section, ...] = Field(min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _use_option_lists(cls, data: Any) -> Any:
        """Replace `options: NAME` with the named list so every question holds its own options."""
        if not isinstance(data, dict) or not isinstance(data.get("sections"), list):
            return data
        lists = data.get("option_lists") or {}
        lists = lists if isinstance(lists, dict) else {}
        sections = []
        for s_index, section in enumerate(data["sections"]):
            if isinstance(section, dict) and isinstance(section.get("questions"), list):
                questions = []
                for q_index, question in enumerate(section["questions"]):
                    if isinstance(question, dict) and isinstance(question.get("options"), str):
                        name = question["options"]
                        if name not in lists:
                            raise PydanticCustomError(
                                "unknown_list",
                                "no option list named '{name}'{hint}; define it under option_lists or write"
                                " the options here",
                                {
                                    "name": name,
                                    "hint": suggest(name, list(lists)),
                                    "at": ("sections", s_index, "questions", q_index, "options"),
                                },
                            )
                        question = {**question, "options": lists[name]}
                    questions.append(question)
                section = {**section, "questions": questions}
            sections.append(section)
        return {**data, "sections": sections}

    def questions(self) -> list[Question]:
        """Give every question in order."""
        return [q for section in self.sections for q in section.questions]

    def question(self, question_id: str) -> Question | None:
        """Give the question with this id, or None."""
        for q in self.questions():
            if q.id == question_id:
                return q
        return None
