"""`rekindle report`: the same PDF the web app gives, from the command line."""

from __future__ import annotations

from pathlib import Path

import click

from assessments.cli import open_ruleset, read_answers_file
from assessments.errors import AssessmentError
from reports.render import render_pdf


@click.command("report")
@click.argument("ruleset")
@click.option(
    "--answers",
    "answers_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="JSON or YAML file: {questionnaire_id: {question_id: value}}.",
)
@click.option(
    "-o", "--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="Where to write the PDF."
)
@click.pass_context
def report_command(ctx: click.Context, ruleset: str, answers_path: Path, out: Path) -> None:
    """Score an answers file with RULESET (an id or a path) and write the PDF summary."""
    _, scorer = open_ruleset(ctx, ruleset)
    try:
        result = scorer.score(read_answers_file(answers_path))
    except AssessmentError as exc:
        click.echo(f"{answers_path}: {exc}", err=True)
        ctx.exit(1)
    out.write_bytes(render_pdf(result, scorer.ruleset, list(scorer.questionnaires)))
    click.echo(f"wrote {out}")
