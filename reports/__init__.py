"""PDF reports: `render_pdf(result, ruleset, questionnaires) -> bytes`, and the score chart the pages share."""

from reports.chart import chart_notes, score_chart_svg
from reports.render import render_pdf
from reports.worker import RenderFailed, RenderTimeout, render_in_worker

__all__ = ["RenderFailed", "RenderTimeout", "chart_notes", "render_in_worker", "render_pdf", "score_chart_svg"]
