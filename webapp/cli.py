"""The `rekindle` command: the engine's commands, plus serving the web app and its upkeep."""

from __future__ import annotations

import getpass
import os
import sys

import click

from assessments.cli import ENGINE_COMMANDS, library_option
from assessments.workbench import analyze_command, new_ruleset_command
from reports.cli import report_command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@library_option
def main(library_dirs: tuple[str, ...]) -> None:
    """Rekindle: questionnaires and rule sets for people deciding whether to try again."""


# purge and counsellor accounts build the app only to reach its storage; it never serves a
# request, so it needs no real secret key
_NOT_SERVING = {"SECRET_KEY": "not-serving-requests"}

for _command in [*ENGINE_COMMANDS, analyze_command, new_ruleset_command, report_command]:
    main.add_command(_command)


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
            "--access-logformat",
            '%(h)s "%(r)s" %(s)s %(b)s',
            "webapp.wsgi:app",
        ],
    )


def _has_counsellors() -> bool:
    """Give whether the app serve is about to start has any counsellor account."""
    from webapp import create_app
    from webapp.state import AppState

    app = create_app(_NOT_SERVING)
    state: AppState = app.extensions["rekindle"]
    try:
        return state.store.has_counsellors()
    finally:
        state.store.dispose()


@main.command("purge")
def purge_command() -> None:
    """Delete results past the retention period and idle drafts now."""
    from webapp import create_app, draft_idle, retention
    from webapp.state import AppState

    app = create_app(_NOT_SERVING)
    state: AppState = app.extensions["rekindle"]
    old, idle = state.store.purge(retention=retention(app), draft_idle=draft_idle(app))
    click.echo(f"deleted {old} result(s) and {idle} draft(s)")


@main.group("counsellor")
def counsellor_group() -> None:
    """Manage counsellor accounts for the counsellors' area."""


@counsellor_group.command("add")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def counsellor_add(username: str, password_stdin: bool) -> None:
    """Create (or reset) a counsellor account; asks for the password."""
    from werkzeug.security import generate_password_hash

    from webapp import create_app
    from webapp.state import AppState

    password = sys.stdin.readline().rstrip("\n") if password_stdin else getpass.getpass("Password: ")
    if len(password) < 12:
        raise click.BadParameter("use a password of at least 12 characters", param_hint="password")
    app = create_app(_NOT_SERVING)
    state: AppState = app.extensions["rekindle"]
    state.store.add_counsellor(username, generate_password_hash(password))
    click.echo(f"counsellor '{username}' can now sign in at /counsellor/login")
    click.echo(f"Instance folder: {app.instance_path}")


if __name__ == "__main__":
    main()
