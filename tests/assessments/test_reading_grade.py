"""The bundled questions, outcomes and reasons are written to be read at about grade 7 or below.

Measured with textstat's Flesch-Kincaid grade (pinned: later versions download a dictionary on
first use). The grade of one short sentence is noisy ("Consider letting go" scores 9), so each
kind of text is held to a mean of 7, and every text of ten words or more to 9.
"""

from __future__ import annotations

import pytest
import textstat

from assessments import load_library

LIBRARY = load_library()


def _texts() -> dict[str, list[str]]:
    kinds: dict[str, list[str]] = {"questions": [], "outcomes": [], "reasons": []}
    for questionnaire in LIBRARY.questionnaires.values():
        for section in questionnaire.sections:
            kinds["questions"] += [section.title, *([section.intro] if section.intro else [])]
            for question in section.questions:
                kinds["questions"] += [question.text, *([question.help] if question.help else [])]
    for ruleset in LIBRARY.rulesets.values():
        for outcome in ruleset.outcomes:
            kinds["outcomes"] += [outcome.title, outcome.summary, *outcome.advice]
        kinds["reasons"] += [rule.because for rule in ruleset.rules]
        kinds["reasons"] += [a.text for rule in ruleset.rules for a in rule.advice]
        kinds["outcomes"] += [f.title for f in ruleset.flags] + [f.description for f in ruleset.flags if f.description]
    return kinds


TEXTS = _texts()


@pytest.mark.parametrize("kind", sorted(TEXTS))
def test_reading_grade_stays_about_grade_7(kind: str) -> None:
    texts = TEXTS[kind]
    grades = [textstat.flesch_kincaid_grade(text) for text in texts]
    assert len(texts) > 20
    assert sum(grades) / len(grades) <= 7, kind
    hard = [(round(g, 1), t) for g, t in zip(grades, texts, strict=True) if g > 9 and len(t.split()) >= 10]
    assert hard == [], hard


def test_the_measure_tells_plain_from_dense_text() -> None:
    plain = "Have they ever threatened to kill you?"
    dense = (
        "Notwithstanding considerable methodological heterogeneity, contemporaneous longitudinal investigations"
        " substantiate the association between non-fatal strangulation and subsequent homicide."
    )
    assert textstat.flesch_kincaid_grade(plain) <= 7 < textstat.flesch_kincaid_grade(dense)
