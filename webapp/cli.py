"""The `rekindle` command: the engine's commands, plus serving the web app and its upkeep."""

from __future__ import annotations

import getpass
import os
import secrets
import sys

import click

from assessments.cli import ENGINE_COMMANDS, library_option
from assessments.workbench import analyze_command, new_ruleset_command
from reports.cli import report_command
from webapp.library_cli import command_line_actor as _actor
from webapp.library_cli import library_group


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@library_option
def main(library_dirs: tuple[str, ...]) -> None:
    """Rekindle: questionnaires and rule sets for people deciding whether to try again."""


# purge and counsellor accounts build the app only to reach its storage; it never serves a
# request, so a throwaway random key will do (and no fixed key exists for anyone to know)
def _not_serving() -> dict[str, str]:
    return {"SECRET_KEY": secrets.token_hex(32), "REKINDLE_PURGE_INTERVAL_SECONDS": "0"}


for _command in [*ENGINE_COMMANDS, analyze_command, new_ruleset_command, report_command]:
    main.add_command(_command)
main.add_command(library_group)


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int, help="gunicorn worker processes.")
@click.option("--library", "extra", multiple=True, type=click.Path(file_okay=False), help="Extra library folder.")
@click.option(
    "--reload",
    "reload_files",
    is_flag=True,
    help="For authors: pick up edited, new and removed library files on each request (REKINDLE_RELOAD).",
)
def serve_command(host: str, port: int, workers: int, extra: tuple[str, ...], reload_files: bool) -> None:
    """Start the web app under gunicorn (forked workers) and print its address."""
    from webapp.accesslog import FORMAT
    from webapp.config import ensure_secret_key, instance_folder

    if reload_files:
        os.environ["REKINDLE_RELOAD"] = "1"

    root = click.get_current_context().find_root().params.get("library_dirs") or ()
    folders = [*filter(None, os.environ.get("REKINDLE_LIBRARY", "").split(os.pathsep)), *root, *extra]
    if folders:
        os.environ["REKINDLE_LIBRARY"] = os.pathsep.join(folders)
    instance = instance_folder()
    os.environ["REKINDLE_INSTANCE"] = str(instance)  # the workers use the same folder, whatever their cwd
    if not os.environ.get("REKINDLE_SECRET_KEY"):
        os.environ["REKINDLE_SECRET_KEY"] = ensure_secret_key(instance)
    click.echo(f"Rekindle is running at http://{host}:{port}/  (Ctrl+C to stop)")
    click.echo(f"Instance folder: {instance}")
    if not _has_counsellors():
        click.echo("No counsellor account yet: the counsellors' area is off; run 'rekindle counsellor add NAME'")
    sys.stdout.flush()
    os.execvp(
        sys.executable,
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--bind",
            f"{host}:{port}",
            "--workers",
            str(workers),
            "--access-logfile",
            "-",
            # no sizes, addresses or full paths: they tell which options were chosen (webapp/accesslog.py)
            "--logger-class",
            "webapp.accesslog.PrivateAccessLog",
            "--access-logformat",
            FORMAT,
            "webapp.wsgi:app",
        ],
    )


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
