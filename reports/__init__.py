"""PDF reports: `render_pdf(result, ruleset, questionnaires) -> bytes`, and the score chart the pages share."""

from reports.chart import score_chart_svg
from reports.render import render_pdf

__all__ = ["render_pdf", "score_chart_svg"]
