"""WTForms classes built from the questionnaire models, once per questionnaire content and page.

WTForms validates and Flask-WTF adds CSRF; the HTML is rendered by our own Jinja macros from
the fields' data (faster than WTForms' widgets, and it lets us follow the GOV.UK patterns for
fieldsets, hints and error summaries). Field names are `q_` plus the question id with hyphens
as underscores, so a question id can never clash with a Form attribute such as `data`.
"""

from __future__ import annotations

import math
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    Field,
    FloatField,
    RadioField,
    SelectChoice,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from assessments.models import MultipleChoice, NumberQuestion, Question, ShortText
from assessments.options import choice_options
from webapp.flows import Page


def field_name(question_id: str) -> str:
    """Give the form field name for a question id."""
    return "q_" + question_id.replace("-", "_")


class _ExclusiveAlone:
    """Refuse an exclusive option ("none of these") chosen together with others."""

    def __init__(self, exclusive: frozenset[str], label: str) -> None:
        self.exclusive = exclusive
        self.message = f"Select '{label}' on its own, or choose other options without it"

    def __call__(self, form: Any, field: Field) -> None:
        chosen = set(field.data or ())
        if len(chosen) > 1 and chosen & self.exclusive:
            raise ValidationError(self.message)


class _NumberField(FloatField):
    """A number box whose parse errors use the question's own message; refuses NaN and infinity."""

    def __init__(
        self,
        label: str | None = None,
        validators: list[Any] | None = None,
        *,
        whole: bool = True,
        message: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(label, validators, **kwargs)
        self.whole = whole
        self.message = message

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist or valuelist[0] in ("", None):
            return
        text = str(valuelist[0]).strip()
        try:
            number = float(text)
        except ValueError:
            self.data = None
            raise ValueError(self.message) from None
        if not math.isfinite(number) or (self.whole and not number.is_integer()):
            self.data = None
            raise ValueError(self.message)
        self.data = int(number) if self.whole else number


def question_field(question: Question, *, required: bool | None = None) -> Field:
    """Give the WTForms field for a question (required as the question says unless given)."""
    required = question.required if required is None else required
    if isinstance(question, NumberQuestion):
        low, high = question.min, question.max
        unit = f" {question.unit}" if question.unit else ""
        bounds = f"between {low:g} and {high:g}{unit}"
        message = f"Enter a {'whole ' if question.integer else ''}number {bounds}"
        return _NumberField(
            question.text,
            [InputRequired(message) if required else Optional(), NumberRange(low, high, message)],
            whole=question.integer,
            message=message,
        )
    if isinstance(question, ShortText):
        cls_text = TextAreaField if question.max_length > 120 else StringField
        return cls_text(
            question.text,
            validators=[
                InputRequired("Enter an answer") if required else Optional(),
                Length(max=question.max_length, message=f"Keep this under {question.max_length} characters"),
            ],
        )
    options = choice_options(question)
    choices = [SelectChoice(o.value, o.label) for o in options]
    if isinstance(question, MultipleChoice):
        exclusive = frozenset(o.value for o in options if o.exclusive)
        validators: list[Any] = [InputRequired("Select at least one option") if required else Optional()]
        if exclusive:
            label = next(o.label for o in options if o.exclusive)
            validators.append(_ExclusiveAlone(exclusive, label))
        return SelectMultipleField(question.text, choices=choices, validators=validators)
    return RadioField(
        question.text,
        choices=choices,
        validators=[InputRequired("Select an answer") if required else Optional()],
        validate_choice=True,
    )


def form_class(page: Page, cache: dict[tuple[str, int, int], type[FlaskForm]], content_hash: str) -> type[FlaskForm]:
    """Give the form class for a page, built once per questionnaire content hash and page."""
    key = (content_hash, page.section_index, page.part)
    found = cache.get(key)
    if found is None:
        attributes = {field_name(q.id): question_field(q) for q in page.questions}
        found = type(f"PageForm_{page.questionnaire.id}_{page.section_index}_{page.part}", (FlaskForm,), attributes)
        cache[key] = found
    return found


def to_answer(question: Question, data: Any) -> Any:
    """Give the answer value (as the engine expects it) for a field's cleaned data, or None."""
    if data is None or data == "" or data == []:
        return None
    if isinstance(question, NumberQuestion):
        return int(data) if question.integer else float(data)
    if isinstance(question, MultipleChoice):
        return list(data)
    return data


def to_form_data(question: Question, answer: Any) -> Any:
    """Give a field's data for a stored answer, so a page shows what was chosen before."""
    if answer is None:
        return None
    if isinstance(question, MultipleChoice):
        return list(answer)
    return answer
