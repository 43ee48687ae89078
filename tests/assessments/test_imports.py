"""The engine stands alone: importing it loads no web, template or PDF library."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ENGINE = Path(__file__).resolve().parents[2] / "assessments"
FORBIDDEN = ("flask", "wtforms", "flask_wtf", "jinja2", "weasyprint", "werkzeug", "sqlalchemy", "webapp", "reports")


def test_importing_the_engine_pulls_in_no_web_or_pdf_library() -> None:
    code = (
        "import sys, assessments, assessments.cli\n"
        "from assessments import load_library\n"
        "load_library().scorer('should-i-try')\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ENGINE.parent)
    assert out.stdout.strip() == "[]"


def test_no_engine_module_imports_webapp_or_reports_even_lazily() -> None:
    offenders = []
    for path in ENGINE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in FORBIDDEN]
    assert offenders == []
