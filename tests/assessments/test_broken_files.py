"""Every loader trap and validation rule, each with a broken file and its exact message."""

from __future__ import annotations

from pathlib import Path

import pytest

from assessments import load_library
from assessments.errors import GuaranteeFailure

BROKEN = Path(__file__).parent / "broken"

CASES = [
    (
        "answers-file.yaml",
        "answers-file.yaml:1:1: this looks like an answers file ({questionnaire: {question: answer}}), and answers files do not belong in a library folder; move it out, and use it with 'rekindle score RULESET --answers FILE'",
    ),
    (
        "band-below-inf.yaml",
        "band-below-inf.yaml:38:16: decision.bands[1].below: '.inf' (infinity) cannot be used; write a number such as 12 — a band can end at the highest value its score can take (rekindle analyze shows each score's range)",
    ),
    (
        "band-max-nan.yaml",
        "band-max-nan.yaml:38:16: decision.bands[1].max: '.nan' (not a number) cannot be used; write a number such as 12 — a band can end at the highest value its score can take (rekindle analyze shows each score's range)",
    ),
    (
        "band-max-too-large.yaml",  # infinity to a float, but named as written
        "band-max-too-large.yaml:38:16: decision.bands[1].max: '1e400' (too large: it reads as infinity) cannot be used; write a number such as 12 — a band can end at the highest value its score can take (rekindle analyze shows each score's range)",
    ),
    (
        "condition-at-least-nan.yaml",
        "condition-at-least-nan.yaml:28:15: rules[0].when.total.at_least: '.nan' (not a number) cannot be used; 'at_least' takes a number, e.g. at_least: 2",
    ),
    (
        "condition-between-too-large.yaml",
        "condition-between-too-large.yaml:28:15: rules[0].when.total.between: '1e400' (too large: it reads as infinity) cannot be used; 'between' takes [low, high] with low <= high, e.g. between: [2, 6]",
    ),
    (
        "control-character.yaml",
        "control-character.yaml:4:14: control character U+0008 is not text (it can come with copied text); delete it",
    ),
    (
        "deep.yaml",
        "deep.yaml:28:373: this is nested more than 64 levels deep; a file needs about 10 — flatten it (list conditions side by side under one 'all' or 'any' instead of inside each other)",
    ),
    (
        "equals-true.yaml",
        'equals-true.yaml:28:17: rules[0].when.threats.equals: true and false are not answers; a yes/no question is answered with the text yes or no, so write equals: "yes" (or "no")',
    ),
    (
        "future-date.yaml",
        "future-date.yaml:19:76: flags[0].resources[0].last_verified: 2999-01-01 is in the future; write the day someone last checked this resource works (today or earlier)",
    ),
    (
        "option-value-number.yaml",
        'option-value-number.yaml:19:14: sections[0].questions[1].options[0].value: 0 is read as a number, not text; put it in quotes, e.g. "0"',
    ),
    (
        "safety-no-resources.yaml",
        "safety-no-resources.yaml:17:5: flags[0].safety: a safety flag puts help first, so it needs resources; add at least one under resources (name, country, last_verified and a phone or url), or remove safety: true",
    ),
    (
        "scenario-score-nan.yaml",
        "scenario-score-nan.yaml:9:16: cases[0].expect.scores.warning-signs: 'nan' (not a number) cannot be used; write a number such as 12",
    ),
    (
        "utf16.yaml",
        "utf16.yaml:1: file is not UTF-8 text: it has NUL bytes, as UTF-16 does; save it again as UTF-8",
    ),
    (
        "weight-quoted.yaml",
        "weight-quoted.yaml:23:32: scores[0].sum[0].weight: '4' is in quotes, so it is text; write the number without quotes: 4",
    ),
    (
        "alias.yaml",
        "alias.yaml:9:12: alias '*slow' is not allowed; write the value out in full (for shared option lists use option_lists)",
    ),
    ("anchor.yaml", "anchor.yaml:9:12: anchor '&slow' is not allowed; remove it and write values out in full"),
    (
        "bad-id.yaml",
        "bad-id.yaml:2:1: id: 'Broken Example' is not a valid id or value: use lowercase letters, digits and hyphens, e.g. 'red-flags'",
    ),
    (
        "band-gap.yaml",
        "band-gap.yaml:38:8: decision.bands[1].min: gap between bands: values after 3 and before 5 have no band; start this band at min: 4",
    ),
    (
        "band-overlap.yaml",
        "band-overlap.yaml:38:8: decision.bands[1].min: bands overlap: min 3 is inside band 'go-slow' (0 to 3); start this band at 4",
    ),
    (
        "band-short.yaml",
        "band-short.yaml:38:7: decision.bands[1]: score 'total' can be as high as 8 but the highest band stops before it; end it at max: 8",
    ),
    (
        "date.yaml",
        "date.yaml:19:35: flags[0].resources[0].last_verified: '28/11/2026' is not a date; write it as YYYY-MM-DD, e.g. 2026-11-01",
    ),
    (
        "duplicate-key.yaml",
        "duplicate-key.yaml:30:5: duplicate key 'because' (first on line 29, again on line 30); keep one of them",
    ),
    (
        "duplicate-question.yaml",
        "duplicate-question.yaml:15:9: sections[0].questions[1].id: question id 'first' is used twice; give each question its own id",
    ),
    ("empty.yaml", "empty.yaml:1: file is empty; it should start with a line such as 'kind: ruleset'"),
    (
        "kind-not-first.yaml",
        "kind-not-first.yaml:2:1: kind: 'kind' must be the first key of the file; move this line to the top",
    ),
    (
        "mean-weight-zero.yaml",
        "mean-weight-zero.yaml:12:36: scores[0].mean[0].weight: a mean's weights must be above 0 (found 0); to count an item against the others, use a sum",
    ),
    (
        "missing-default-ruleset.yaml",
        "missing-default-ruleset.yaml:7:1: default_ruleset: default rule set 'broken-rules' is not loaded; name a rule set that scores this questionnaire (loaded ones that do: none)",
    ),
    ("missing-key.yaml", "missing-key.yaml:1:1: missing key 'title'; add it"),
    (
        "no-kind.yaml",
        "no-kind.yaml:1:1: missing 'kind' on the first line; start the file with one of 'kind: questionnaire', 'kind: ruleset', 'kind: scenarios', 'kind: policy'",
    ),
    ("not-utf8.yaml", "not-utf8.yaml:3: file is not UTF-8 text (byte 43); save it as UTF-8"),
    (
        "number-vs-choice.yaml",
        "number-vs-choice.yaml:28:24: rules[0].when.accountability.at_least: 'at_least' compares numbers, but 'accountability' is a scale question; use one of: equals, in, answered",
    ),
    (
        "qualified-name-single.yaml",
        "qualified-name-single.yaml:28:7: rules[0].when.red-flags.threats: 'red-flags.threats' is not a question here; this rule set scores one questionnaire, so write the question id alone: 'threats'",
    ),
    (
        "scale-without-points.yaml",
        "scale-without-points.yaml:20:13: sections[0].questions[1].options[1]: scale option 'b' needs points, e.g. points: 1",
    ),
    (
        "scenario-bad-answer.yaml",
        "scenario-bad-answer.yaml:8:9: cases[0].answers.red-flags.accountability: unknown option 'sometims' (did you mean 'sometimes'?); expected one of: never, rarely, sometimes, often, always",
    ),
    (
        "scenario-unknown-outcome.yaml",
        "scenario-unknown-outcome.yaml:8:7: cases[0].expect.outcome: unknown outcome 'be-safe'; expected one of: high-risk, safety-first, respect-their-wish, letting-go, some-concerns, few-concerns, not-enough-information",
    ),
    (
        "score-cycle.yaml",
        "score-cycle.yaml:21:5: scores[0].id: scores depend on each other in a cycle: total -> extra -> total; one of them must not use the other",
    ),
    (
        "show-when-later.yaml",
        "show-when-later.yaml:16:11: sections[0].questions[0].show_when.second: 'second' is asked after this question; show_when may only use questions asked before this one",
    ),
    (
        "tabs.yaml",
        "tabs.yaml:29:1: a tab character is used for indentation; YAML needs spaces — replace the tab with spaces",
    ),
    (
        "ties-incomplete.yaml",
        "ties-incomplete.yaml:35:3: decision.ties: ties must list every outcome in order of preference; add: let-go",
    ),
    (
        "two-keys-condition.yaml",
        "two-keys-condition.yaml:27:5: rules[0].when: a condition is one of: 'all: [...]', 'any: [...]', 'not: CONDITION' or 'QUESTION: {OPERATOR: VALUE}' — one key per condition; put several inside 'all'",
    ),
    (
        "unknown-decision.yaml",
        "unknown-decision.yaml:34:3: decision.method: unknown method 'band'; expected one of: 'bands', 'highest'",
    ),
    (
        "unknown-flag.yaml",
        "unknown-flag.yaml:30:5: rules[0].flag: unknown flag 'dangers' (did you mean 'danger'?); declare it under flags (declared: danger)",
    ),
    (
        "unknown-key.yaml",
        "unknown-key.yaml:29:5: rules[0].becuase: unknown key 'becuase' (did you mean 'because'?); expected one of: id, when, because, add, flag, advice, force, priority",
    ),
    (
        "unknown-kind.yaml",
        "unknown-kind.yaml:1:7: kind: unknown kind 'rulesets' (did you mean 'ruleset'?); expected one of: questionnaire, ruleset, scenarios, policy",
    ),
    (
        "unknown-operator.yaml",
        "unknown-operator.yaml:28:17: rules[0].when.threats.is: unknown operator 'is'; expected one of: equals, in, at_least, at_most, between, answered, contains, contains_any",
    ),
    (  # reported once, at the list, not again for each question that uses it
        "option-list-label-true.yaml",
        'option-list-label-true.yaml:11:28: option_lists.truth[1].label: True is read as a yes/no value (a boolean), not text; put the text in quotes, e.g. "True"',
    ),
    (
        "unknown-option-list.yaml",
        "unknown-option-list.yaml:18:9: sections[0].questions[1].options: no option list named 'frequency'; define it under option_lists or write the options here",
    ),
    (
        "unknown-option.yaml",
        "unknown-option.yaml:28:24: rules[0].when.accountability.equals: unknown option 'sometims' (did you mean 'sometimes'?) for question 'accountability'; expected one of: never, rarely, sometimes, often, always",
    ),
    (
        "unknown-outcome.yaml",
        "unknown-outcome.yaml:31:5: rules[0].force: unknown outcome 'letgo' (did you mean 'let-go'?); declared outcomes: go-slow, let-go, not-enough-information",
    ),
    (
        "unknown-question-kind.yaml",
        "unknown-question-kind.yaml:16:9: sections[0].questions[1].kind: unknown question kind 'single' (did you mean 'single-choice'?); expected one of: single-choice, multiple-choice, scale, yes-no, number, text",
    ),
    (
        "unknown-question.yaml",
        "unknown-question.yaml:28:7: rules[0].when.threat: unknown question or score 'threat' (did you mean 'threats'?); known: said-no, asked-no-contact, blocked, court-order, strangled, threat-to-kill, weapon, forced-sex, getting-worse, stalking, children-threats, pregnancy-harm, ...",
    ),
    (
        "version-float.yaml",
        'version-float.yaml:3:1: version: version 1.1 is read as a number (1.10 would become 1.1); put it in quotes, e.g. version: "1.1"',
    ),
    (
        "wrong-questionnaire.yaml",
        "wrong-questionnaire.yaml:6:18: questionnaires[0]: unknown questionnaire 'red-flag' (did you mean 'red-flags'?); known: motivation-check, red-flags, signs-they-want-you-back",
    ),
    (
        "wrong-type.yaml",
        "wrong-type.yaml:1:1: the file should be a mapping that starts with one of 'kind: questionnaire', 'kind: ruleset', 'kind: scenarios', 'kind: policy'; found a list",
    ),
    (
        "yes-no-points-missing.yaml",
        "yes-no-points-missing.yaml:24:10: scores[0].sum[1].question: 'notes' is a text question and is never scored; remove it from the score\n"
        "yes-no-points-missing.yaml:36:3: decision.score: score 'total' has no known range until the mistakes in its items are fixed; whether the bands reach its lowest and highest values is checked then",
    ),
]


