"""docs/authoring.md, followed as a counsellor would: its example files are real, its commands
work, its quoted output and every message in its table are what the program really prints."""

from __future__ import annotations

import html
import http.cookiejar
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.webapp.flow import csrf_token, sign_in_counsellor
from webapp import create_app
from webapp.cli import main

ROOT = Path(__file__).resolve().parents[1]
GUIDE = (ROOT / "docs" / "authoring.md").read_text()
EXAMPLES = ROOT / "docs" / "examples"
# yaml blocks in the guide that illustrate something rather than quote an example file
ILLUSTRATIONS = {
    "# yaml-language-server: $schema=../../assessments/schemas/ruleset.schema.json\n",
    "        - low-point: {at_least: 4}\n",
}


def rekindle(*args: str, cwd: Path | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env={"REKINDLE_LIBRARY": ""}, catch_exceptions=False)


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", GUIDE, flags=re.S)


@pytest.fixture
def my_rules(tmp_path: Path) -> Path:
    folder = tmp_path / "my-rules"
    shutil.copytree(EXAMPLES, folder)
    return folder


def test_every_yaml_block_is_quoted_from_a_real_example_file() -> None:
    quoted = [*EXAMPLES.glob("*.yaml"), *(ROOT / "assessments").glob("policies/*.yaml")]
    quoted += (ROOT / "assessments").glob("questionnaires/*.yaml")
    texts = [path.read_text() for path in quoted]
    for block in blocks("yaml"):
        if block in ILLUSTRATIONS:
            continue
        assert any(block in text for text in texts), f"not in any docs/examples file:\n{block}"


def test_the_examples_load_pass_their_scenarios_with_full_coverage_and_analyse_clean() -> None:
    assert rekindle("--library", str(EXAMPLES), "validate", str(EXAMPLES)).output.strip() == (
        "5 files checked: all valid"
    )
    tested = rekindle("--library", str(EXAMPLES), "test", str(EXAMPLES), "--coverage")
    assert tested.exit_code == 0, tested.output
    quoted = next(b for b in blocks("text") if b.startswith("15 passed"))
    assert tested.output == quoted
    for ruleset in ("ready-to-talk", "talk-or-wait"):
        analysed = rekindle("--library", str(EXAMPLES), "analyze", ruleset)
        assert analysed.exit_code == 0, analysed.output
        assert "0 error(s)" in analysed.output


def test_the_walkthrough_commands_work_in_a_folder_of_ones_own(my_rules: Path) -> None:
    for command in (
        "rekindle --library my-rules new-ruleset red-flags --id my-red-flags --out my-rules",
        "rekindle --library my-rules validate my-rules",
        "rekindle --library my-rules test my-rules --coverage",
        "rekindle --library my-rules analyze my-red-flags",
        "rekindle --library my-rules list",
    ):
        assert command in GUIDE
        args = [str(my_rules) if word == "my-rules" else word for word in command.split()[1:]]
        result = rekindle(*args)
        assert result.exit_code == 0, f"{command}\n{result.output}"
    assert (my_rules / "my-red-flags.yaml").is_file()


