"""A library folder holding hostile files (nested far too deep, scenario answers of any shape)
still loads everything else: `rekindle list` and `validate`, and the web app."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from assessments.yamlload import TOO_DEEP
from tests.assessments.hostile import deep_value, first_beyond, place
from tests.webapp.flow import sign_in_counsellor
from webapp import create_app
from webapp.cli import main


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    folder = tmp_path / "library"
    folder.mkdir()
    (folder / "deep-block.yaml").write_text(place(deep_value("block-sequence", 600, ["["], 6), "VALUE_WHEN"))
    (folder / "deep-flow.yaml").write_text(place(deep_value("flow", 5000, ["{not: ", "{all: ["], 0), "VALUE_WHEN"))
    (folder / "odd-answers.yaml").write_text(place("{a: [[1]]}", "VALUE_ANSWER"))
    return folder


def expected_lines(folder: Path) -> list[str]:
    lines = []
    for name in ("deep-block.yaml", "deep-flow.yaml"):
        line, column = first_beyond((folder / name).read_text(), 64)
        lines.append(f"{folder / name}:{line}:{column}: {TOO_DEEP}")
    lines.append(
        f"{folder / 'odd-answers.yaml'}:6:19: cases[0].answers.red-flags.threats: an option is one value, but this is"
        " a mapping; write one of: yes, no"
    )
    return lines


def test_list_and_validate_load_everything_else(hostile: Path) -> None:
    env = {"REKINDLE_LIBRARY": ""}
    listed = CliRunner().invoke(main, ["--library", str(hostile), "list"], env=env, catch_exceptions=False)
    assert listed.exit_code == 0
    assert "  should-i-try " in listed.output and "  red-flags " in listed.output
    assert listed.output.splitlines()[-1] == "3 file(s) failed to load; run 'rekindle validate' to see why"
    checked = CliRunner().invoke(main, ["--library", str(hostile), "validate"], env=env, catch_exceptions=False)
    assert checked.exit_code == 1
    assert checked.output.splitlines() == [*expected_lines(hostile), "15 files checked: 3 problems in 3 files"]


def test_the_web_app_starts_serves_the_rest_and_shows_the_errors(tmp_path: Path, hostile: Path) -> None:
    app = create_app(
        {"TESTING": True, "REKINDLE_LIBRARY": str(hostile), "REKINDLE_DATABASE_URL": f"sqlite:///{tmp_path / 'h.db'}"}
    )
    try:
        client = app.test_client()
        home = client.get("/").data.decode()
        assert "Red flags check" in home and "Should I try?" in home
        assert client.get("/check/red-flags/").status_code == 302
        errors = sign_in_counsellor(app).get("/counsellor/").data.decode()
        assert "nested more than 64 levels deep" in errors and "deep-flow.yaml" in errors
    finally:
        app.extensions["rekindle"].store.dispose()
