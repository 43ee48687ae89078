"""Generate valid answer sets for any rule set's questionnaires, reproducibly from a seed."""

from __future__ import annotations

import random
from typing import Any

from assessments.answers import answer_reader
from assessments.models.questionnaire import MultipleChoice, NumberQuestion, Question, Questionnaire, ShortText, YesNo
from assessments.options import choice_options


def random_value(question: Question, rng: random.Random) -> Any:
    """Give one valid answer to a question."""
    if isinstance(question, NumberQuestion):
        if question.integer:
            # most people answer small numbers; keep the range realistic but reach the bounds
            high = int(min(question.max, question.min + 30)) if rng.random() < 0.9 else int(question.max)
            return rng.randint(int(question.min), high)
        return round(rng.uniform(question.min, question.max), 2)
    if isinstance(question, YesNo):
        return "yes" if rng.random() < 0.05 else "no"  # most people answer no to most screening items
    if isinstance(question, ShortText):
        return rng.choice(["", "a note", "thinking about it"])
    options = choice_options(question)
    if isinstance(question, MultipleChoice):
        free = [o.value for o in options if not o.exclusive]
        alone = [o.value for o in options if o.exclusive]
        if alone and rng.random() < 0.7:
            return [rng.choice(alone)]
        return rng.sample(free, rng.randint(1, len(free)))
    return rng.choice(options).value


def random_answers(
    questionnaires: list[Questionnaire], rng: random.Random, *, skip: float = 0.03
) -> dict[str, dict[str, Any]]:
    """Give a valid answer set: each shown question answered (or skipped with probability `skip`)."""
    answers: dict[str, dict[str, Any]] = {}
    for questionnaire in questionnaires:
        reader = answer_reader(questionnaire)
        given: dict[str, Any] = {}
        seen = {questionnaire.id: given}
        for slot, question in zip(reader.slots, questionnaire.questions(), strict=False):
            if slot.show_when is not None and not slot.show_when(seen):
                continue
            if rng.random() < skip:
                continue
            value = random_value(question, rng)
            if value == "" or value == []:
                continue
            given[question.id] = value
        answers[questionnaire.id] = given
    return answers
