"""What a question offers: its answer values and the points each is worth."""

from __future__ import annotations

from assessments.models.questionnaire import (
    MultipleChoice,
    NumberQuestion,
    Option,
    Question,
    Scale,
    SingleChoice,
    YesNo,
)

Number = int | float


def choice_options(question: Question) -> tuple[Option, ...]:
    """Give a choice question's options (yes/no as two options); () for number and text."""
    if isinstance(question, YesNo):
        return (
            Option(value="yes", label="Yes", points=question.points.yes),
            Option(value="no", label="No", points=question.points.no),
        )
    if isinstance(question, (SingleChoice, MultipleChoice, Scale)):
        return question.options
    return ()


def option_values(question: Question) -> tuple[str, ...]:
    """Give the values a choice question accepts, in order; () for number and text."""
    return tuple(option.value for option in choice_options(question))


def points_table(question: Question) -> dict[str, Number] | None:
    """Give value -> points for a choice question, or None when an option has no points."""
    options = choice_options(question)
    if not options or any(option.points is None for option in options):
        return None
    return {option.value: option.points for option in options if option.points is not None}


def scored_points(question: Question, reverse: bool = False) -> dict[str, Number]:
    """Give value -> points for a fully pointed choice question, upside down when reversed.

    Reversing maps the lowest points to the highest and back, so the range stays the same.
    """
    table = dict(points_table(question) or {})
    if reverse and table:
        low, high = min(table.values()), max(table.values())
        table = {value: low + high - points for value, points in table.items()}
    return table


def label_for(question: Question, value: object) -> str:
    """Give the label a person saw for an answer value (the value itself for numbers and text)."""
    if isinstance(value, (list, tuple)):
        return ", ".join(label_for(question, v) for v in value)
    for option in choice_options(question):
        if option.value == value:
            return option.label
    if isinstance(question, NumberQuestion) and question.unit and value is not None:
        return f"{value} {question.unit}"
    return "" if value is None else str(value)
