"""Helpers for engine tests: build a library from YAML text written to a temporary folder."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from assessments import Library, load_library

QUIZ = """
kind: questionnaire
id: quiz
version: "1"
title: Quiz
summary: A small questionnaire for tests.
minutes: 2
default_ruleset: quiz-rules
option_lists:
  freq:
    - {value: never, label: Never, points: 0}
    - {value: sometimes, label: Sometimes, points: 1}
    - {value: often, label: Often, points: 2}
sections:
  - id: one
    title: One
    questions:
      - {id: a, kind: single-choice, text: A?, options: freq}
      - {id: b, kind: scale, text: B?, options: freq}
      - {id: c, kind: yes-no, text: C?, points: {yes: 3, no: 0}}
      - id: d
        kind: multiple-choice
        text: D?
        options:
          - {value: x, label: X, points: 1}
          - {value: y, label: Y, points: 2}
          - {value: none, label: None of these, points: 0, exclusive: true}
      - {id: n, kind: number, text: N?, min: 0, max: 10, unit: weeks}
      - {id: e, kind: yes-no, text: E?, show_when: {c: {equals: yes}}}
      - {id: t, kind: text, text: Notes?, required: false, max_length: 20}
"""

RULES_HEAD = """
kind: ruleset
id: quiz-rules
version: "1"
title: Quiz rules
author: Tests
questionnaires: [quiz]
"""

Build = Callable[..., Library]


@pytest.fixture
def build(tmp_path: Path) -> Build:
    """Give a function that writes YAML texts (name -> text) and loads them with the bundled files."""

    def _build(files: dict[str, str], *, quiz: bool = True, bundled: bool = False) -> Library:
        texts = {"quiz.yaml": QUIZ, **files} if quiz else dict(files)
        for name, text in texts.items():
            (tmp_path / name).write_text(textwrap.dedent(text).lstrip())
        return load_library([tmp_path], bundled=bundled)

    return _build


def rules(body: str) -> str:
    """Give a rule-set file: the quiz head plus the given body."""
    return RULES_HEAD + textwrap.dedent(body)


@pytest.fixture(scope="session")
def bundled() -> Library:
    library = load_library()
    assert not library.errors, [str(e) for e in library.errors]
    return library