# (file, what the guide's reader changed, into what) -> the message quoted in the guide's table
MISTAKES = [
    ("ready-to-talk-rules.yaml", "{equals: hurtful}}", "{equals: hurtfull}}", "validate"),
    (
        "ready-to-talk-rules.yaml",
        "    because: They asked you for space.\n    force: give-them-space",
        "    becuase: They asked you for space.\n    force: give-them-space",
        "validate",
    ),
    (
        "ready-to-talk-rules.yaml",
        'when: {asked-for-space: {equals: "yes"}}',
        'when: {asked-for-space: {equals: yes}}\n    when: {asked-for-space: {equals: "yes"}}',
        "validate",
    ),
    (
        "ready-to-talk-rules.yaml",
        "because: It has been four weeks or less.",
        "because: It has been four weeks or less.\n    force: wait-a-litle",
        "validate",
    ),
    (
        "ready-to-talk-rules.yaml",
        "      - {score: steadiness, weight: 2}",
        "      - {score: steadines, weight: 2}",
        "validate",
    ),
    (
        "ready-to-talk-rules.yaml",
        "  - id: steadiness\n",
        "  - id: steadiness\n    sum: [{score: readiness}]\n",
        "validate",
    ),
    ("ready-to-talk-rules.yaml", "when: {how-it-went: {equals: hurtful}}", "when: {how-it-went: hurtful}", "validate"),
    (
        "ready-to-talk-rules.yaml",
        '      not: {talked-since: {equals: "yes"}}',
        '      not: {talked-since: {equals: "yes"}}\n      all: [{calm: {answered: true}}]',
        "validate",
    ),
    (
        "ready-to-talk-rules.yaml",
        "    - {outcome: wait-a-little, min: 4, below: 6}",
        "    - {outcome: wait-a-little, min: 5, below: 6}",
        "validate",
    ),
    (
        "ready-to-talk-rules.yaml",
        "    - {outcome: wait-a-little, min: 4, below: 6}",
        "    - {outcome: wait-a-little, min: 4, max: 6}",
        "validate",
    ),
    (
        "ready-to-talk.yaml",
        '        show_when: {talked-since: {equals: "yes"}}',
        "        show_when: {what-to-say: {answered: true}}",
        "validate",
    ),
    ("ready-to-talk.yaml", "  - id: between-you", "\t- id: between-you", "validate"),
    ("ready-to-talk.yaml", 'label: "True"', "label: True", "validate"),
    (
        "ready-to-talk-rules.scenarios.yaml",
        "      outcome: give-them-space\n",
        "      outcome: give-them-spce\n",
        "validate",
    ),
    (
        "ready-to-talk-rules.scenarios.yaml",
        "      outcome: give-them-space\n      fired: [asked-for-space]",
        "      outcome: look-after-yourself\n      fired: [asked-for-space]",
        "test",
    ),
    ("ready-to-talk-rules.yaml", "        - low-point: {at_least: 2}", "        - low-point: {at_least: 4}", "analyze"),
    (
        "ready-to-talk-rules.yaml",
        "force: give-them-space\n    priority: 50",
        "force: give-them-space\n    priority: 5",
        "validate",
    ),
    (
        "ready-to-talk-rules.yaml",
        "force: give-them-space\n    priority: 50",
        "force: give-them-space\n    priority: 5",
        "analyze",
    ),
]


@pytest.mark.parametrize(("name", "old", "new", "command"), MISTAKES, ids=[m[2][:40] for m in MISTAKES])
def test_each_message_in_the_guide_is_what_the_program_prints(
    my_rules: Path, name: str, old: str, new: str, command: str
) -> None:
    path = my_rules / name
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    args = {
        "validate": ["validate", str(my_rules)],
        "test": ["test", str(my_rules)],
        "analyze": ["analyze", "ready-to-talk"],
    }
    result = rekindle("--library", str(my_rules), *args[command])
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    own = {  # the messages about the mistake itself, not the files that depend on the broken one
        "validate": [re.sub(r"^.*?\.yaml:\d+:\d+: ", "", line) for line in lines if line.startswith(f"{path}:")],
        "test": [line.strip() for line in lines if line.startswith("     ")],
        "analyze": [  # errors read like validate's: error: file:line:col: key.path: message
            re.sub(r"^error: .*?\.yaml:\d+:\d+: \S+: ", "", line) for line in lines if line.startswith("error: ")
        ],
    }[command]
    assert own, result.output
    for message in own:
        assert f"`{message}`" in GUIDE, f"not quoted in docs/authoring.md: {message}"


