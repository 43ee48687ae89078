"""Report benchmark (not a test): the combined rule set's PDF for a typical response, against
WeasyPrint laying out the same text as plain HTML (one <p> per block, no CSS, no SVG) in the same
process; then a cached download through the web route. Prints name=value lines.

    python bench/reports.py [--rounds N]
"""

from __future__ import annotations

import argparse
import gc
import io
import random
import statistics
import sys
import tempfile
import time
from html import escape
from html.parser import HTMLParser
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pypdf import PdfReader
from weasyprint import HTML

from assessments import load_library
from assessments.cli import read_answers_file
from reports.render import font_config, render_html, render_pdf

ROOT = Path(__file__).resolve().parent.parent
BLOCKS = {"h1", "h2", "h3", "p", "li", "th", "td"}


class _Blocks(HTMLParser):
    """Collect the text of each block element, leaving out styles and the SVG chart."""

    def __init__(self) -> None:
        super().__init__()
        self.blocks: list[str] = []
        self.skip = 0
        self.current: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "svg", "title"):
            self.skip += 1
        elif tag in BLOCKS and not self.skip:
            self.current = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "svg", "title"):
            self.skip -= 1
        elif tag in BLOCKS and self.current is not None:
            text = " ".join("".join(self.current).split())
            if text:
                self.blocks.append(text)
            self.current = None

    def handle_data(self, data: str) -> None:
        if self.current is not None and not self.skip:
            self.current.append(data)


def plain_html(html: str) -> str:
    """Give the same text as bare paragraphs."""
    parser = _Blocks()
    parser.feed(html)
    return "<html><body>" + "".join(f"<p>{escape(b)}</p>" for b in parser.blocks) + "</body></html>"


def _median_ms(func, rounds: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(rounds):
        gc.collect()  # the garbage of one render would otherwise be collected during the next one
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    library = load_library()
    scorer = library.scorer("should-i-try")
    result = scorer.score(read_answers_file(ROOT / "examples" / "should-i-try.yaml"))
    questionnaires = list(scorer.questionnaires)
    plain = plain_html(render_html(result, scorer.ruleset, questionnaires))
    render_pdf(result, scorer.ruleset, questionnaires)  # warm up fonts and caches for both
    HTML(string=plain).write_pdf()
    report_times, plain_times, same_font_times = [], [], []
    sides = [
        (report_times, lambda: render_pdf(result, scorer.ruleset, questionnaires)),
        (plain_times, lambda: HTML(string=plain).write_pdf()),
        # the plain text again, given the report's shared font configuration: for comparison only
        (same_font_times, lambda: HTML(string=plain).write_pdf(font_config=font_config())),
    ]
    for _ in range(args.rounds):  # interleaved in a random order, so a slower moment affects all
        random.shuffle(sides)
        for times, render in sides:
            times.append(_median_ms(render, 1))
    pdf = render_pdf(result, scorer.ruleset, questionnaires)
    pages = len(PdfReader(io.BytesIO(pdf)).pages)

    from tests.webapp.flow import complete
    from webapp import create_app

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"TESTING": True, "REKINDLE_DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite"})
        client = app.test_client()
        url = complete(
            client,
            app.extensions["rekindle"].flows["should-i-try"],
            read_answers_file(ROOT / "examples" / "should-i-try.yaml"),
        ).request.path
        client.get(f"{url}/summary.pdf")  # renders and caches
        cached_ms = _median_ms(lambda: client.get(f"{url}/summary.pdf").close(), 25)
        app.extensions["rekindle"].store.dispose()

    report_ms, plain_ms = statistics.median(report_times), statistics.median(plain_times)
    print(f"report_ms={report_ms:.0f}")
    print(f"plain_ms={plain_ms:.0f}")
    print(
        f"report_vs_plain_ratio={statistics.median(r / p for r, p in zip(report_times, plain_times, strict=True)):.2f}"
    )
    print(
        "report_vs_plain_same_fonts_ratio="
        f"{statistics.median(r / p for r, p in zip(report_times, same_font_times, strict=True)):.2f}"
    )
    print(f"pages={pages}")
    print(f"cached_download_ms={cached_ms:.1f}")


if __name__ == "__main__":
    main()
