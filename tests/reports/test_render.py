"""PDF summaries: what they say, what they embed, and what they never fetch."""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
from pathlib import Path

import pytest
from flask import Flask
from pypdf import PdfReader
from weasyprint import HTML

from assessments import load_library
from assessments.options import label_for
from assessments.presentation import present
from reports import render_pdf
from reports.fetcher import ASSET_SCHEME, AssetFetcher
from tests.webapp.flow import complete, csrf_token, download_summary

LIBRARY = load_library()
CASES = [pytest.param(s.ruleset, c, id=f"{s.ruleset}: {c.name}") for s in LIBRARY.scenarios for c in s.cases]


def text_of(pdf: bytes) -> str:
    """Give the PDF's text with all white space folded to single spaces."""
    reader = PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def folded(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.fixture
def no_warnings(caplog: pytest.LogCaptureFixture):  # type: ignore[no-untyped-def]
    """Fail on any WeasyPrint warning (as WeasyPrint's own tests do with assert_no_logs)."""
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        yield
    assert [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")] == []


@pytest.mark.parametrize(("ruleset_id", "case"), CASES)
def test_summary_holds_the_outcome_every_reason_and_every_answer_label(ruleset_id, case, no_warnings) -> None:  # type: ignore[no-untyped-def]
    scorer = LIBRARY.scorer(ruleset_id)
    result = scorer.score(case.answers)
    text = text_of(
        render_pdf(result, scorer.ruleset, list(scorer.questionnaires), generated_at=dt.datetime(2026, 11, 28))
    )
    assert folded(LIBRARY.ruleset(ruleset_id).outcome(case.expect.outcome).title) in text
    shown = present(result)
    for reason in (*shown.reasons, *shown.other_reasons):
        assert folded(reason) in text
    assert " towards “" not in text  # weights are a counsellor's view, never the person's
    if shown.safety_first:
        assert "Your scores" not in text
        for rule in result.fired:
            if rule.because not in shown.reasons:
                assert folded(rule.because) not in text
    for questionnaire in scorer.questionnaires:
        for question in questionnaire.questions():
            if question.id in result.answers[questionnaire.id]:
                assert folded(label_for(question, result.answers[questionnaire.id][question.id])) in text
    assert "Page 1 of " in text and "reflection aid, not professional advice" in text
    assert result.ruleset_hash[:12] in text and "28 November 2026" in text


def test_safety_resources_come_first_when_a_safety_flag_is_raised(no_warnings) -> None:  # type: ignore[no-untyped-def]
    scorer = LIBRARY.scorer("should-i-try")
    result = scorer.score({"red-flags": {"threats": "yes"}})
    text = text_of(render_pdf(result, scorer.ruleset, list(scorer.questionnaires)))
    assert text.index("Your safety comes first") < text.index("Put your safety first")
    assert "National Domestic Abuse Helpline" in text


def test_the_summary_is_tagged_titled_in_english_and_embeds_only_our_font() -> None:
    scorer = LIBRARY.scorer("red-flags")
    pdf = render_pdf(scorer.score({"red-flags": {"blocked": "no"}}), scorer.ruleset, list(scorer.questionnaires))
    reader = PdfReader(io.BytesIO(pdf))
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en" and "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert reader.metadata is not None and reader.metadata.title == "Your Rekindle summary"
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(re.sub(r"^[A-Z]{6}\+", "", font.get_object()["/BaseFont"][1:]))
    assert fonts and all(name.startswith("DejaVu") for name in fonts), fonts


HOSTILE = (
    '<img src="file:///etc/passwd"><img src="http://127.0.0.1:9/x.png">'
    '<link rel="attachment" href="file:///etc/passwd"><style>@import url("file:///etc/passwd");</style>'
    '<svg><image href="file:///etc/hostname"/></svg><p>hostile</p>'
)


def test_nothing_is_fetched_from_a_hostile_answer_or_template(no_warnings) -> None:  # type: ignore[no-untyped-def]
    scorer = LIBRARY.scorer("red-flags")
    result = scorer.score({"red-flags": {"notes": HOSTILE[:480]}})
    fetcher = AssetFetcher()
    text = text_of(render_pdf(result, scorer.ruleset, list(scorer.questionnaires), fetcher=fetcher))
    assert fetcher.refused == []  # the answer is text: escaped, never markup
    assert "<img src=" in text and "root:" not in text


def test_a_hostile_template_fetches_nothing(caplog: pytest.LogCaptureFixture) -> None:
    fetcher = AssetFetcher()
    pdf = HTML(string=HOSTILE, base_url=ASSET_SCHEME + "/", url_fetcher=fetcher).write_pdf()
    assert sorted(set(fetcher.refused)) == ["file:///etc/hostname", "file:///etc/passwd", "http://127.0.0.1:9/x.png"]
    assert b"root:" not in pdf and b"/EmbeddedFile" not in pdf


def test_download_route_gives_an_attachment_and_404s_for_unknown_or_deleted(app: Flask) -> None:
    client = app.test_client()
    page = complete(client, app.extensions["rekindle"].flows["red-flags"], {"red-flags": {"blocked": "yes"}})
    url = page.request.path
    response = download_summary(client, url)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert re.fullmatch(
        r'attachment; filename="summary-\d{4}-\d{2}-\d{2}\.pdf"', response.headers["Content-Disposition"]
    )
    assert response.headers["Cache-Control"] == "no-store"
    assert "Respect their wish" in text_of(response.data)
    assert client.get("/result/not-a-result/summary.pdf").status_code == 404
    client.post(f"{url}/delete", data={"csrf_token": csrf_token(page.data)})
    assert client.get(f"{url}/summary.pdf").status_code == 404
    assert app.test_client().get(f"{url}/summary.pdf").status_code == 404  # another visit


def test_report_command_writes_the_same_summary(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from webapp.cli import main

    out = tmp_path / "summary.pdf"
    answers = Path(__file__).resolve().parents[2] / "examples" / "should-i-try.yaml"
    result = CliRunner().invoke(
        main, ["report", "should-i-try", "--answers", str(answers), "-o", str(out)], env={"REKINDLE_LIBRARY": ""}
    )
    assert result.exit_code == 0, result.output
    assert "Work on yourself first" in text_of(out.read_bytes())
