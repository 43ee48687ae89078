"""The engine's commands: validate, list, score, test, schema. They know nothing of the web or PDFs.

`webapp/cli.py` puts these together with `serve` and `report` into the `rekindle` command.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from assessments.coverage import measure
from assessments.engine import Scorer
from assessments.errors import AssessmentError, FileError, GuaranteeFailure, display_path
from assessments.library import Library, env_dirs, load_library, yaml_files
from assessments.loading import SourceFile
from assessments.models.policy import Policy
from assessments.models.ruleset import RuleSet
from assessments.models.scenarios import ScenarioFile
from assessments.presentation import present
from assessments.reference import format_reference
from assessments.result import DECIDED_BY, Explanation, Result
from assessments.scenarios import CaseReport, run_scenarios
from assessments.schema import SCHEMA_DIR, write_schemas
from assessments.yamlload import parse_yaml

F = TypeVar("F", bound=Callable[..., Any])


def library_option(func: F) -> F:
    """Add the repeatable --library DIR option (also read from REKINDLE_LIBRARY)."""
    return click.option(
        "--library",
        "library_dirs",
        multiple=True,
        type=click.Path(file_okay=False, path_type=Path),
        help="Also load questionnaires and rule sets from DIR (repeatable; also REKINDLE_LIBRARY).",
    )(func)


def library_dirs(ctx: click.Context, extra: tuple[Path, ...] = ()) -> list[Path]:
    """Give the folders the command line and REKINDLE_LIBRARY name."""
    root = ctx.find_root()
    given = list(root.params.get("library_dirs") or ()) if root.params else []
    return [*env_dirs(), *given, *extra]


def _expand(paths: tuple[Path, ...]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        found += yaml_files(path) if path.is_dir() else [path]
    return found


def _load_checked(ctx: click.Context, paths: tuple[Path, ...]) -> tuple[list[Path], Library, list[FileError]]:
    """Load the library with the named files standing in, and give the errors that concern them.

    Only the guarantees whose failures would be reported are proven: those of the named rule
    sets and of the rule sets named scenario files test, or every rule set's when a policy file
    is named (its failures are written at the policy). Proving is most of the time `validate`
    takes, so checking one file does not prove the whole library.
    """
    files = _expand(paths)
    named = {f.resolve() for f in files}
    concerned: set[tuple[str, str]] = set()

    def to_prove(library: Library) -> list[str]:
        # a named rule set, and the rule sets that named scenario files test, must keep their
        # guarantees; a broken one is reported where it is written (often a policy file)
        mine = [s for s in [*library.sources.values(), *library.scenario_sources] if s.path.resolve() in named]
        concerned.update(
            ("ruleset", s.model.ruleset if isinstance(s.model, ScenarioFile) else s.model.id)
            for s in mine
            if isinstance(s.model, (RuleSet, ScenarioFile))
        )
        if any(isinstance(s.model, Policy) for s in mine):
            return list(library.rulesets)
        return [item_id for _, item_id in concerned]

    library = load_library(library_dirs(ctx), files=files, replace=True, prove=to_prove if files else None)
    errors = [
        e
        for e in library.errors
        if not files or e.path.resolve() in named or (isinstance(e, GuaranteeFailure) and e.declares in concerned)
    ]
    _print_stand_ins(library)
    _print_errors(errors)
    return files, library, errors


def _print_errors(errors: list[FileError]) -> None:
    for error in errors:
        click.echo(str(error), err=True)


def _print_stand_ins(library: Library) -> None:
    """Say which library file each file named on the command line stands in for (same id)."""
    for named, replaced in library.stand_ins:
        click.echo(
            f"note: {display_path(named)} stands in for {display_path(replaced)} (same id) in this run", err=True
        )


def open_ruleset(ctx: click.Context, name: str) -> tuple[Library, Scorer]:
    """Load the library and give the Scorer for RULESET, an id or a path to a rule-set file."""
    path = Path(name)
    is_file = path.suffix in (".yaml", ".yml") or path.is_file()
    library = load_library(library_dirs(ctx), files=[path] if is_file else [], replace=True)
    _print_stand_ins(library)
    if is_file:  # a rule set that breaks a guarantee still loads: analyze and score show why
        mine = [e for e in library.errors if e.path == path and not isinstance(e, GuaranteeFailure)]
        if mine:
            _print_errors(mine)
            ctx.exit(1)
        source = next((s for s in library.sources.values() if s.path == path), None)
        if source is None or not isinstance(source.model, RuleSet):
            raise click.UsageError(f"{name} is not a rule-set file (it should start with 'kind: ruleset')")
        name = source.model.id
    try:
        return library, library.scorer(name)
    except AssessmentError as exc:
        broken = [e for e in library.errors if e.declares == ("ruleset", name)]
        # "questionnaire 'x' failed to load; fix the errors reported for it": report them here too
        failed = {
            q for e in broken for p in e.problems for q in re.findall(r"questionnaire '([^']+)' failed", p.message)
        }
        broken += [e for e in library.errors if e.declares in {("questionnaire", q) for q in failed}]
        if broken:
            _print_errors(broken)
            ctx.exit(1)
        raise click.UsageError(str(exc)) from None


def read_answers_file(path: Path) -> Any:
    """Read an answers file, JSON or YAML, into plain data (YAML read with the safe loader)."""
    raw = path.read_bytes()
    if path.suffix == ".json":
        try:
            return json.loads(raw)
        except ValueError as exc:
            raise click.BadParameter(f"{path}: not valid JSON: {exc}", param_hint="--answers") from None
        except RecursionError:  # the JSON parser recurses; YAML answers have the loader's nesting limit
            raise click.BadParameter(
                f"{path}: nested far too deeply; answers are {{questionnaire: {{question: answer}}}}",
                param_hint="--answers",
            ) from None
    parsed = parse_yaml(raw)
    if isinstance(parsed, list):
        raise click.BadParameter("\n".join(p.format(str(path)) for p in parsed), param_hint="--answers")
    return parsed.data


def ruleset_and_answers(func: F) -> F:
    """Add the RULESET argument (an id or a path) and the --answers FILE option."""
    func = click.option(
        "--answers",
        "answers_path",
        required=True,
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="JSON or YAML file: {questionnaire_id: {question_id: value}}.",
    )(func)
    return click.argument("ruleset")(func)


def score_answers_file(ctx: click.Context, ruleset: str, answers_path: Path) -> tuple[Scorer, Result]:
    """Give the Scorer for RULESET and the Result for the answers file; exit 1 with every problem."""
    _, scorer = open_ruleset(ctx, ruleset)
    try:
        return scorer, scorer.score(read_answers_file(answers_path))
    except AssessmentError as exc:
        click.echo(f"{answers_path}: {exc}", err=True)
        ctx.exit(1)
        raise  # unreachable: ctx.exit raises


@click.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.pass_context
def validate_command(ctx: click.Context, paths: tuple[Path, ...]) -> None:
    """Check the given files (or the whole library) against the library; one line per error."""
    files, library, errors = _load_checked(ctx, paths)
    checked = len(files) if files else len(library.sources) + len(library.scenario_sources) + len(library.errors)
    problems = sum(len(e.problems) for e in errors)
    if errors:
        click.echo(
            f"{checked} files checked: {problems} problem{'s' * (problems != 1)} in {len(errors)} file{'s' * (len(errors) != 1)}",
            err=True,
        )
        ctx.exit(1)
    click.echo(f"{checked} files checked: all valid")


@click.command("list")
@click.pass_context
def list_command(ctx: click.Context) -> None:
    """List the questionnaires and rule sets with their versions."""
    library = load_library(library_dirs(ctx))
    click.echo("Questionnaires:")
    for q in library.questionnaires.values():
        click.echo(f"  {q.id:<28} v{q.version:<6} {q.title} (about {q.minutes} min; scored by {q.default_ruleset})")
    click.echo("Rule sets:")
    for r in library.rulesets.values():
        click.echo(f"  {r.id:<28} v{r.version:<6} {r.title} (scores {', '.join(r.questionnaires)})")
    if library.errors:
        click.echo(f"{len(library.errors)} file(s) failed to load; run 'rekindle validate' to see why", err=True)


@click.command("score")
@ruleset_and_answers
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--explain", is_flag=True, help="Also show every rule that did not fire and why.")
@click.pass_context
def score_command(ctx: click.Context, ruleset: str, answers_path: Path, as_json: bool, explain: bool) -> None:
    """Score an answers file with RULESET (an id or a path) and explain the outcome."""
    _, scorer = open_ruleset(ctx, ruleset)
    answers = read_answers_file(answers_path)
    try:
        explanation = scorer.explain(answers) if explain else None
        result = explanation.result if explanation else scorer.score(answers)
    except AssessmentError as exc:
        click.echo(f"{answers_path}: {exc}", err=True)
        ctx.exit(1)
    if as_json:
        data = result.to_dict()
        if explanation:
            data["rules"] = [{"id": t.id, "fired": t.fired, "why_not": t.why_not} for t in explanation.rules]
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    click.echo(render_result(result, explanation))


def render_result(result: Result, explanation: Explanation | None = None) -> str:
    """Give the plain-text account of a result that `rekindle score` prints.

    What the person would see comes first (for a safety result: no scores, weights or reasons
    towards other outcomes); with an explanation, the counsellor's full trace follows.
    """
    shown = present(result)
    out = [
        f"Outcome: {result.outcome.title} ({result.outcome.id})",
        f"  {result.outcome.summary}",
    ]
    if shown.resources:
        out.append("\nSafety first — people who can help:" if result.safety else "\nWhere to find support:")
        out += [
            f"  - {r.name} [{r.country}]{' ' + r.phone if r.phone else ''}{' ' + r.url if r.url else ''}"
            for r in shown.resources
        ]
    out.append("\nWhy:")
    out += [f"  - {reason}" for reason in shown.reasons] or ["  (no rule fired)"]
    if shown.other_reasons:
        out.append("\nAlso weighed, towards other outcomes:")
        out += [f"  - {reason}" for reason in shown.other_reasons]
    if result.flags:
        out.append("\nFlags: " + ", ".join(f.title for f in result.flags))
    if not shown.safety_first:
        out.append("\nScores:")
        out += [f"  {k:<32} {_num(v)}" for k, v in result.scores.items()] or ["  (none)"]
    out.append("\nWhat to do next:")
    out += [f"  - {a}" for a in result.advice] or ["  (none)"]
    if result.missing:
        out.append(f"\nUnanswered ({result.missing_treatment}): {', '.join(result.missing)}")
    if explanation:
        out.append("\nFor counsellors — the full trace:")
        out.append(f"  Decided by {DECIDED_BY.get(result.decided_by, result.decided_by)}.")
        out.append("  Rules that fired:")
        out += [f"    - {rule.because}{_contribution(rule)}" for rule in result.fired] or ["    (none)"]
        out.append("  Scores: " + (", ".join(f"{k} {_num(v)}" for k, v in result.scores.items()) or "(none)"))
        if any(result.tallies.values()):
            out.append("  Tallies: " + ", ".join(f"{k} {_num(v)}" for k, v in result.tallies.items()))
        out.append("  Rules that did not fire:")
        out += [f"    - {t.id}: {t.why_not}" for t in explanation.rules if not t.fired] or ["    (all fired)"]
    out.append(f"\nRule set: {result.ruleset_id} v{result.ruleset_version} (content {result.ruleset_hash[:12]})")
    return "\n".join(out)


def _contribution(rule: Any) -> str:
    parts = [f"+{_num(w)} {o}" if w >= 0 else f"{_num(w)} {o}" for o, w in rule.add.items()]
    if rule.force:
        parts.append(f"forces {rule.force}")
    return f"  [{rule.id}: {', '.join(parts)}]" if parts else f"  [{rule.id}]"


def _num(value: Any) -> str:
    if value is None:
        return "-"
    return f"{value:g}" if isinstance(value, float) else str(value)


@click.command("test")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--coverage", is_flag=True, help="Also list outcomes, bands and rules that no case reached.")
@click.pass_context
def test_command(ctx: click.Context, paths: tuple[Path, ...], coverage: bool) -> None:
    """Run scenario files (default: every one in the library); print N passed, M failed."""
    files, library, broken = _load_checked(ctx, paths)
    sources: list[SourceFile] = [s for s in library.scenario_sources if not files or s.path in files]
    passed = failed = 0
    reports: dict[str, list[CaseReport]] = {}
    if coverage and not files:  # rule sets without any scenario file are the least covered of all
        reports = {ruleset_id: [] for ruleset_id in library.rulesets}
    for source in sources:
        scenario_file = source.model
        assert isinstance(scenario_file, ScenarioFile)
        for report in run_scenarios(library.scorer(scenario_file.ruleset), scenario_file):
            reports.setdefault(report.ruleset, []).append(report)
            if report.passed:
                passed += 1
                continue
            failed += 1
            click.echo(f"FAIL {source.path.name}: {report.name}", err=True)
            for failure in report.failures:
                click.echo(f"     {failure}", err=True)
    refused = [e for e in broken if isinstance(e, GuaranteeFailure)]
    if len(refused) < len(broken):
        click.echo(f"{len(broken) - len(refused)} file(s) could not be loaded", err=True)
    if refused:
        rulesets = sorted({e.declares[1] for e in refused if e.declares})
        click.echo(f"rule set(s) not keeping every guarantee (not served): {', '.join(rulesets)}", err=True)
    click.echo(f"{passed} passed, {failed} failed")
    if coverage:
        _print_coverage(library, reports)
    if failed or broken or not (passed or failed):
        ctx.exit(1)


def _print_coverage(library: Library, reports: dict[str, list[CaseReport]]) -> None:
    for ruleset_id, ran in reports.items():
        found = measure(ruleset_id, ran)
        missed = found.missed(library.ruleset(ruleset_id))
        click.echo(f"\nCoverage of {ruleset_id} ({found.cases} case{'s' * (found.cases != 1)}):")
        if not any(missed.values()):
            click.echo("  every outcome, band and rule is reached by some case")
        for kind, names in missed.items():
            if names:
                click.echo(f"  {kind} no case reaches: {', '.join(names)}")


@click.command("schema")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=SCHEMA_DIR,
    show_default="assessments/schemas",
    help="Folder to write the JSON Schemas into.",
)
@click.option(
    "--reference",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the format reference (Markdown, like docs/format.md) to this file.",
)
def schema_command(out: Path, reference: Path | None) -> None:
    """Write JSON Schemas for questionnaire, rule-set and scenario files (for editors)."""
    for path in write_schemas(out):
        click.echo(f"wrote {path}")
    if reference is not None:
        reference.write_text(format_reference(), encoding="utf-8")
        click.echo(f"wrote {reference}")


ENGINE_COMMANDS = [validate_command, list_command, score_command, test_command, schema_command]
