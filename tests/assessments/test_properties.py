"""Properties that hold for every valid answer set of every bundled and fixture rule set."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessments import InvalidAnswers, Scorer, load_library
from assessments.answers import answer_reader
from assessments.models import Rule
from assessments.models.conditions import AnyOf, Compare
from assessments.models.questionnaire import MultipleChoice, NumberQuestion, Question, Questionnaire, ShortText
from assessments.options import choice_options

LIBRARY = load_library([Path(__file__).parent / "instruments"])
RULESETS = sorted(LIBRARY.rulesets)
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def value_strategy(question: Question) -> st.SearchStrategy[Any]:
    """Give a strategy for valid answers to one question."""
    if isinstance(question, NumberQuestion):
        if question.integer:
            return st.integers(int(question.min), int(question.max))
        return st.floats(question.min, question.max, allow_nan=False)
    if isinstance(question, ShortText):
        return st.text(max_size=question.max_length)
    options = choice_options(question)
    if isinstance(question, MultipleChoice):
        free = [o.value for o in options if not o.exclusive]
        alone = [[o.value] for o in options if o.exclusive]
        many = st.lists(st.sampled_from(free), min_size=1, unique=True)
        return st.one_of(many, st.sampled_from(alone)) if alone else many
    return st.sampled_from([o.value for o in options])


def draw_answers(data: st.DataObject, questionnaires: tuple[Questionnaire, ...]) -> dict[str, dict[str, Any]]:
    """Draw a valid answer set: any question may be skipped; hidden questions are never answered."""
    answers: dict[str, dict[str, Any]] = {}
    for questionnaire in questionnaires:
        given_answers: dict[str, Any] = {}
        seen = {questionnaire.id: given_answers}
        for slot, question in zip(answer_reader(questionnaire).slots, questionnaire.questions(), strict=False):
            if slot.show_when is not None and not slot.show_when(seen):
                continue
            if data.draw(st.booleans(), label=f"answer {question.id}"):
                value = data.draw(value_strategy(question), label=question.id)
                if value not in ("", []):
                    given_answers[question.id] = value
        answers[questionnaire.id] = given_answers
    return answers


@pytest.mark.parametrize("ruleset_id", RULESETS)
@SETTINGS
@given(data=st.data())
def test_scoring_is_deterministic_and_gives_exactly_one_declared_outcome(ruleset_id: str, data: st.DataObject) -> None:
    scorer = LIBRARY.scorer(ruleset_id)
    answers = draw_answers(data, scorer.questionnaires)
    first = scorer.score(answers)
    assert (
        first
        == scorer.score(answers)
        == Scorer(scorer.ruleset, list(scorer.questionnaires))
        .score(answers)
        ._replace(ruleset_hash=first.ruleset_hash, questionnaires=first.questionnaires)
    )
    assert first.outcome.id in scorer.ruleset.outcome_ids()
    assert first.to_dict()["outcome"] == first.outcome.id


def always(scorer: Scorer) -> AnyOf:
    """Give a condition that holds for every answer set: a question is answered or it is not."""
    question = scorer.questionnaires[0].questions()[0].id
    ref = question if len(scorer.questionnaires) == 1 else f"{scorer.questionnaires[0].id}.{question}"
    return AnyOf((Compare(ref, "answered", True), Compare(ref, "answered", False)))


@pytest.mark.parametrize("ruleset_id", RULESETS)
@SETTINGS
@given(data=st.data(), weight=st.integers(0, 50))
def test_adding_weight_to_an_outcome_never_lowers_its_tally(ruleset_id: str, data: st.DataObject, weight: int) -> None:
    scorer = LIBRARY.scorer(ruleset_id)
    outcome = data.draw(st.sampled_from([o.id for o in scorer.ruleset.outcomes]))
    extra = Rule(id="extra-weight", when=always(scorer), because="Test weight.", add={outcome: weight})
    heavier = Scorer(
        scorer.ruleset.model_copy(update={"rules": (*scorer.ruleset.rules, extra)}), list(scorer.questionnaires)
    )
    answers = draw_answers(data, scorer.questionnaires)
    before, after = scorer.score(answers), heavier.score(answers)
    assert after.tallies[outcome] == before.tallies[outcome] + weight
    assert {k: v for k, v in after.tallies.items() if k != outcome} == {
        k: v for k, v in before.tallies.items() if k != outcome
    }


def spoil(question: Question, data: st.DataObject) -> Any:
    """Give a value the question does not accept."""
    if isinstance(question, NumberQuestion):
        return data.draw(st.sampled_from([question.max + 1, question.min - 1, "7", True]))
    if isinstance(question, ShortText):
        return data.draw(st.sampled_from([12, ["a"], "x" * (question.max_length + 1)]))
    if isinstance(question, MultipleChoice):
        return data.draw(st.sampled_from([["not-an-option"], "not-a-list", [choice_options(question)[0].value] * 2]))
    return data.draw(st.sampled_from(["not-an-option", ["a", "list"], 3, False]))


@pytest.mark.parametrize("ruleset_id", RULESETS)
@SETTINGS
@given(data=st.data())
def test_invalid_answers_always_raise(ruleset_id: str, data: st.DataObject) -> None:
    scorer = LIBRARY.scorer(ruleset_id)
    answers = draw_answers(data, scorer.questionnaires)
    questionnaire = data.draw(st.sampled_from(scorer.questionnaires))
    how = data.draw(st.sampled_from(["value", "unknown-question", "unknown-questionnaire"]))
    if how == "value":
        question = data.draw(st.sampled_from([q for q in questionnaire.questions() if q.show_when is None]))
        answers[questionnaire.id][question.id] = spoil(question, data)
    elif how == "unknown-question":
        answers[questionnaire.id]["no-such-question"] = "yes"
    else:
        answers["no-such-questionnaire"] = {}
    with pytest.raises(InvalidAnswers):
        scorer.score(answers)