@pytest.mark.parametrize(("name", "expected"), CASES, ids=[c[0] for c in CASES])
def test_broken_file_gets_its_exact_message(name: str, expected: str) -> None:
    path = BROKEN / name
    library = load_library(files=[path], replace=True)
    errors = [e for e in library.errors if e.path == path]
    assert [e.format(relative_to=BROKEN) for e in errors] == [expected]


def test_every_file_in_the_corpus_has_a_case() -> None:
    assert sorted(p.name for p in BROKEN.glob("*.yaml")) == sorted(name for name, _ in CASES)


def test_broken_files_do_not_stop_the_bundled_ones_loading() -> None:
    library = load_library([BROKEN])
    assert {"red-flags", "motivation-check", "signs-they-want-you-back", "should-i-try"} <= set(library.rulesets)
    assert {e.path.name for e in library.errors} >= {name for name, _ in CASES}


def test_duplicate_ids_across_files_name_both_files_and_neither_loads(monkeypatch: pytest.MonkeyPatch) -> None:
    folder = BROKEN / "duplicate-id"
    monkeypatch.chdir(folder)  # paths inside messages are shown relative to the working folder
    library = load_library([folder])
    loading = [e for e in library.errors if not isinstance(e, GuaranteeFailure)]
    assert [e.format(relative_to=folder) for e in loading] == [
        "first.yaml:2:1: id: ruleset id 'twin' is also used by second.yaml:2; neither is loaded until one of"
        " them gets another id",
        "second.yaml:2:1: id: ruleset id 'twin' is also used by first.yaml:2; neither is loaded until one of"
        " them gets another id",
    ]
    assert "twin" not in library.rulesets  # not decided by which name sorts first


