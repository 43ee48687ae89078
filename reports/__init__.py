"""PDF reports (to come) and the score chart shared with the web pages."""

from reports.chart import score_chart_svg

__all__ = ["score_chart_svg"]
