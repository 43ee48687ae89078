"""The scores as an inline SVG bar chart: no raster images, no chart library.

Bars are one neutral colour; nothing is green or red. What a number means (for example that a
low one is not the same as safe) is written by the rule set under each score (`note`) and shown
only under the scores it is true of.
"""

from __future__ import annotations

from html import escape

from assessments import Result, RuleSet
from assessments.presentation import answered_scores

WIDTH = 480
BAR = "#23395b"  # one neutral colour: nothing green or red
TRACK = "#e8edf5"
TEXT = 'font-size="14" fill="#1d1d1f"'
BAR_WIDTH = 370
ROW_HEIGHT = 56


def score_chart_svg(result: Result, ruleset: RuleSet, ranges: dict[str, tuple[float, float]]) -> str:
    """Give an SVG chart of the result's titled scores, each against its possible range."""
    rows = _rows(result, ruleset, ranges)
    if not rows:
        return ""
    height = ROW_HEIGHT * len(rows) + 8
    parts = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}"'
        f' width="100%" role="img" aria-labelledby="chart-title chart-desc">',
        '<title id="chart-title">Your scores</title>',
        '<desc id="chart-desc">' + escape("; ".join(_describe(t, v, r) for t, v, r in rows)) + "</desc>",
    ]
    for index, (title, value, (low, high)) in enumerate(rows):
        y = index * ROW_HEIGHT
        share = 0.0 if high == low else max(0.0, min(1.0, (value - low) / (high - low)))
        # colours as attributes, not CSS: the same SVG is drawn by browsers and by WeasyPrint
        parts.append(f'<text x="0" y="{y + 16}" {TEXT}>{escape(title)}</text>')
        parts.append(f'<rect x="0" y="{y + 24}" width="{BAR_WIDTH}" height="16" rx="3" fill="{TRACK}"/>')
        parts.append(f'<rect x="0" y="{y + 24}" width="{share * BAR_WIDTH:.1f}" height="16" rx="3" fill="{BAR}"/>')
        parts.append(f'<text x="{BAR_WIDTH + 8}" y="{y + 37}" {TEXT}>{_number(value)} of {_number(high)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def score_bars_html(result: Result, ruleset: RuleSet, ranges: dict[str, tuple[float, float]]) -> str:
    """Give the PDF's chart: per score, its label as text and a bar as a two-rectangle SVG.

    Text inside SVG is laid out by WeasyPrint one element at a time and costs more than the
    rest of the chart together; as paragraphs it is cheap, selectable and read out in order.
    """
    parts = []
    for title, value, (low, high) in _rows(result, ruleset, ranges):
        share = 0.0 if high == low else max(0.0, min(1.0, (value - low) / (high - low)))
        parts.append(f'<p class="bar-label">{escape(title)}: {_number(value)} of {_number(high)}</p>')
        parts.append(
            f'<svg class="bar" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {BAR_WIDTH} 12" aria-hidden="true">'
            f'<rect width="{BAR_WIDTH}" height="12" fill="{TRACK}"/>'
            f'<rect width="{share * BAR_WIDTH:.1f}" height="12" fill="{BAR}"/></svg>'
        )
    return "".join(parts)


def chart_notes(result: Result, ruleset: RuleSet) -> list[str]:
    """Give the notes the rule set writes under the scores that are on the chart, once each."""
    answered = answered_scores(result, ruleset)
    notes = [
        s.note
        for s in ruleset.scores
        if s.note and s.title and s.id in answered and result.scores.get(s.id) is not None
    ]
    return list(dict.fromkeys(notes))


def _rows(
    result: Result, ruleset: RuleSet, ranges: dict[str, tuple[float, float]]
) -> list[tuple[str, float, tuple[float, float]]]:
    """Give (title, value, (low, high)) for each titled score that has a value, a range and at
    least one answered question behind it."""
    found = []
    answered = answered_scores(result, ruleset)
    for score in ruleset.scores:
        value, bounds = result.scores.get(score.id), ranges.get(score.id)
        if score.title and value is not None and bounds and score.id in answered:
            found.append((score.title, value, bounds))
    return found


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)


def _describe(title: str, value: float, bounds: tuple[float, float]) -> str:
    return f"{title}: {_number(value)} on a scale from {_number(bounds[0])} to {_number(bounds[1])}"
