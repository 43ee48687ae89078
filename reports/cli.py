"""`rekindle report`: the same PDF the web app gives, from the command line."""

from __future__ import annotations

from pathlib import Path

import click

from assessments.cli import ruleset_and_answers, score_answers_file
from reports.render import render_pdf


@click.command("report")
@ruleset_and_answers
@click.option(
    "-o", "--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="Where to write the PDF."
)
@click.pass_context
def report_command(ctx: click.Context, ruleset: str, answers_path: Path, out: Path) -> None:
    """Score an answers file with RULESET (an id or a path) and write the PDF summary."""
    scorer, result = score_answers_file(ctx, ruleset, answers_path)
    out.write_bytes(render_pdf(result, scorer.ruleset, list(scorer.questionnaires)))
    click.echo(f"wrote {out}")