def test_a_library_folder_cannot_replace_a_bundled_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bundled = load_library().source("ruleset", "red-flags").path
    copy = tmp_path / "aaa-red-flags.yaml"  # sorts before everything: the name must not matter
    version = load_library().ruleset("red-flags").version
    copy.write_text(bundled.read_text().replace(f'version: "{version}"', 'version: "9.9"'))
    monkeypatch.chdir(bundled.parents[2])
    library = load_library([tmp_path])
    loading = [e for e in library.errors if not isinstance(e, GuaranteeFailure)]
    assert [e.format(relative_to=tmp_path) for e in loading] == [
        "aaa-red-flags.yaml:3:1: id: ruleset id 'red-flags' is already used by the bundled file"
        " assessments/rules/red-flags.yaml:3, which a library folder cannot replace; give this one another id (to"
        " check an edited copy, name it on the command line: rekindle validate FILE)"
    ]
    assert library.ruleset("red-flags").version == version != "9.9"


def test_oversized_file_is_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    path.write_bytes(b"kind: ruleset\n" + b"# padding\n" * 110_000)
    library = load_library(files=[path])
    assert [str(e.problems[0].message) for e in library.errors] == [
        "file is 1,100,014 bytes; the limit is 1,048,576 (1 MiB) — split it"
    ]


def test_billion_laughs_is_refused_without_expanding(tmp_path: Path) -> None:
    lines = ["kind: ruleset", "a: &a [x, x, x, x, x, x, x, x, x]"]
    lines += [f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]" for i in range(8)]
    path = tmp_path / "laughs.yaml"
    path.write_text("\n".join(lines) + "\n")
    library = load_library(files=[path])
    assert library.errors[0].format(relative_to=tmp_path) == (
        "laughs.yaml:2:4: anchor '&a' is not allowed; remove it and write values out in full"
    )
