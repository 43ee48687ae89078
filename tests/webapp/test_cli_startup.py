"""The command starts in a blink: `rekindle --help` imports click and the command module only,
each command imports what it uses when it runs, and `import assessments` does no work."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from webapp.cli import LAZY, main

HEAVY = ("flask", "werkzeug", "weasyprint", "jinja2", "sqlalchemy", "pydantic", "yaml", "gunicorn", "rq", "redis")


def modules_after(code: str) -> list[str]:
    """Run `code` in a fresh interpreter; give the HEAVY packages, `reports` and engine modules it imported."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    loaded = json.loads(out.strip().splitlines()[-1])
    return [m for m in loaded if m.split(".")[0] in (*HEAVY, "reports") or m.startswith("assessments.")]


def test_help_imports_neither_the_web_app_nor_the_engine_nor_weasyprint() -> None:
    code = "import contextlib, io\nfrom webapp.cli import main\nwith contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()): main(['--help'])"
    assert modules_after(code) == []


def test_importing_the_engine_does_no_work_until_a_name_is_used() -> None:
    assert modules_after("import assessments") == []
    used = modules_after("from assessments import Result")
    assert "assessments.result" in used and "assessments.library" not in used and "flask" not in used


def test_the_listed_help_is_each_commands_own_first_line() -> None:
    listing = CliRunner().invoke(main, ["--help"]).output
    for name, (where, first_line) in LAZY.items():
        module, attribute = where.split(":")
        command = getattr(importlib.import_module(module), attribute)
        assert isinstance(command, click.Command) and command.name == name
        assert " ".join((command.help or "").split("\n\n")[0].split()) == first_line, name
        assert f"  {name} " in listing


@pytest.mark.parametrize("name", sorted(LAZY))
def test_every_lazy_command_runs_its_own_help(name: str) -> None:
    result = CliRunner().invoke(main, [name, "--help"])
    assert result.exit_code == 0 and f"Usage: main {name}" in result.output, result.output


def test_an_unknown_command_is_still_refused() -> None:
    result = CliRunner().invoke(main, ["valdate"])
    assert result.exit_code == 2 and "No such command 'valdate'" in result.output
