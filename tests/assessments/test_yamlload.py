"""The YAML traps: booleans, duplicates, anchors, tags, sizes, encodings, positions."""

from __future__ import annotations

import pytest

from assessments.errors import Problem
from assessments.yamlload import Document, parse_yaml


def data(text: str):  # type: ignore[no-untyped-def]
    parsed = parse_yaml(text.encode())
    assert isinstance(parsed, Document), parsed
    return parsed.data


def problems(raw: bytes) -> list[Problem]:
    parsed = parse_yaml(raw)
    assert isinstance(parsed, list)
    return parsed


@pytest.mark.parametrize("word", ["yes", "no", "on", "off", "y", "n", "Yes", "NO"])
def test_yaml_1_1_booleans_stay_text(word: str) -> None:
    assert data(f"value: {word}") == {"value": word}


def test_only_true_and_false_are_booleans_and_dates_stay_text() -> None:
    assert data("a: true\nb: false\nc: 2026-11-28\nd: 1.5\ne: 3\nf: ~\ng: '3'\nh: 0x1F\ni: 1:20") == {
        "a": True,
        "b": False,
        "c": "2026-11-28",
        "d": 1.5,
        "e": 3,
        "f": None,
        "g": "3",
        "h": "0x1F",
        "i": "1:20",
    }


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            b"a: 1\nb: 2\na: 3\n",
            Problem("duplicate key 'a' (first on line 1, again on line 3); keep one of them", 3, 1),
        ),
        (b"a: &x [1]\nb: *x\n", Problem("anchor '&x' is not allowed; remove it and write values out in full", 1, 4)),
        (
            b"b: [*x]\n",
            Problem(
                "alias '*x' is not allowed; write the value out in full (for shared option lists use option_lists)",
                1,
                5,
            ),
        ),
        (b"<<: {a: 1}\n", Problem("merge keys ('<<') are not allowed; write the keys out in full", 1, 1)),
        (
            b"a: !!python/object/apply:os.system [ls]\n",
            Problem("tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed; remove it", 1, 4),
        ),
        (
            b"a:\n\tb: 1\n",
            Problem("a tab character is used for indentation; YAML needs spaces — replace the tab with spaces", 2, 1),
        ),
        (b"a: 1\n---\nb: 2\n", Problem("a file holds one document; remove the '---' and what follows it", 2, 1)),
        (b"", Problem("file is empty; it should start with a line such as 'kind: ruleset'", 1)),
        (b"# only a comment\n", Problem("file is empty; it should start with a line such as 'kind: ruleset'", 1)),
        (b"a: 1\nb: caf\xe9\n", Problem("file is not UTF-8 text (byte 11); save it as UTF-8", 2)),
        (b"? [a, b]\n: 1\n", Problem("a key must be plain text, not a list or mapping", 1, 3)),
    ],
)
def test_traps_are_refused_with_a_position(raw: bytes, expected: Problem) -> None:
    assert problems(raw) == [expected]


def test_size_limit() -> None:
    (problem,) = problems(b"a: 1\n" + b"#" * (1024 * 1024))
    assert problem.message == "file is 1,048,581 bytes; the limit is 1,048,576 (1 MiB) — split it"


def test_positions_are_recorded_for_keys_and_values() -> None:
    parsed = parse_yaml(b"kind: ruleset\nrules:\n  - id: r\n    when:\n      a: {equals: x}\n")
    assert isinstance(parsed, Document)
    assert parsed.locate(("rules", 0, "when", "a", "equals")) == (("rules", 0, "when", "a", "equals"), 5, 11)
    assert parsed.locate(("rules", 0, "missing-field")) == (("rules", 0), 3, 5)
    assert parsed.key_marks[("rules",)] == (2, 1)


def test_a_utf8_byte_order_mark_is_accepted() -> None:
    assert data("\ufeffa: 1") == {"a": 1}
