"""The counsellors' workbench pages: a rule set's analysis, "try it" with the full trace, live reload."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from assessments.library import BUNDLED, load_library
from tests.webapp.flow import csrf_token, sign_in_counsellor
from webapp import create_app
from webapp.cli import main


def make_app(tmp_path: Path, folder: Path, **extra: object) -> Flask:
    return create_app(
        {
            "TESTING": True,
            "REKINDLE_LIBRARY": str(folder),
            "REKINDLE_DATABASE_URL": f"sqlite:///{tmp_path / 'w.db'}",
            **extra,
        }
    )


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A counsellor's folder with a starter rule set for red-flags (not used by the public pages)."""
    mine = tmp_path / "mine"
    result = CliRunner().invoke(main, ["new-ruleset", "red-flags", "--out", str(mine)], env={"REKINDLE_LIBRARY": ""})
    assert result.exit_code == 0, result.output
    return mine


@pytest.fixture
def signed_in(tmp_path: Path, folder: Path) -> Iterator[FlaskClient]:
    app = make_app(tmp_path, folder)
    yield sign_in_counsellor(app)
    app.extensions["rekindle"].store.dispose()


def test_workbench_pages_need_a_login(tmp_path: Path, folder: Path) -> None:
    app = make_app(tmp_path, folder)
    app.extensions["rekindle"].accounts.add("sam", "not a hash anyone can match")
    client = app.test_client()
    for url in ("/counsellor/rulesets/red-flags-draft", "/counsellor/rulesets/red-flags-draft/try"):
        assert client.get(url).location == "/counsellor/login"
    token = csrf_token(client.get("/counsellor/login").data)  # a valid form post, but not signed in
    posted = client.post(
        "/counsellor/rulesets/red-flags-draft/try", data={"csrf_token": token, "a_red_flags__q_blocked": "yes"}
    )
    assert posted.location == "/counsellor/login"


def test_unknown_rule_set_is_404(signed_in: FlaskClient) -> None:
    assert signed_in.get("/counsellor/rulesets/no-such").status_code == 404
    assert signed_in.get("/counsellor/rulesets/no-such/try").status_code == 404


def test_rule_set_page_shows_the_analysis(signed_in: FlaskClient) -> None:
    listing = signed_in.get("/counsellor/").data.decode()
    assert 'href="/counsellor/rulesets/red-flags-draft"' in listing
    page = signed_in.get("/counsellor/rulesets/red-flags-draft")
    assert page.status_code == 200
    html = page.data.decode()
    assert "Not used by the public pages." in html
    assert "<code>total</code></td><td>0</td><td>44</td>" in html
    assert "<strong>Warning:</strong> rule &#39;example-weight&#39; adds weight, but the decision uses bands" in html
    assert "No (proven)" not in html


def test_try_it_shows_the_full_trace(signed_in: FlaskClient) -> None:
    page = signed_in.get("/counsellor/rulesets/red-flags-draft/try")
    assert page.status_code == 200
    form_html = page.data.decode()
    for question in load_library().questionnaire("red-flags").questions():  # every question, one page
        assert f'name="a_red_flags__q_{question.id.replace("-", "_")}"' in form_html
    response = signed_in.post(
        "/counsellor/rulesets/red-flags-draft/try",
        data={
            "csrf_token": csrf_token(page.data),
            "a_red_flags__q_said_no": "no",
            "a_red_flags__q_accountability": "always",
            "a_red_flags__q_moving_on_reaction": ["guilt"],
            "a_red_flags__q_reaction_ongoing": "yes",
        },
    )
    assert response.status_code == 200
    html = response.data.decode()
    assert "Outcome: Not enough information yet (<code>not-enough-information</code>)" in html
    assert "Decided by too many unanswered questions." in html
    assert "<td><code>total</code></td><td>7</td><td>0 to 44</td>" in html
    # a rule that did not fire says which part of its condition failed
    assert (
        "<td><code>example-force</code></td>\n      <td>No</td>\n      <td>moving-on-reaction is [guilt], which does not include sudden-declarations</td>"
        in html
    )
    assert "<td><code>example-advice</code></td>\n      <td>Yes</td>" in html
    assert "outcome: not-enough-information" in html and "fired: [example-advice, example-weight]" in html


def test_try_it_leaves_out_answers_to_questions_not_asked(signed_in: FlaskClient) -> None:
    page = signed_in.get("/counsellor/rulesets/red-flags-draft/try")
    response = signed_in.post(
        "/counsellor/rulesets/red-flags-draft/try",
        data={"csrf_token": csrf_token(page.data), "a_red_flags__q_reaction_ongoing": "yes"},
    )
    html = response.data.decode()
    assert "Left out, because these questions are not asked for the other answers: red-flags.reaction-ongoing." in html


def test_try_it_refuses_a_tampered_post_with_a_form_error(signed_in: FlaskClient) -> None:
    page = signed_in.get("/counsellor/rulesets/red-flags-draft/try")
    response = signed_in.post(
        "/counsellor/rulesets/red-flags-draft/try",
        data={"csrf_token": csrf_token(page.data), "a_red_flags__q_blocked": "maybe"},
    )
    assert response.status_code == 200
    html = response.data.decode()
    assert "There is a problem" in html and "Outcome:" not in html