def test_the_guide_s_analyze_excerpt_is_real(my_rules: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(my_rules.parent)  # the guide's reader works beside their my-rules folder
    path = my_rules / "ready-to-talk-rules.yaml"
    path.write_text(path.read_text().replace("{at_least: 2}", "{at_least: 4}", 1))
    result = rekindle("--library", str(my_rules), "analyze", "ready-to-talk")
    assert result.exit_code == 1
    excerpt = next(b for b in blocks("text") if "NEVER FIRES" in b)
    for line in excerpt.splitlines():
        assert line in result.output.splitlines()


def test_the_guide_s_broken_guarantee_excerpt_is_real(my_rules: Path) -> None:
    path = my_rules / "ready-to-talk-rules.yaml"
    path.write_text(
        path.read_text().replace("force: give-them-space\n    priority: 50", "force: give-them-space\n    priority: 5")
    )
    result = rekindle("--library", str(my_rules), "analyze", "ready-to-talk")
    assert result.exit_code == 1
    excerpt = next(b for b in blocks("text") if "BROKEN" in b)
    for line in excerpt.splitlines():
        assert line in result.output.splitlines()


def test_trying_the_example_in_the_browser_shows_the_trace(tmp_path: Path) -> None:
    app = create_app(
        {"TESTING": True, "REKINDLE_LIBRARY": str(EXAMPLES), "REKINDLE_DATABASE_URL": f"sqlite:///{tmp_path / 'g.db'}"}
    )
    client = sign_in_counsellor(app)
    assert (
        "Nothing wrong found: every outcome can be reached"
        in client.get("/counsellor/rulesets/ready-to-talk").data.decode()
    )
    form = client.get("/counsellor/rulesets/ready-to-talk/try")
    shown = client.post(
        "/counsellor/rulesets/ready-to-talk/try",
        data={
            "csrf_token": csrf_token(form.data),
            "a_ready_to_talk__q_calm": "true-for-me",
            "a_ready_to_talk__q_sleeping": "well",
            "a_ready_to_talk__q_support": ["family", "counsellor"],
            "a_ready_to_talk__q_weeks_apart": "10",
            "a_ready_to_talk__q_asked_for_space": "no",
        },
    ).data.decode()
    assert "Outcome: You seem ready for a calm conversation (<code>ready-to-talk</code>)" in shown
    assert "<td><code>readiness</code></td><td>7</td><td>0 to 8</td>" in shown
    assert "Decided by the band the score falls in: readiness is 7: band 'ready-to-talk' (6 to 8)." in html.unescape(
        shown
    )
    app.extensions["rekindle"].store.dispose()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_the_journey_works_from_a_folder_outside_the_project(tmp_path: Path) -> None:
    """The guide's commands, as written, run in a folder of one's own; `counsellor add` run from
    another folder still opens the area `serve` starts. The packages are copied so that the
    default instance folder (beside them, as for a source checkout) is this test's own."""
    install = tmp_path / "rekindle"
    for package in ("assessments", "webapp", "reports"):
        shutil.copytree(ROOT / package, install / package, ignore=shutil.ignore_patterns("__pycache__"))
    work, elsewhere = tmp_path / "work", tmp_path / "elsewhere"
    work.mkdir()
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("REKINDLE_")}
    env["PYTHONPATH"] = str(install)

    def command(line: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        assert line in GUIDE, line
        args = [sys.executable, "-m", "webapp.cli", *line.split()[1:]]
        return subprocess.run(args, cwd=cwd, env=env, input=stdin, text=True, capture_output=True, timeout=300)

    (work / "my-rules").mkdir()
    for line in (
        "rekindle --library my-rules new-ruleset red-flags --id my-red-flags --out my-rules",
        "rekindle --library my-rules validate my-rules",
        "rekindle --library my-rules test my-rules --coverage",
        "rekindle --library my-rules analyze my-red-flags",
        "rekindle --library my-rules list",
    ):
        done = command(line, work)
        assert done.returncode == 0, f"{line}\n{done.stdout}{done.stderr}"
    added = subprocess.run(
        [sys.executable, "-m", "webapp.cli", "counsellor", "add", "sam", "--password-stdin"],
        cwd=elsewhere,
        env=env,
        input="a long enough password\n",
        text=True,
        capture_output=True,
        check=True,
    )
    assert f"Instance folder: {install / 'instance'}" in added.stdout.splitlines()
    port = _free_port()
    serving = "rekindle serve --reload --library my-rules"
    assert serving in GUIDE
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "webapp.cli", *serving.split()[1:], "--port", str(port), "--workers", "1"],
        cwd=work,
        env=env,
        stdout=log,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        for _ in range(150):
            try:
                login = browser.open(base + "/counsellor/login", timeout=2).read()
                break
            except urllib.error.HTTPError:
                raise
            except OSError:
                time.sleep(0.2)
        else:
            raise AssertionError("the server did not answer")
        form = {"csrf_token": csrf_token(login), "username": "sam", "password": "a long enough password"}
        browser.open(base + "/counsellor/login", urllib.parse.urlencode(form).encode(), timeout=10).read()
        page = browser.open(base + "/counsellor/rulesets/my-red-flags", timeout=30).read().decode()
        assert "<code>my-red-flags</code>" in page
        assert (tmp_path / "serve.log").read_text().splitlines()[:2] == [
            f"Rekindle is running at http://127.0.0.1:{port}/  (Ctrl+C to stop)",
            f"Instance folder: {install / 'instance'}",  # and no "No counsellor account yet"
        ]
    finally:
        server.terminate()
        server.wait(10)
        log.close()
