"""One band, one name: validate, test --coverage, analyze and the try-it page all call a band
"band 'OUTCOME' (MIN to MAX)", a variant's band adding "in decision.variants[i]"."""

from __future__ import annotations

import html
import shutil
from pathlib import Path

from click.testing import CliRunner

from tests.webapp.flow import csrf_token, sign_in_counsellor
from webapp import create_app
from webapp.cli import main

EXAMPLES = Path(__file__).resolve().parents[1] / "docs" / "examples"
NAME = "band 'wait-a-little' (4 to 8) in decision.variants[0]"


def rekindle(*args: str) -> str:
    result = CliRunner().invoke(main, list(args), env={"REKINDLE_LIBRARY": ""}, catch_exceptions=False)
    return result.output


def test_coverage_and_the_try_it_page_name_a_variant_band_alike(tmp_path: Path) -> None:
    folder = tmp_path / "examples"
    shutil.copytree(EXAMPLES, folder)
    cases = folder / "ready-to-talk-rules.scenarios.yaml"
    cases.write_text(cases.read_text().split("  - name: struggling and alone")[0])  # only the first case
    covered = rekindle("--library", str(folder), "test", str(cases), "--coverage")
    assert (
        "  bands no case reaches: band 'look-after-yourself' (0 to below 4), band 'wait-a-little' (4 to below 6),"
        " band 'ready-to-talk' (6 to 8), band 'look-after-yourself' (0 to below 4) in decision.variants[0],"
        f" {NAME}"
    ) in covered.splitlines()

    app = create_app(
        {"TESTING": True, "REKINDLE_LIBRARY": str(folder), "REKINDLE_DATABASE_URL": f"sqlite:///{tmp_path / 'b.db'}"}
    )
    try:
        client = sign_in_counsellor(app)
        form = client.get("/counsellor/rulesets/ready-to-talk/try")
        shown = client.post(
            "/counsellor/rulesets/ready-to-talk/try",
            data={
                "csrf_token": csrf_token(form.data),
                "a_ready_to_talk__q_calm": "true-for-me",
                "a_ready_to_talk__q_sleeping": "well",
                "a_ready_to_talk__q_support": ["family", "counsellor"],
                "a_ready_to_talk__q_weeks_apart": "2",
                "a_ready_to_talk__q_asked_for_space": "no",
            },
        ).data.decode()
        assert f"readiness is 7: {NAME} (its condition holds)." in html.unescape(shown)
    finally:
        app.extensions["rekindle"].store.dispose()


def test_validate_and_analyze_name_an_overlapping_band_alike(tmp_path: Path) -> None:
    folder = tmp_path / "examples"
    shutil.copytree(EXAMPLES, folder)
    rules = folder / "ready-to-talk-rules.yaml"
    rules.write_text(
        rules.read_text().replace(
            "{outcome: wait-a-little, min: 4, max: 8}", "{outcome: wait-a-little, min: 3, max: 8}"
        )
    )
    message = (
        "decision.variants[0].bands[1].min: bands overlap: min 3 is inside band 'look-after-yourself' (0 to below 4);"
        " start this band at min: 4"
    )
    for command in (["validate", str(folder)], ["analyze", "ready-to-talk"]):
        output = rekindle("--library", str(folder), *command)
        assert any(line.endswith(message) for line in output.splitlines()), output
