"""The `rekindle` command: the engine's commands, plus serving the web app and its upkeep.

Commands load what they use: `rekindle --help` imports click and this module only. Each of
the engine's commands (and `report`) is imported when it runs, the pattern of click's
documentation ("Lazily Loading Subcommands"); the commands written here import the web app,
gunicorn or RQ inside their bodies. The one-line help of a lazily loaded command is written
in LAZY below, so listing the commands imports nothing; a test checks it against each
command's own docstring.
"""

from __future__ import annotations

import getpass
import importlib
import os
import secrets
import sys
from pathlib import Path

import click

from webapp.library_cli import command_line_actor as _actor
from webapp.library_cli import library_group

# name -> (module:attribute, the first line of the command's docstring)
LAZY: dict[str, tuple[str, str]] = {
    "validate": (
        "assessments.cli:validate_command",
        "Check the given files (or the whole library) against the library; one line per error.",
    ),
    "list": ("assessments.cli:list_command", "List the questionnaires and rule sets with their versions."),
    "score": (
        "assessments.cli:score_command",
        "Score an answers file with RULESET (an id or a path) and explain the outcome.",
    ),
    "test": (
        "assessments.cli:test_command",
        "Run scenario files (default: every one in the library); print N passed, M failed.",
    ),
    "schema": (
        "assessments.cli:schema_command",
        "Write JSON Schemas for questionnaire, rule-set and scenario files (for editors).",
    ),
    "analyze": (
        "assessments.workbench:analyze_command",
        "Show what RULESET (an id or a path) can do: score ranges, reachable outcomes, rules that never fire.",
    ),
    "new-ruleset": (
        "assessments.workbench:new_ruleset_command",
        "Write a commented starter rule set for QUESTIONNAIRE (an id) and a starter scenario file.",
    ),
    "report": (
        "reports.cli:report_command",
        "Score an answers file with RULESET (an id or a path) and write the PDF summary.",
    ),
}