def test_a_public_rule_set_can_be_tried_too(signed_in: FlaskClient) -> None:
    page = signed_in.get("/counsellor/rulesets/should-i-try/try")
    response = signed_in.post(
        "/counsellor/rulesets/should-i-try/try",
        data={"csrf_token": csrf_token(page.data), "a_red_flags__q_court_order": "yes"},
    )
    assert "(<code>respect-their-wish</code>)" in response.data.decode()


def _touch_later(path: Path, text: str) -> None:
    """Write a file so its modification time surely differs from before."""
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(text)
    if path.stat().st_mtime_ns == before:
        os.utime(path, ns=(before + 1_000_000, before + 1_000_000))


def test_live_reload_sees_edits_new_files_and_keeps_the_last_good_version(tmp_path: Path, folder: Path) -> None:
    app = make_app(tmp_path, folder, REKINDLE_RELOAD=True)
    client = sign_in_counsellor(app)
    path = folder / "red-flags-draft.yaml"
    original = path.read_text()

    # an edit without a version bump is seen
    _touch_later(path, original.replace('title: "Go slowly"', 'title: "Take it slowly"'))
    page = client.get("/counsellor/rulesets/red-flags-draft/try")
    answer = client.post(
        "/counsellor/rulesets/red-flags-draft/try",
        data={
            "csrf_token": csrf_token(page.data),
            **{
                f"a_red_flags__q_{q}": "no"
                for q in (
                    "said_no",
                    "asked_no_contact",
                    "blocked",
                    "court_order",
                    "strangled",
                    "threat_to_kill",
                    "weapon",
                    "forced_sex",
                    "getting_worse",
                    "stalking",
                    "children_threats",
                    "pregnancy_harm",
                    "broke_order",
                    "physical_harm",
                    "threats",
                    "self_harm_pressure",
                    "monitoring",
                    "turning_up",
                    "quizzing_friends",
                    "afraid",
                    "controlled_money",
                    "cut_off",
                    "extreme_jealousy",
                    "put_down",
                    "controlled_life",
                )
            },
        },
    )
    assert "Outcome: Take it slowly" in answer.data.decode()

    # a new file appears without a restart
    shutil.copy(BUNDLED / "rules" / "red-flags.yaml", folder / "copy.yaml")
    _touch_later(
        folder / "copy.yaml", (folder / "copy.yaml").read_text().replace("id: red-flags\n", "id: red-flags-copy\n", 1)
    )
    assert "red-flags-copy" in client.get("/counsellor/").data.decode()

    # a broken edit: the errors are shown and the last good version keeps serving
    _touch_later(path, original.replace("force: take-care-first", "force: take-car-first"))
    listing = client.get("/counsellor/").data.decode()
    assert "red-flags-draft</a> <strong>(last good version: its file is broken)</strong>" in listing
    assert "unknown outcome &#39;take-car-first&#39;" in listing or "take-car-first" in listing
    detail = client.get("/counsellor/rulesets/red-flags-draft").data.decode()
    assert "The last good version is still in use until the file is fixed." in detail
    assert "take-car-first" in detail
    assert client.get("/counsellor/rulesets/red-flags-draft/try").status_code == 200
    assert client.get("/check/red-flags/1").status_code == 200  # the public pages are untouched

    # fixed again: no longer marked
    _touch_later(path, original)
    assert "last good version" not in client.get("/counsellor/").data.decode()

    # removed: gone
    (folder / "copy.yaml").unlink()
    time.sleep(0.01)
    assert "red-flags-copy" not in client.get("/counsellor/").data.decode()
    app.extensions["rekindle"].store.dispose()


def test_without_reload_files_are_read_once(tmp_path: Path, folder: Path) -> None:
    app = make_app(tmp_path, folder)
    client = sign_in_counsellor(app)
    _touch_later(folder / "red-flags-draft.yaml", "kind: ruleset\n")
    assert "last good version" not in client.get("/counsellor/").data.decode()
    assert client.get("/counsellor/rulesets/red-flags-draft").status_code == 200
    app.extensions["rekindle"].store.dispose()


def test_a_rule_set_that_breaks_the_safety_policy_is_shown_with_its_counterexample_but_never_served(
    tmp_path: Path,
) -> None:
    mine = tmp_path / "unsafe"
    mine.mkdir()
    text = (
        (BUNDLED / "rules" / "red-flags.yaml")
        .read_text()
        .replace("id: red-flags\nversion", "id: my-red-flags\nversion", 1)
    )
    start, end = text.index("  - id: highest-risk\n"), text.index("  # Their choice comes next.")
    (mine / "my-red-flags.yaml").write_text(text[:start] + text[end:])
    app = make_app(tmp_path, mine, REKINDLE_PUBLIC_RULESETS="red-flags=my-red-flags")
    client = sign_in_counsellor(app)
    assert client.get("/check/my-red-flags/").status_code == 404  # named public, but not served
    assert "my-red-flags" not in client.get("/").data.decode()
    listing = client.get("/counsellor/").data.decode()
    assert "<strong>No: a guarantee is not kept</strong>" in listing
    assert "rule set &#39;my-red-flags&#39; breaks guarantee &#39;danger-means-safety-first&#39;" in listing
    page = client.get("/counsellor/rulesets/my-red-flags").data.decode()
    assert "Not served to the public: it does not keep every guarantee" in page
    assert "<strong>Broken</strong>: the outcome was &#39;not-enough-information&#39;" in page
    assert "strangled: Yes" in page  # the counterexample, as the question and the label chosen
    assert "name: &#34;keeps highest-risk-means-specialist-today&#34;" in page  # ready to paste
    app.extensions["rekindle"].store.dispose()
