"""`rekindle library export|import`: files stay first-class. The published library can be written
out as files that `rekindle validate`, `test` and `analyze` accept, and files (from git, say)
can be stored as drafts, or published when the checks pass and no approval is needed.

Only click is imported at module level, so `rekindle --help` stays quick.
"""

from __future__ import annotations

import getpass
import secrets
from pathlib import Path
from typing import Any

import click


def command_line_actor() -> str:
    """Give who the audit log names for a command: the command line and the system user."""
    return f"command line ({getpass.getuser()})"


def _state() -> Any:
    from webapp import create_app

    # the app is built only to reach its storage; it serves no request, so a throwaway key will do
    app = create_app({"SECRET_KEY": secrets.token_hex(32), "REKINDLE_PURGE_INTERVAL_SECONDS": "0"})
    return app.extensions["rekindle"]


@click.group("library")
def library_group() -> None:
    """The library in the database: export it as files, import files into it."""


@library_group.command("export")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
def export_command(folder: Path) -> None:
    """Write the published library into FOLDER, as the bundled library is laid out.

    questionnaires/, rules/ (rule sets and their scenario files), policies/, and schemas/ for
    editors. Each file is the published text exactly. Check them with `rekindle validate FOLDER`
    and `rekindle test FOLDER`.
    """
    from assessments.library import yaml_files
    from assessments.schema import write_schemas

    current = _state()
    _, versions = current.documents.published()
    written = set()
    for version in versions:
        path = folder / version.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(version.raw)
        written.add(path.resolve())
    write_schemas(folder / "schemas")
    click.echo(f"wrote {len(versions)} published file(s) to {folder}")
    others = [p for p in yaml_files(folder) if p.resolve() not in written] if folder.is_dir() else []
    for path in others:
        click.echo(f"note: {path} is not in the published library (left as it was)", err=True)


@library_group.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--publish",
    is_flag=True,
    help="Publish the files whose checks pass, when the approvals setting is 0; the rest stay drafts.",
)
def import_command(paths: tuple[Path, ...], publish: bool) -> None:
    """Store library files (or folders of them) as new draft versions of their documents.

    A file whose content is already stored is skipped. Exits 1 when a file cannot be stored, or
    when --publish was asked for and something was not published.
    """
    from assessments.library import yaml_files
    from webapp.published import import_files
    from webapp.publishing import approvals_needed

    files = [(p, str(p)) for path in paths for p in (yaml_files(path) if path.is_dir() else [path])]
    current = _state()
    needed = approvals_needed(current.documents)
    if publish and needed:
        click.echo(f"publishing needs {needed} approval(s) in the workspace: storing drafts only", err=True)
    imported = import_files(
        current.documents, files, actor=command_line_actor(), publish=publish and not needed, over_browser=True
    )
    for name in imported.published:
        click.echo(f"published {name}")
    for name, reasons in imported.drafts:
        click.echo(f"draft {name}")
        for line in reasons:
            click.echo(f"  {line}")
    for _, why in imported.unreadable:
        click.echo(f"not stored: {why}", err=True)
    if imported.unchanged:
        click.echo(f"{imported.unchanged} file(s) already stored as they are")
    if imported.unreadable or (publish and (imported.drafts or needed)):
        raise SystemExit(1)
