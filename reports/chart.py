"""The scores as an inline SVG bar chart: no raster images, no chart library.

Bars are one neutral colour; nothing is green or red, and the caption says that a low number
is not the same as safe.
"""

from __future__ import annotations

from html import escape

from assessments import Result, RuleSet

WIDTH = 480
BAR = "#23395b"  # one neutral colour: nothing green or red
TRACK = "#e8edf5"
TEXT = 'font-size="14" fill="#1d1d1f"'
BAR_WIDTH = 370
ROW_HEIGHT = 56


def score_chart_svg(result: Result, ruleset: RuleSet, ranges: dict[str, tuple[float, float]]) -> str:
    """Give an SVG chart of the result's titled scores, each against its possible range."""
    rows = [
        (score.title, result.scores.get(score.id), ranges.get(score.id))
        for score in ruleset.scores
        if score.title and result.scores.get(score.id) is not None and ranges.get(score.id)
    ]
    if not rows:
        return ""
    height = ROW_HEIGHT * len(rows) + 8
    parts = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}"'
        f' width="100%" role="img" aria-labelledby="chart-title chart-desc">',
        '<title id="chart-title">Your scores</title>',
        '<desc id="chart-desc">' + escape("; ".join(_describe(t, v, r) for t, v, r in rows)) + "</desc>",
    ]
    for index, (title, value, (low, high)) in enumerate(rows):  # type: ignore[misc]
        y = index * ROW_HEIGHT
        share = 0.0 if high == low else max(0.0, min(1.0, (value - low) / (high - low)))
        # colours as attributes, not CSS: the same SVG is drawn by browsers and by WeasyPrint
        parts.append(f'<text x="0" y="{y + 16}" {TEXT}>{escape(title)}</text>')
        parts.append(f'<rect x="0" y="{y + 24}" width="{BAR_WIDTH}" height="16" rx="3" fill="{TRACK}"/>')
        parts.append(f'<rect x="0" y="{y + 24}" width="{share * BAR_WIDTH:.1f}" height="16" rx="3" fill="{BAR}"/>')
        parts.append(f'<text x="{BAR_WIDTH + 8}" y="{y + 37}" {TEXT}>{_number(value)} of {_number(high)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)


def _describe(title: str, value: float | None, bounds: tuple[float, float] | None) -> str:
    assert value is not None and bounds is not None
    return f"{title}: {_number(value)} on a scale from {_number(bounds[0])} to {_number(bounds[1])}"
