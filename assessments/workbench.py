"""The authors' commands: analyze a rule set, and start a new one from a questionnaire."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import click

from assessments.analysis import analyze, render_text
from assessments.analysis.where import problem_keys
from assessments.checks import check_ruleset
from assessments.cli import library_dirs, open_ruleset
from assessments.engine import Scorer
from assessments.errors import AssessmentError, FileError, display_path
from assessments.library import load_library
from assessments.loading import read_source
from assessments.models.base import ID_PATTERN
from assessments.models.conditions import Compare
from assessments.models.ruleset import RuleSet
from assessments.starter import inherited, starter_ruleset, starter_scenarios


@click.command("analyze")
@click.argument("ruleset")
@click.option("--json", "as_json", is_flag=True, help="Print the analysis as JSON.")
@click.option(
    "--samples",
    default=2000,
    show_default=True,
    type=click.IntRange(0, 1_000_000),
    help="Random answer sets to try first.",
)
@click.pass_context
def analyze_command(ctx: click.Context, ruleset: str, as_json: bool, samples: int) -> None:
    """Show what RULESET (an id or a path) can do: score ranges, reachable outcomes, rules that never fire.

    Exits 1 when something is proven wrong: an outcome no answers reach, a rule that can never
    fire, bands that overlap or leave a gap (reported when the file is loaded), or a guarantee
    (the rule set's own, or a library policy's) that is broken or could not be decided.
    """
    library, scorer = open_ruleset(ctx, ruleset)
    ruleset_id = scorer.ruleset.id
    examples = library.scenario_answers(ruleset_id)
    analysis = analyze(
        library.ruleset(ruleset_id),
        scorer.questionnaires,
        samples=samples,
        examples=examples,
        guarantees=library.proofs.get(ruleset_id, []),
    )
    source = library.source("ruleset", ruleset_id)

    def locate(message: str) -> str:  # errors read like validate's: file:line:col: key.path: message
        keys = problem_keys(scorer.ruleset, message)
        if keys is None:
            return message  # about another file (a library policy): printed below with its position
        return source.problem(keys, message).format(display_path(source.path))

    if as_json:
        click.echo(json.dumps(analysis.to_dict(), indent=2, ensure_ascii=False, default=str))
    else:
        click.echo(render_text(analysis, locate))
    for error in library.errors:  # where each unkept guarantee is written, file:line:col
        if error.declares == ("ruleset", ruleset_id) and library.refused.get(ruleset_id):
            click.echo(str(error), err=True)
    if analysis.problems():
        ctx.exit(1)


@click.command("new-ruleset")
@click.argument("questionnaire")
@click.option("--id", "ruleset_id", help="The new rule set's id (default: QUESTIONNAIRE-draft).")
@click.option(
    "--out",
    "folder",
    default=".",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write ID.yaml and ID.scenarios.yaml into.",
)
@click.pass_context
def new_ruleset_command(ctx: click.Context, questionnaire: str, ruleset_id: str | None, folder: Path) -> None:
    """Write a commented starter rule set for QUESTIONNAIRE (an id) and a starter scenario file."""
    library = load_library(library_dirs(ctx))
    try:
        chosen = library.questionnaire(questionnaire)
    except AssessmentError as exc:
        raise click.UsageError(str(exc)) from None
    ruleset_id = ruleset_id or f"{chosen.id}-draft"
    if not re.fullmatch(ID_PATTERN, ruleset_id):
        raise click.BadParameter("use lowercase letters, digits and hyphens, starting with a letter", param_hint="--id")
    if ruleset_id in library.rulesets:
        raise click.BadParameter(f"a rule set '{ruleset_id}' already exists; choose another id", param_hint="--id")
    rules_path, cases_path = folder / f"{ruleset_id}.yaml", folder / f"{ruleset_id}.scenarios.yaml"
    for path in (rules_path, cases_path):
        if path.exists():
            raise click.UsageError(f"{path} already exists; choose another --id or --out (nothing was written)")
    default = library.rulesets.get(chosen.default_ruleset)
    keep = inherited(chosen, default, list(library.policies.values()))
    text = starter_ruleset(chosen, ruleset_id, folder, keep=keep)
    try:  # the starter must be valid as written; tests check it for many questionnaires
        model = read_source(text.encode(), rules_path).model
        assert isinstance(model, RuleSet) and not check_ruleset(model, {chosen.id: chosen})
    except (FileError, AssertionError):
        raise click.ClickException(f"could not build a valid starter for '{chosen.id}'; please report this") from None
    cases = starter_cases(Scorer(model, [chosen]))
    folder.mkdir(parents=True, exist_ok=True)
    rules_path.write_text(text, encoding="utf-8")
    cases_path.write_text(starter_scenarios(ruleset_id, cases, folder), encoding="utf-8")
    click.echo(f"wrote {rules_path}\nwrote {cases_path}")
    click.echo(f"next: edit them, then run 'rekindle --library {folder} test {cases_path} --coverage'")


def starter_cases(scorer: Scorer) -> list[tuple[str, dict[str, Any], str]]:
    """Give starter cases: nothing answered, and the answer that makes the forcing example fire."""
    qid = scorer.ruleset.questionnaires[0]
    forcing = [r for r in scorer.ruleset.rules if r.force and isinstance(r.when, Compare)]
    rule = next((r for r in forcing if r.id == "example-force"), forcing[0])
    test = rule.when
    assert isinstance(test, Compare)
    answer: Any = {"contains": [test.value], "answered": "some words"}.get(test.op, test.value)
    cases: list[tuple[str, dict[str, Any], str]] = []
    for name, answers in (("nothing answered", {qid: {}}), (f"{test.ref} answered", {qid: {test.ref: answer}})):
        try:
            outcome = scorer.score(answers).outcome.id
        except AssessmentError:
            continue  # e.g. the question is asked only after other answers
        cases.append((name, answers, outcome))
    return cases
