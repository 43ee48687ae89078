"""A file with several independent mistakes lists them all in one run.

Structural mistakes (caught by the models) set their item aside and the rest of the file is
still checked against the library; checks that do not depend on each other all run. Only where
a mistake makes later checks meaningless do they stop, and the message says so.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assessments import load_library

MANY = Path(__file__).parent / "many"

CASES = [
    (
        "band-and-rule.yaml",
        [
            "band-and-rule.yaml:27:5: rules[1].force: unknown outcome 'let-og' (did you mean 'let-go'?); declared outcomes: go-slow, let-go, not-enough-information",
            "band-and-rule.yaml:33:7: decision.bands[1]: the band's top is below its min; swap them",
        ],
    ),
    (
        "decision-mistakes.yaml",
        [
            "decision-mistakes.yaml:17:3: decision.score: unknown score 'totl' (did you mean 'total'?); declare it under scores (declared: total); the bands are checked against its range once it is declared",
            "decision-mistakes.yaml:19:24: decision.bands[0].outcome: unknown outcome 'go-slw' (did you mean 'go-slow'?); declared outcomes: go-slow, let-go, not-enough-information",
            "decision-mistakes.yaml:22:24: decision.variants[0].when.threats.equals: unknown option 'maybe' for question 'threats'; expected one of: yes, no",
            "decision-mistakes.yaml:25:12: decision.variants[0].bands[1].min: gap between bands: values after 2 and before 4 have no band; start this band at min: 3",
        ],
    ),
    (
        "misspelt-author.yaml",  # a required key misspelt is stood in for: the rest is still checked
        [
            "misspelt-author.yaml:5:1: autor: unknown key 'autor' (did you mean 'author'?); expected one of: kind, id, version, title, author, description, questionnaires, outcomes, flags, scores, rules, decision, missing, guarantees",
            "misspelt-author.yaml:19:5: rules[0].force: unknown outcome 'let-og' (did you mean 'let-go'?); declared outcomes: go-slow, let-go, not-enough-information",
            "misspelt-author.yaml:25:8: decision.bands[1].min: gap between bands: values after 3 and before 5 have no band; start this band at min: 4",
        ],
    ),
    (
        "misspelt-title.yaml",  # and `author:`, which a rule set has but a questionnaire does not
        [
            "misspelt-title.yaml:4:1: titel: unknown key 'titel' (did you mean 'title'?); expected one of: kind, id, version, title, summary, minutes, default_ruleset, tags, option_lists, sections",
            "misspelt-title.yaml:6:1: author: unknown key 'author'; expected one of: kind, id, version, title, summary, minutes, default_ruleset, tags, option_lists, sections",
            "misspelt-title.yaml:16:9: sections[0].questions[1].id: question id 'first' is used twice; give each question its own id",
            "misspelt-title.yaml:24:14: sections[0].questions[2].options[1].value: option id 'never' is used twice; give each option its own id",
        ],
    ),
    (
        "questionnaire-mistakes.yaml",
        [
            "questionnaire-mistakes.yaml:7:1: default_ruleset: default rule set 'nowhere' is not loaded; name a rule set that scores this questionnaire",
            "questionnaire-mistakes.yaml:17:9: sections[0].questions[1].kind: unknown question kind 'single' (did you mean 'single-choice'?); expected one of: single-choice, multiple-choice, scale, yes-no, number, text",
            "questionnaire-mistakes.yaml:22:9: sections[0].questions[3].id: question id 'third' is used twice; give each question its own id",
        ],
    ),
    (
        "three-mistakes.yaml",
        [
            "three-mistakes.yaml:22:5: rules[0].becuase: unknown key 'becuase' (did you mean 'because'?); expected one of: id, when, because, add, flag, advice, force, priority",
            "three-mistakes.yaml:25:29: rules[1].when.accountability.equals: unknown option 'sometims' (did you mean 'sometimes'?) for question 'accountability'; expected one of: never, rarely, sometimes, often, always",
            "three-mistakes.yaml:33:8: decision.bands[1].min: gap between bands: values after 3 and before 5 have no band; start this band at min: 4",
        ],
    ),
    (
        "unknown-keys.yaml",  # every unknown key, and what else is wrong in the same item
        [
            "unknown-keys.yaml:6:1: sumary: unknown key 'sumary'; expected one of: kind, id, version, title, author, description, questionnaires, outcomes, flags, scores, rules, decision, missing, guarantees",
            "unknown-keys.yaml:7:1: reviewer: unknown key 'reviewer'; expected one of: kind, id, version, title, author, description, questionnaires, outcomes, flags, scores, rules, decision, missing, guarantees",
            "unknown-keys.yaml:13:5: outcomes[0].colour: unknown key 'colour'; expected one of: id, title, summary, advice, resources, safety",
            "unknown-keys.yaml:14:5: outcomes[0].icon: unknown key 'icon'; expected one of: id, title, summary, advice, resources, safety",
            "unknown-keys.yaml:24:5: rules[0].becuase: unknown key 'becuase' (did you mean 'because'?); expected one of: id, when, because, add, flag, advice, force, priority",
            "unknown-keys.yaml:25:5: rules[0].forse: unknown key 'forse' (did you mean 'force'?); expected one of: id, when, because, add, flag, advice, force, priority",
            "unknown-keys.yaml:26:5: rules[0].priority: should be a whole number, not 'high'",
            "unknown-keys.yaml:28:29: rules[1].when.accountability.equals: unknown option 'sometims' (did you mean 'sometimes'?) for question 'accountability'; expected one of: never, rarely, sometimes, often, always",
        ],
    ),
    (
        "unknown-score-item.yaml",  # the bands are still checked against each other, and it says what waits
        [
            "unknown-score-item.yaml:13:10: scores[0].sum[0].question: unknown question or score 'dishonsty' (did you mean 'dishonesty'?); known: said-no, asked-no-contact, blocked, court-order, strangled, threat-to-kill, weapon, forced-sex, getting-worse, stalking, children-threats, pregnancy-harm, ...",
            "unknown-score-item.yaml:17:3: decision.score: score 'total' has no known range until the mistakes in its items are fixed; whether the bands reach its lowest and highest values is checked then",
            "unknown-score-item.yaml:20:8: decision.bands[1].min: gap between bands: values after 3 and before 5 have no band; start this band at min: 4",
            "unknown-score-item.yaml:21:8: decision.bands[2].min: bands overlap: min 7 is inside band 'let-go' (5 to 8); start this band at a higher value",
        ],
    ),
    (
        "unsound.yaml",
        [
            "unsound.yaml:6:1: questionnaires: should be a list: [a, b] on one line, or one '- item' per line",
            "unsound.yaml: the rest of this file (names, options, bands) is checked once the errors above are fixed",
        ],
    ),
    (
        "variant-and-gap.yaml",
        [
            "variant-and-gap.yaml:20:8: decision.bands[1].min: gap between bands: values after 3 and before 5 have no band; start this band at min: 4",
            "variant-and-gap.yaml:22:24: decision.variants[0].when.threats.equals: unknown option 'maybe' for question 'threats'; expected one of: yes, no",
            "variant-and-gap.yaml:25:12: decision.variants[0].bands[1].min: gap between bands: values after 2 and before 4 have no band; start this band at min: 3",
        ],
    ),
]


@pytest.mark.parametrize(("name", "expected"), CASES, ids=[c[0] for c in CASES])
def test_every_independent_mistake_is_reported_in_one_run(name: str, expected: list[str]) -> None:
    path = MANY / name
    library = load_library(files=[path], replace=True)
    errors = [e for e in library.errors if e.path == path]
    assert [line for e in errors for line in e.format(relative_to=MANY).splitlines()] == expected


def test_every_file_in_the_folder_has_a_case() -> None:
    assert sorted(p.name for p in MANY.glob("*.yaml")) == sorted(name for name, _ in CASES)
