"""Libraries: bundled files, extra folders from --library and REKINDLE_LIBRARY, broken files skipped."""

from __future__ import annotations

import os
from pathlib import Path

from assessments import load_library
from assessments.library import env_dirs

BROKEN = Path(__file__).parent / "broken"
INSTRUMENTS = Path(__file__).parent / "instruments"


def test_bundled_library_is_valid(bundled) -> None:  # type: ignore[no-untyped-def]
    assert set(bundled.questionnaires) == {"red-flags", "motivation-check", "signs-they-want-you-back"}
    assert set(bundled.rulesets) == {"red-flags", "motivation-check", "signs-they-want-you-back", "should-i-try"}
    for questionnaire in bundled.questionnaires.values():
        assert questionnaire.id in bundled.ruleset(questionnaire.default_ruleset).questionnaires


def test_env_var_names_folders_separated_by_pathsep() -> None:
    value = os.pathsep.join(["/a", "", "/b c"])
    assert env_dirs({"REKINDLE_LIBRARY": value}) == [Path("/a"), Path("/b c")]
    assert env_dirs({}) == []


def test_extra_folders_add_to_the_bundled_files() -> None:
    library = load_library([INSTRUMENTS])
    assert "mood-screen" in library.rulesets and "should-i-try" in library.rulesets


def test_a_missing_folder_is_reported_not_fatal(tmp_path: Path) -> None:
    library = load_library([tmp_path / "nope"])
    assert [e.format(relative_to=tmp_path) for e in library.errors] == [
        "nope: library folder does not exist; check the path"
    ]
    assert "should-i-try" in library.rulesets


def test_a_rule_set_over_a_broken_questionnaire_says_so(tmp_path: Path) -> None:
    (tmp_path / "q.yaml").write_text(
        "kind: questionnaire\nid: half\nversion: '1'\ntitle: Half\nsummary: S\nminutes: 1\ndefault_ruleset: half\nsections: []\n"
    )
    (tmp_path / "r.yaml").write_text(
        "kind: ruleset\nid: half\nversion: '1'\ntitle: T\nauthor: A\nquestionnaires: [half]\n"
        "outcomes: [{id: a, title: A, summary: S}]\ndecision: {method: highest, ties: [a]}\n"
    )
    library = load_library([tmp_path], bundled=False)
    assert [e.format(relative_to=tmp_path) for e in library.errors] == [
        "q.yaml:8:1: sections: needs at least 1 item, found 0; add more",
        "r.yaml:6:18: questionnaires[0]: questionnaire 'half' failed to load; fix the errors reported for it first",
    ]


def test_editing_a_copy_replaces_the_bundled_rule_set_for_a_check(tmp_path: Path) -> None:
    source = Path(load_library().source("ruleset", "red-flags").path).read_text()
    copy = tmp_path / "red-flags.yaml"
    copy.write_text(source.replace('version: "2.0"', 'version: "2.1"'))
    library = load_library(files=[copy], replace=True)
    assert not library.errors
    assert library.ruleset("red-flags").version == "2.1"