class LazyGroup(click.Group):
    """A group whose commands in LAZY are imported only when they run (or their own help is asked)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *LAZY])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in LAZY:
            return super().get_command(ctx, cmd_name)
        module, attribute = LAZY[cmd_name][0].split(":")
        command = getattr(importlib.import_module(module), attribute)
        assert isinstance(command, click.Command), f"{LAZY[cmd_name][0]} is not a command"
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """List every command with its one-line help, importing none of the lazy ones."""
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = []
        for name in names:
            if name in LAZY:
                # a stand-in with the same first line shortens it exactly as the real command would
                rows.append((name, click.Command(name, help=LAZY[name][1]).get_short_help_str(limit)))
                continue
            command = super().get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--library",
    "library_dirs",
    multiple=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Also load questionnaires and rule sets from DIR (repeatable; also REKINDLE_LIBRARY).",
)  # the engine's own `library_option` (assessments/cli.py), written out so that --help imports no engine
def main(library_dirs: tuple[Path, ...]) -> None:
    """Rekindle: questionnaires and rule sets for people deciding whether to try again."""


# purge and counsellor accounts build the app only to reach its storage; it never serves a
# request, so a throwaway random key will do (and no fixed key exists for anyone to know)
def _not_serving() -> dict[str, str]:
    return {"SECRET_KEY": secrets.token_hex(32), "REKINDLE_PURGE_INTERVAL_SECONDS": "0"}


main.add_command(library_group)


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    help="gunicorn worker processes [default: the machine's cores, at least 2].",
)
@click.option(
    "--threads",
    type=click.IntRange(min=1),
    help="Threads per worker process [default: 4].",
)
@click.option(
    "--timeout",
    default=30,
    show_default=True,
    type=click.IntRange(min=2),
    help="Seconds a request may take, and a stopping worker is given to finish; above REKINDLE_PDF_TIMEOUT.",
)
@click.option("--library", "extra", multiple=True, type=click.Path(file_okay=False), help="Extra library folder.")
@click.option(
    "--reload",
    "reload_files",
    is_flag=True,
    help="For authors: pick up edited, new and removed library files on each request (REKINDLE_RELOAD).",
)
def serve_command(
    host: str,
    port: int,
    workers: int | None,
    threads: int | None,
    timeout: int,
    extra: tuple[str, ...],
    reload_files: bool,
) -> None:
    """Start the web app under gunicorn (worker processes with threads) and print its address."""
    from webapp.config import ensure_secret_key, instance_folder
    from webapp.serving import cores, gunicorn_argv, pdf_timeout_problem, sizes

    problem = pdf_timeout_problem(os.environ, timeout)
    if problem:
        raise click.UsageError(problem)
    if reload_files:
        os.environ["REKINDLE_RELOAD"] = "1"

    root = click.get_current_context().find_root().params.get("library_dirs") or ()
    folders = [*filter(None, os.environ.get("REKINDLE_LIBRARY", "").split(os.pathsep)), *map(str, root), *extra]
    if folders:
        os.environ["REKINDLE_LIBRARY"] = os.pathsep.join(folders)
    instance = instance_folder()
    os.environ["REKINDLE_INSTANCE"] = str(instance)  # the workers use the same folder, whatever their cwd
    if not os.environ.get("REKINDLE_SECRET_KEY"):
        os.environ["REKINDLE_SECRET_KEY"] = ensure_secret_key(instance)
    workers, threads = sizes(cores(), workers, threads)
    click.echo(f"Rekindle is running at http://{host}:{port}/  (Ctrl+C to stop)")
    click.echo(f"Instance folder: {instance}")
    if not _has_counsellors():
        click.echo("No counsellor account yet: the counsellors' area is off; run 'rekindle counsellor add NAME'")
    click.echo(f"{workers} worker processes with {threads} threads each; request timeout {timeout} s")
    sys.stdout.flush()
    argv = gunicorn_argv(host=host, port=port, workers=workers, threads=threads, timeout=timeout)
    os.execvp(sys.executable, [sys.executable, "-m", *argv])


@main.command("worker")
@click.option("--burst", is_flag=True, help="Stop once the queue is empty (for scripts and tests).")
def worker_command(burst: bool) -> None:
    """Make PDF summaries from the queue in Redis (REKINDLE_REDIS_URL), one at a time.

    Run one per core on each machine that should render; every worker needs the app's
    REKINDLE_SECRET_KEY and REKINDLE_DATABASE_URL.
    """
    from webapp.pdfqueue import run_worker

    run_worker(dict(os.environ), burst=burst)


def _has_counsellors() -> bool:
    """Give whether the app serve is about to start has any counsellor account."""
    from webapp import create_app
    from webapp.state import AppState

    state: AppState = create_app(_not_serving()).extensions["rekindle"]
    try:
        return state.accounts.any()
    finally:
        state.store.dispose()


@main.command("purge")
def purge_command() -> None:
    """Delete results past the retention period, idle drafts and idle counsellor sessions now.

    A running server does this by itself every REKINDLE_PURGE_INTERVAL_SECONDS.
    """
    from webapp import create_app
    from webapp.housekeeping import purge_now

    old, idle = purge_now(create_app(_not_serving()))
    click.echo(f"deleted {old} result(s) and {idle} draft(s)")


@main.group("counsellor")
def counsellor_group() -> None:
    """Manage counsellor accounts for the counsellors' area."""


@counsellor_group.command("add")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password (once) from standard input, for scripts.")
@click.option(
    "--role",
    type=click.Choice(["author", "reviewer", "admin"]),
    help="author (the default for a new account), reviewer or admin; a reset keeps the role unless given.",
)
def counsellor_add(username: str, password_stdin: bool, role: str | None) -> None:
    """Create a counsellor account, or reset its password (which signs it out everywhere).

    Asks for the password twice. It must be at least 12 characters and not common or easy to
    guess (judged by zxcvbn).
    """
    from werkzeug.security import generate_password_hash

    from webapp import create_app
    from webapp.passwords import password_problem
    from webapp.state import AppState

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Password again: ") != password:
            raise click.BadParameter("the two passwords differ; nothing was changed", param_hint="password")
    problem = password_problem(password, username)
    if problem:
        raise click.BadParameter(problem, param_hint="password")
    app = create_app(_not_serving())
    state: AppState = app.extensions["rekindle"]
    role = state.accounts.add(username, generate_password_hash(password), role, actor=_actor())
    click.echo(f"counsellor '{username}' ({role}) can now sign in at /counsellor/login")
    click.echo(f"Instance folder: {app.instance_path}")


@counsellor_group.command("remove")
@click.argument("username")
def counsellor_remove(username: str) -> None:
    """Delete a counsellor account; every session it had ends at once."""
    from webapp import create_app
    from webapp.state import AppState

    state: AppState = create_app(_not_serving()).extensions["rekindle"]
    if not state.accounts.remove(username, actor=_actor()):
        raise click.ClickException(f"there is no counsellor '{username}'")
    click.echo(f"counsellor '{username}' is removed and signed out everywhere")


if __name__ == "__main__":
    main()
