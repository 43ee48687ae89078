"""The `rekindle` command: the engine's commands, plus the web app's and the reports' as they arrive."""

from __future__ import annotations

import click

from assessments.cli import ENGINE_COMMANDS, library_option


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@library_option
def main(library_dirs: tuple[str, ...]) -> None:
    """Rekindle: questionnaires and rule sets for people deciding whether to try again."""


for _command in ENGINE_COMMANDS:
    main.add_command(_command)
