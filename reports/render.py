"""The PDF summary: Jinja HTML + CSS -> WeasyPrint (PDF/UA) -> bytes."""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration

from assessments import Questionnaire, Result, RuleSet
from assessments.bounds import score_ranges
from assessments.options import label_for
from assessments.presentation import COUNTRY_NAMES, by_country, present
from reports.chart import chart_notes, score_bars_html
from reports.fetcher import ASSET_SCHEME, AssetFetcher

HERE = Path(__file__).parent
_ENV = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]))
_ENV.globals["country_names"] = COUNTRY_NAMES
_CSS = (HERE / "templates" / "summary.css").read_text()


@functools.cache  # one per process, made on first use
def font_config() -> FontConfiguration:
    """Give the process's font configuration, set up once.

    Setting up fontconfig is a sizeable share of a short document's render time; WeasyPrint's
    documentation recommends reusing one configuration across renders. Our stylesheet declares
    no @font-face, so nothing a document holds can add fonts to it.
    """
    return FontConfiguration()


@functools.cache  # once per process
def warm_up() -> None:
    """Do in this process what every render does first, so renders forked from it start warm.

    A render in a forked worker otherwise repeats, every time, the first-use costs of the parent:
    the font configuration, WeasyPrint's own stylesheets and the compiled template.
    """
    _ENV.get_template("summary.html")
    HTML(string="<p>Rekindle</p>", url_fetcher=AssetFetcher()).write_pdf(font_config=font_config())


def answer_rows(result: Result, questionnaires: list[Questionnaire]) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """Give (questionnaire title, section title, [(question, chosen label)]) for every answered section."""
    rows = []
    for questionnaire in questionnaires:
        given = result.answers.get(questionnaire.id, {})
        for section in questionnaire.sections:
            items = [(q.text, label_for(q, given[q.id])) for q in section.questions if q.id in given]
            if items:
                rows.append((questionnaire.title, section.title, items))
    return rows


def render_html(
    result: Result, ruleset: RuleSet, questionnaires: list[Questionnaire], *, generated_at: dt.datetime | None = None
) -> str:
    """Give the summary's HTML (what render_pdf lays out)."""
    when = generated_at or dt.datetime.now(dt.UTC)
    shown = present(result)
    chart = notes = None
    if shown.show_scores:  # only when the scores decided it (assessments.presentation)
        chart = Markup(score_bars_html(result, ruleset, score_ranges(ruleset, questionnaires)))  # escaped text
        notes = chart_notes(result, ruleset)
    return _ENV.get_template("summary.html").render(
        result=result,
        shown=shown,
        ruleset=ruleset,
        questionnaires=questionnaires,
        chart=chart,
        notes=notes,
        css=Markup(_CSS),
        rows=answer_rows(result, questionnaires),
        generated=when.strftime("%-d %B %Y"),
        arranged=by_country(shown.resources, None),
    )


def render_pdf(
    result: Result,
    ruleset: RuleSet,
    questionnaires: list[Questionnaire],
    *,
    generated_at: dt.datetime | None = None,
    fetcher: AssetFetcher | None = None,
) -> bytes:
    """Give the PDF summary of a result: tagged (PDF/UA), in English, fetching nothing from outside."""
    html = render_html(result, ruleset, questionnaires, generated_at=generated_at)
    document: Any = HTML(string=html, base_url=ASSET_SCHEME + "/", url_fetcher=fetcher or AssetFetcher())
    pdf: bytes = document.write_pdf(pdf_variant="pdf/ua-1", font_config=font_config())
    return pdf
