"""The rough edges a new counsellor and a person filling in a check met: answers changed from
"Check your answers", drafts that an edited questionnaire no longer fits, the error summary, a
continued section, the favicon, and the home card of the combined check."""

from __future__ import annotations

import html
import os
import time
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from tests.webapp.flow import csrf_token
from webapp import create_app


def post(client: FlaskClient, url: str, data: dict[str, str]) -> str:
    """Post a page's answers as a browser would; give where it sends the person next."""
    token = csrf_token(client.get(url).data)
    response = client.post(url, data={"csrf_token": token or "", **data})
    assert response.status_code == 302, response.data.decode()
    return str(response.location)


def test_changing_an_answer_from_the_review_goes_through_the_questions_it_reveals(client: FlaskClient) -> None:
    flow = "/check/signs-they-want-you-back"
    assert post(client, f"{flow}/1", {"q_new_relationship": "no", "q_any_contact": "no"}) == f"{flow}/2"
    assert post(client, f"{flow}/2", {"q_curious_about_you": "no"}) == f"{flow}/3"
    assert post(client, f"{flow}/3", {}) == f"{flow}/review"
    review = client.get(f"{flow}/review").data.decode()
    assert "How often do they start contact with you?" not in review
    # the person changes their answer: now there has been contact, which reveals three questions
    assert post(client, f"{flow}/1?review=1", {"q_new_relationship": "no", "q_any_contact": "yes"}) == (
        f"{flow}/2?review=1"
    )
    page = client.get(f"{flow}/2?review=1").data.decode()
    assert "How often do they start contact with you?" in page
    assert post(client, f"{flow}/2?review=1", {"q_they_start_contact": "often"}) == f"{flow}/review"
    # a change that reveals nothing goes straight back
    assert post(client, f"{flow}/3?review=1", {}) == f"{flow}/review"


def _touch_later(path: Path, text: str) -> None:
    stat = path.stat()
    path.write_text(text)
    os.utime(path, (stat.st_atime, stat.st_mtime + 2))  # the reload check compares times and sizes


QUESTIONNAIRE = """kind: questionnaire
id: weekly
version: "1"
title: Weekly check
summary: How your week went.
minutes: 1
default_ruleset: weekly
sections:
  - id: only
    title: Your week
    questions:
      - id: mood
        kind: single-choice
        text: How was your week?
        options:
          - {value: good, label: Good, points: 2}
          - {value: mixed, label: Mixed, points: 1}
          - {value: hard, label: Hard, points: 0}
      - {id: nights, kind: number, text: How many nights did you sleep well?, min: 0, max: 7}
"""
RULES = """kind: ruleset
id: weekly
version: "1"
title: Weekly check
author: Tests
questionnaires: [weekly]
outcomes:
  - {id: fine, title: A fine week, summary: Fine.}
  - {id: hard, title: A hard week, summary: Hard.}
scores: [{id: total, sum: [{question: mood}]}]
decision: {method: bands, score: total, bands: [{outcome: hard, min: 0, max: 0}, {outcome: fine, min: 1, max: 2}]}
"""


def test_a_draft_an_edited_questionnaire_no_longer_fits_is_repaired_not_refused(tmp_path: Path) -> None:
    folder = tmp_path / "library"
    folder.mkdir()
    (folder / "weekly.yaml").write_text(QUESTIONNAIRE)
    (folder / "weekly-rules.yaml").write_text(RULES)
    app = create_app(
        {
            "TESTING": True,
            "REKINDLE_LIBRARY": str(folder),
            "REKINDLE_RELOAD": True,
            "REKINDLE_DATABASE_URL": f"sqlite:///{tmp_path / 'd.db'}",
        }
    )
    try:
        client = app.test_client()
        assert post(client, "/check/weekly/1", {"q_mood": "mixed", "q_nights": "6"}) == "/check/weekly/review"
        # the counsellor removes the option 'mixed' and lowers the maximum while the draft waits
        edited = QUESTIONNAIRE.replace("          - {value: mixed, label: Mixed, points: 1}\n", "").replace(
            "max: 7", "max: 5"
        )
        _touch_later(folder / "weekly.yaml", edited)
        time.sleep(0.01)
        token = csrf_token(client.get("/check/weekly/1").data)
        submitted = client.post("/check/weekly/review", data={"csrf_token": token})
        assert submitted.status_code == 200  # not a 400: the page says what to do
        page = html.unescape(submitted.data.decode())
        assert "These questions changed since you answered them" in page
        assert '<a href="/check/weekly/1?review=1">How was your week?</a>' in page
        assert '<a href="/check/weekly/1?review=1">How many nights did you sleep well?</a>' in page
        assert page.count("Not answered") == 2
        # answered again, the check goes through
        assert post(client, "/check/weekly/1?review=1", {"q_mood": "good", "q_nights": "5"}) == "/check/weekly/review"
        token = csrf_token(client.get("/check/weekly/review").data)
        result = client.post("/check/weekly/review", data={"csrf_token": token}, follow_redirects=True)
        assert "<h1>A fine week</h1>" in result.data.decode()
    finally:
        app.extensions["rekindle"].store.dispose()


def test_the_error_summary_names_the_question(client: FlaskClient) -> None:
    page = next(n for n in range(1, 8) if "q_weeks_since" in client.get(f"/check/motivation-check/{n}").data.decode())
    url = f"/check/motivation-check/{page}"
    response = client.post(url, data={"csrf_token": csrf_token(client.get(url).data), "q_weeks_since": "600"})
    text = response.data.decode()
    question = next(q.text for q in load_questions(client.application, "motivation-check") if q.id == "weeks-since")
    assert (
        f'<a href="#q_weeks_since-first"><span class="error-summary-question">{html.escape(question)}</span>'
        " Enter a whole number between 0 and 520 weeks</a>"
    ) in text


def load_questions(app: Flask, questionnaire_id: str):  # type: ignore[no-untyped-def]
    return app.extensions["rekindle"].library.questionnaire(questionnaire_id).questions()


def test_a_continued_section_says_so_in_its_heading(client: FlaskClient) -> None:
    assert "<h1>How they handled problems</h1>" in client.get("/check/red-flags/5").data.decode()
    assert "<h1>How they handled problems (continued)</h1>" in client.get("/check/red-flags/6").data.decode()


def test_there_is_a_favicon(client: FlaskClient) -> None:
    response = client.get("/favicon.ico", buffered=True)
    assert (response.status_code, response.mimetype) == (200, "image/vnd.microsoft.icon")
    assert response.data[:4] == b"\x00\x00\x01\x00"  # an icon file


def test_the_combined_check_is_described_in_plain_words_with_the_sections_its_pages_count(
    client: FlaskClient,
) -> None:
    home = client.get("/").data.decode()
    assert (
        "<p>The three checks in one go — “Red flags check”, “Why do I want them back?” and “Signs they want you"
        " back” — with one result that weighs all your answers together.</p>"
    ) in html.unescape(home)
    assert "About 17 minutes · 15 sections" in home
    first = client.get(client.get("/check/should-i-try/").location).data.decode()
    assert "Should I try? · Section 1 of 15" in first
